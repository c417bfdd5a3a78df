//! Puts the pieces together: the session, the single-flight lock and a host that performs the
//! refresh call, reads the clock, runs tasks and delivers events. Generic over the host so the
//! same code runs natively under test (fake transport, fake clock) and in the browser.
//!
//! The refresh itself runs as a task of its own (spawned through the host), owned by the lock
//! rather than by the caller that happened to start it: a caller that gives up (an aborted
//! request) never abandons a refresh whose rotated refresh token must still land.
//!
//! Across tabs, the refresh runs under the host's origin-wide lock. After taking it the leader
//! checks whether another tab renewed (or ended the session) while it waited, and makes no call
//! if so; what it obtains is shared with the other tabs before the lock is released. Nothing a
//! tab receives is ever sent on, so messages cannot loop.

use core::cell::{Ref, RefCell};
use core::future::{poll_fn, Future};
use core::pin::Pin;
use core::task::Poll;

use crate::crosstab::Message;
use crate::error::{EndReason, Error, RefreshFailure};
use crate::grant::{Grant, RefreshOutcome};
use crate::prelude::*;
use crate::refresh::flight::{Join, Leader, SingleFlight};
use crate::session::{Decision, Event, RefreshTokenIn, Session, Stats};
use crate::token::Secret;

/// A boxed future, as hosts run them (single-threaded, not `Send`).
pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// A held cross-tab lock; dropping it releases the lock.
pub type LockGuard = Box<dyn core::any::Any>;

/// What the coordinator needs from its environment.
pub trait Host {
    /// Milliseconds since the Unix epoch on the client clock.
    fn now_ms(&self) -> f64;
    /// A random number in `[0, 1)`, for jitter.
    fn random(&self) -> f64;
    /// Performs one refresh call; `refresh_token` is given in body mode. The future must settle
    /// (the host enforces the timeout) and must not call back into the coordinator.
    fn refresh(&self, refresh_token: Option<Secret>) -> impl Future<Output = RefreshOutcome>;
    /// Runs a task to completion in the background.
    fn spawn(&self, task: LocalFuture<()>);
    /// Delivers an event. Called with no borrow held; may re-enter the coordinator.
    fn emit(&self, event: Event);
    /// When to renew the token held now (client-clock ms), or `None` to cancel (no token, or an
    /// opaque one of unknown lifetime). Called whenever the token changes.
    fn schedule(&self, renew_at_ms: Option<f64>);
    /// Takes the origin-wide refresh lock shared by every tab. A host without cross-tab
    /// coordination grants it at once; `Err` when another tab held it for too long.
    fn lock(&self) -> impl Future<Output = Result<LockGuard, Error>>;
    /// Sends a message to the other tabs of the origin (never to this one).
    fn broadcast(&self, message: &Message);
    /// Before refreshing with no token in hand: asks the other tabs for theirs and gives them
    /// a moment to answer (at once when no other tab is there).
    fn ask_other_tabs(&self) -> impl Future<Output = ()>;
}

/// Settings of the session lifecycle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Config {
    /// Where the refresh token lives.
    pub refresh_token_in: RefreshTokenIn,
    /// Renew this long before expiry (adapted for short tokens, see `session::schedule`).
    pub margin_s: f64,
    /// The loop breaker allows this many refreshes...
    pub max_refreshes: u32,
    /// ...within this many seconds.
    pub window_s: f64,
}

impl Config {
    /// The contract's defaults, for a refresh token kept in `refresh_token_in`.
    pub fn new(refresh_token_in: RefreshTokenIn) -> Config {
        Config { refresh_token_in, margin_s: 30.0, max_refreshes: 10, window_s: 30.0 }
    }
}

/// What `Coordinator::stats` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoordinatorStats {
    /// The session's counters.
    pub session: Stats,
    /// Callers waiting for the running refresh now.
    pub queued: usize,
    /// The longest queue so far.
    pub max_queued: usize,
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

/// What waiters get when the refresh they waited for was dropped unfinished.
const ABANDONED: Error = Error::RefreshFailed(RefreshFailure::Abandoned);

/// Single-flight refresh around one session.
pub struct Coordinator<H: Host> {
    host: H,
    config: Config,
    session: RefCell<Session>,
    flight: SingleFlight<FlightResult>,
}

