//! Puts the pieces together: the session, the single-flight lock and a host that performs the
//! refresh call, reads the clock and delivers events. Generic over the host so the same code
//! runs natively under test (fake transport, fake clock) and in the browser.

use core::cell::{Ref, RefCell};
use core::future::Future;
use core::pin::Pin;

use crate::error::{EndReason, Error, Transient};
use crate::prelude::*;
use crate::refresh::flight::{Join, SingleFlight};
use crate::refresh::grant::{Grant, RefreshOutcome};
use crate::session::{Event, Mode, Session, Stats};
use crate::token::Secret;

/// A boxed future, as hosts return them (single-threaded, not `Send`).
pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// What the coordinator needs from its environment.
pub trait Host {
    /// Milliseconds since the Unix epoch on the client clock.
    fn now_ms(&self) -> f64;
    /// Performs one refresh call; `refresh_token` is given in body mode. The future must settle
    /// (the host enforces the timeout) and must not call back into the coordinator.
    fn refresh(&self, refresh_token: Option<Secret>) -> LocalFuture<RefreshOutcome>;
    /// Delivers an event to listeners. Called with no borrow held; may re-enter the coordinator.
    fn emit(&self, event: Event);
}

/// The result of asking for a newer token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Renewal {
    /// A token of this generation is held now.
    Renewed(u64),
    /// No refresh is possible (signed out, or no refresh token in body mode).
    Unavailable,
}

type FlightResult = Result<u64, Error>;

/// Single-flight refresh around one session.
pub struct Coordinator<H: Host> {
    host: H,
    session: RefCell<Session>,
    flight: SingleFlight<FlightResult>,
}

impl<H: Host> Coordinator<H> {
    /// A coordinator with no session yet.
    pub fn new(host: H, mode: Mode) -> Self {
        Coordinator {
            host,
            session: RefCell::new(Session::new(mode)),
            flight: SingleFlight::default(),
        }
    }

    /// The host.
    pub fn host(&self) -> &H {
        &self.host
    }

    /// Reads the session. Do not hold the guard across an `.await` or a call into JS.
    pub fn session(&self) -> Ref<'_, Session> {
        self.session.borrow()
    }

    /// Counters, including the queue length now and at its largest.
    pub fn stats(&self) -> (Stats, usize, usize) {
        (self.session.borrow().stats, self.flight.waiting(), self.flight.max_waiting())
    }

    /// Counts a replay (the caller sent a request a second time).
    pub fn count_replay(&self) {
        self.session.borrow_mut().stats.replays += 1;
    }

    /// Starts a new session with tokens the app obtained. Requests waiting for a refresh of the
    /// old session are released with the new token; the old refresh's result is discarded.
    pub fn start(&self, grant: Grant) {
        let now = self.host.now_ms();
        let events = self.session.borrow_mut().start(grant, now);
        let generation = self.session.borrow().token_generation().unwrap_or(0);
        self.flight.cancel(Ok(generation));
        self.deliver(&events);
    }

    /// Ends the session now (logout, revocation, another tab). Waiters are released at once
    /// with `LoggedOut` (logout, other tab) or `SessionExpired` (revoked, expired).
    pub fn end(&self, reason: EndReason) {
        let events = self.session.borrow_mut().end(reason);
        self.flight.cancel(Err(Error::for_end(reason)));
        self.deliver(&events);
    }

    /// `restore()`: allows one silent refresh through the cookie, then renews unless a token is
    /// already held.
    pub async fn restore(&self) -> Result<Renewal, Error> {
        if let Some(generation) = self.session.borrow().token_generation() {
            return Ok(Renewal::Renewed(generation));
        }
        self.session.borrow_mut().allow_restore();
        self.renew_after(0).await
    }

    /// If a refresh is running, waits for it and returns its result.
    pub async fn wait_running(&self) -> Option<FlightResult> {
        let waiter = self.flight.wait_current()?;
        Some(waiter.await.unwrap_or(Err(Error::RefreshFailed(Transient::Abandoned))))
    }

    /// Gets a token newer than generation `seen`: adopts one that already exists, joins the
    /// running refresh, or leads a new one.
    pub async fn renew_after(&self, seen: u64) -> Result<Renewal, Error> {
        {
            let session = self.session.borrow();
            if let Some(generation) = session.token_generation() {
                if generation > seen {
                    return Ok(Renewal::Renewed(generation));
                }
            }
            if !session.can_refresh() {
                // A request that carried a token of a session that has ended meets the end's
                // error, like the requests that were queued when it ended; a request sent
                // without a token just gets its 401.
                return match (seen, session.ended_by()) {
                    (1.., Some(reason)) => Err(Error::for_end(reason)),
                    _ => Ok(Renewal::Unavailable),
                };
            }
            if !self.flight.is_running() {
                if let Some(error) = session.backoff_error(self.host.now_ms()) {
                    return Err(error);
                }
            }
        }
        let result = match self.flight.join() {
            Join::Waiter(waiter) => {
                waiter.await.unwrap_or(Err(Error::RefreshFailed(Transient::Abandoned)))
            }
            Join::Leader(leader) => {
                let (result, events) = self.lead().await;
                // Release the waiters first, so listeners run with the lock already free.
                leader.finish(result);
                self.deliver(&events);
                result
            }
        };
        result.map(Renewal::Renewed)
    }

    /// Returns a token valid for at least `min_validity_s`, renewing when it is closer to expiry
    /// (or when none is held). A token of unknown lifetime counts as valid: 401 will tell.
    pub async fn valid_token(&self, min_validity_s: f64) -> Result<Renewal, Error> {
        // A request that needs a token while a refresh runs waits for it (never sends the old
        // token), and shares its failure.
        if let Some(Err(error)) = self.wait_running().await {
            return Err(error);
        }
        let (generation, remaining) = {
            let session = self.session.borrow();
            (session.token_generation(), session.remaining_s(self.host.now_ms()))
        };
        match (generation, remaining) {
            (Some(g), None) => Ok(Renewal::Renewed(g)),
            (Some(g), Some(left)) if left >= min_validity_s => Ok(Renewal::Renewed(g)),
            (Some(g), Some(_)) => self.renew_after(g).await,
            (None, _) => self.renew_after(0).await,
        }
    }

    /// Performs the refresh as leader and applies its outcome.
    async fn lead(&self) -> (FlightResult, Vec<Event>) {
        let (epoch, refresh_token) = {
            let mut session = self.session.borrow_mut();
            session.stats.refreshes += 1;
            let token =
                if session.mode() == Mode::Body { session.refresh_token_copy() } else { None };
            (session.epoch(), token)
        };
        let outcome = self.host.refresh(refresh_token).await;
        let now = self.host.now_ms();
        self.session.borrow_mut().apply(epoch, outcome, now)
    }

    fn deliver(&self, events: &[Event]) {
        for event in events {
            self.host.emit(*event);
        }
    }
}