impl<H: Host + 'static> Coordinator<H> {
    /// A coordinator with no session yet.
    pub fn new(host: H, config: Config) -> Self {
        Coordinator {
            host,
            config,
            session: RefCell::new(Session::new(
                config.refresh_token_in,
                config.max_refreshes,
                config.window_s,
            )),
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

    /// The session's counters and the queue.
    pub fn stats(&self) -> CoordinatorStats {
        CoordinatorStats {
            session: self.session.borrow().stats,
            queued: self.flight.waiting(),
            max_queued: self.flight.max_waiting(),
        }
    }

    /// Counts a replay (the caller sent a request a second time).
    pub fn count_replay(&self) {
        self.session.borrow_mut().stats.replays += 1;
    }

    /// When the token held now should be renewed (client-clock ms), if its lifetime is known.
    pub fn renewal_at_ms(&self) -> Option<f64> {
        self.session.borrow().renewal_at_ms(self.config.margin_s)
    }

    /// Starts a new session with tokens the app obtained. Requests waiting for a refresh of the
    /// old session are released with the new token; the old refresh's result is discarded.
    pub fn start(&self, grant: Grant) {
        let now = self.host.now_ms();
        let jitter = self.host.random();
        let events = self.session.borrow_mut().start(grant, now, jitter);
        let generation = self.session.borrow().token_generation().unwrap_or(0);
        self.flight.cancel(Ok(generation));
        let message = {
            let mut session = self.session.borrow_mut();
            let id = session.shared_id(self.random_id());
            let tokens = self.cookie_mode().then(|| session.shared_tokens(now)).flatten();
            Message::Login { session: id, tokens }
        };
        self.host.broadcast(&message);
        self.deliver(&events);
    }

    /// Ends the session now (logout, revocation, another tab). Waiters are released at once
    /// with `LoggedOut` (logout, other tab) or `SessionExpired` (revoked, expired).
    /// The other tabs are told: a logout always (it is the user's wish for every tab), another
    /// end when a session was active.
    pub fn end(&self, reason: EndReason) {
        let events = self.session.borrow_mut().end(reason);
        self.flight.cancel(Err(Error::for_end(reason)));
        if reason == EndReason::Logout || !events.is_empty() {
            self.share_end(reason);
        }
        self.deliver(&events);
    }

    /// Applies a message from another tab (ignored unless it is exactly a valid message).
    pub fn receive(&self, text: &str) {
        let Some(message) = Message::decode(text) else {
            return;
        };
        if let Message::Ask = message {
            return self.share_token();
        }
        let now = self.host.now_ms();
        let jitter = self.host.random();
        let (release, events) = self.session.borrow_mut().receive(message, now, jitter);
        if let Some(value) = release {
            self.flight.cancel(value);
        }
        self.deliver(&events);
    }

    /// `restore()`: allows one silent refresh through the cookie, then renews unless a token is
    /// already held.
    pub async fn restore(self: &Rc<Self>) -> Result<Renewal, Error> {
        if let Some(generation) = self.session.borrow().token_generation() {
            return Ok(Renewal::Renewed(generation));
        }
        self.session.borrow_mut().allow_restore();
        self.renew_after(None).await
    }

    /// If a refresh is running, waits for it and returns its result.
    pub fn wait_running(&self) -> impl Future<Output = Option<FlightResult>> {
        let mut waiter = self.flight.wait_current();
        poll_fn(move |cx| match &mut waiter {
            Some(w) => Pin::new(w).poll(cx).map(|r| Some(r.unwrap_or(Err(ABANDONED)))),
            None => Poll::Ready(None),
        })
    }

    /// Proactive renewal: renews (once, through the single flight) if the token held is within
    /// its margin of expiry. Timers, page events and requests all call this; whoever comes
    /// second joins the running refresh or finds nothing due. `None`: nothing was due.
    pub async fn renew_if_due(self: &Rc<Self>) -> Option<Result<Renewal, Error>> {
        let due = {
            let session = self.session.borrow();
            let at = session.renewal_at_ms(self.config.margin_s)?;
            let generation = session.token_generation()?;
            (self.host.now_ms() >= at).then_some(generation)?
        };
        Some(self.renew_after(Some(due)).await)
    }

    /// Gets a token newer than generation `seen` (`None`: the caller sent no token): the
    /// session decides (see `Session::decide`); this executes the decision, joining the
    /// running refresh or starting one.
    pub async fn renew_after(self: &Rc<Self>, seen: Option<u64>) -> Result<Renewal, Error> {
        let now = self.host.now_ms();
        let running = self.flight.is_running();
        match self.session.borrow_mut().decide(seen, running, now) {
            Decision::Use(generation) => return Ok(Renewal::Renewed(generation)),
            Decision::Unavailable => return Ok(Renewal::Unavailable),
            Decision::Refuse(error) => return Err(error),
            Decision::Refresh => {}
        }
        let Join { leader, waiter } = self.flight.join();
        if let Some(leader) = leader {
            self.host.spawn(Box::pin(Rc::clone(self).lead(leader)));
        }
        let result = waiter.await.unwrap_or(Err(ABANDONED));
        result.map(Renewal::Renewed)
    }

    /// Returns a token valid for at least `min_validity_s`, renewing when it is closer to expiry
    /// (or when none is held). A token of unknown lifetime counts as valid: 401 will tell.
    pub async fn valid_token(self: &Rc<Self>, min_validity_s: f64) -> Result<Renewal, Error> {
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
            // Too close to expiry, or no token: one await point for both.
            (seen, _) => self.renew_after(seen).await,
        }
    }

    /// Performs the refresh as leader (the task `renew_after` spawns), under the cross-tab
    /// lock, applies its outcome, then releases the waiters and delivers the events. One async
    /// fn, not a task awaiting another: one state machine less.
    async fn lead(self: Rc<Self>, leader: Leader<FlightResult>) {
        let (epoch, generation, holds_token) = {
            let session = self.session.borrow();
            (session.epoch(), session.generation(), session.token_generation().is_some())
        };
        if !holds_token && self.cookie_mode() {
            // A new tab restoring: a sibling that holds a token shares it, no call needed.
            self.host.ask_other_tabs().await;
        }
        let (result, events) = match self.host.lock().await {
            Err(error) => (Err(error), Vec::new()),
            Ok(guard) => match self.settled_elsewhere(epoch, generation) {
                Some(settled) => (settled, Vec::new()),
                None => {
                    let refresh_token = {
                        let mut session = self.session.borrow_mut();
                        session.count_refresh(self.host.now_ms());
                        if session.refresh_token_in() == RefreshTokenIn::Body {
                            session.refresh_token_copy()
                        } else {
                            None
                        }
                    };
                    let outcome = self.host.refresh(refresh_token).await;
                    let applied = self.apply(epoch, outcome);
                    drop(guard);
                    applied
                }
            },
        };
        // Release the waiters first, so listeners run with the lock already free.
        leader.finish(result);
        self.deliver(&events);
    }

    /// Applies the refresh call's outcome and shares what changed, before the lock is
    /// released, so a tab that takes it next already knows.
    fn apply(&self, epoch: u64, outcome: RefreshOutcome) -> (FlightResult, Vec<Event>) {
        let now = self.host.now_ms();
        let jitter = self.host.random();
        let (result, events) = self.session.borrow_mut().apply(epoch, outcome, now, jitter);
        for event in &events {
            match event {
                Event::Refresh { .. } => self.share_token(),
                Event::SessionEnd(reason) => self.share_end(*reason),
                _ => {}
            }
        }
        (result, events)
    }

    /// After waiting for the lock: the result another tab (or a logout, a login) already
    /// produced while this one waited, if the session changed meanwhile.
    fn settled_elsewhere(&self, epoch: u64, generation: u64) -> Option<FlightResult> {
        let session = self.session.borrow();
        if session.epoch() == epoch && session.generation() == generation {
            return None;
        }
        Some(match session.token_generation() {
            Some(g) => Ok(g),
            None => Err(session.ended_by().map_or(Error::LoggedOut, Error::for_end)),
        })
    }

    /// Tells the other tabs the token held now (cookie mode: they share the refresh cookie, so
    /// they share its access token too; in body mode each tab keeps its own tokens).
    fn share_token(&self) {
        if !self.cookie_mode() {
            return;
        }
        let now = self.host.now_ms();
        let message = {
            let mut session = self.session.borrow_mut();
            let Some(tokens) = session.shared_tokens(now) else {
                return;
            };
            Message::Token { session: session.shared_id(self.random_id()), tokens }
        };
        self.host.broadcast(&message);
    }

    fn share_end(&self, reason: EndReason) {
        let session = self.session.borrow_mut().shared_id(self.random_id());
        self.host.broadcast(&Message::End { session, reason });
    }

    fn cookie_mode(&self) -> bool {
        self.config.refresh_token_in == RefreshTokenIn::Cookie
    }

    /// A random session tag for the other tabs (not a secret).
    fn random_id(&self) -> u32 {
        (self.host.random() * 4_294_967_296.0) as u32
    }

    fn deliver(&self, events: &[Event]) {
        for event in events {
            self.host.emit(*event);
        }
        // Every change of token reschedules the proactive renewal.
        if events.iter().any(|e| matches!(e, Event::TokenChange { .. })) {
            self.host.schedule(self.renewal_at_ms());
        }
    }
}
