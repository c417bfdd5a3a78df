//! The session's state and its transitions. Every change returns the events it causes, which
//! the caller delivers after releasing any borrow.

use crate::claims;
use crate::crosstab::{Message, SharedTokens};
use crate::error::{EndReason, Error};
use crate::prelude::*;
use crate::refresh::backoff::Backoff;
use crate::refresh::grant::{Grant, RefreshOutcome};
use crate::session::loop_breaker::LoopBreaker;
use crate::session::schedule;
use crate::token::{Lifetime, Secret};

/// Where the refresh token lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// In an HttpOnly cookie the browser sends; JavaScript never sees it.
    Cookie,
    /// In Wasm memory, sent in the refresh request body.
    Body,
}

/// Where the session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// No session known yet in this page; in cookie mode one may be restored silently.
    Fresh,
    /// A token is held.
    Active,
    /// Ended (rejected refresh, revocation, logout). Only a login, `setTokens` or `restore()`
    /// starts again; a 401 does not trigger refreshes.
    Ended,
}

/// Something listeners are told about.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event {
    /// A refresh succeeded and produced this generation.
    Refresh {
        /// Generation of the new token.
        generation: u64,
    },
    /// The token changed (new, refreshed or removed): reconnect WebSockets / SSE.
    TokenChange {
        /// Generation of the token now held (unchanged when it was removed).
        generation: u64,
        /// Whether a token is held now.
        authenticated: bool,
    },
    /// The session ended, once per session.
    SessionEnd(EndReason),
    /// For the host, not the app: when to renew the token held now (client-clock ms), or
    /// `None` to cancel (no token, or an opaque one of unknown lifetime).
    Schedule {
        /// The time to renew at.
        renew_at_ms: Option<f64>,
    },
}

/// Counters for `stats()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Refresh calls made to the server.
    pub refreshes: u64,
    /// Refresh calls that failed without ending the session.
    pub refresh_failures: u64,
    /// Requests sent a second time with a newer token.
    pub replays: u64,
    /// Sessions ended (any reason).
    pub session_ends: u64,
}

/// Tokens and lifecycle of one session.
#[derive(Debug)]
pub struct Session {
    mode: Mode,
    phase: Phase,
    access: Option<Secret>,
    refresh: Option<Secret>,
    id_token: Option<Secret>,
    lifetime: Option<Lifetime>,
    /// Drawn once per token in `[0, 1)`: where in the jitter range its renewal falls.
    jitter_unit: f64,
    /// Increases with every new access token; 0 means none was ever held.
    generation: u64,
    /// Increases when a session starts or ends, so a refresh started in an older epoch can tell
    /// its result is stale and must be discarded.
    epoch: u64,
    backoff: Backoff,
    last_failure: Option<Error>,
    ended_by: Option<EndReason>,
    breaker: LoopBreaker,
    /// The session's tag among tabs (0: none yet). Kept after the session ends, so a renewal of
    /// the ended session that another tab shares late is recognised and not adopted.
    shared_id: u32,
    /// Counters reported by `stats()`.
    pub stats: Stats,
}

impl Session {
    /// An empty session for the given refresh-token mode.
    pub fn new(mode: Mode, max_refreshes: u32, window_s: f64) -> Self {
        Session {
            mode,
            phase: Phase::Fresh,
            access: None,
            refresh: None,
            id_token: None,
            lifetime: None,
            jitter_unit: 0.0,
            generation: 0,
            epoch: 0,
            backoff: Backoff::default(),
            last_failure: None,
            ended_by: None,
            breaker: LoopBreaker::new(max_refreshes, window_s),
            shared_id: 0,
            stats: Stats::default(),
        }
    }

    /// The refresh-token mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Why the last session ended, while no new one has started.
    pub fn ended_by(&self) -> Option<EndReason> {
        self.ended_by
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The current epoch (see the field's doc).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The access token and its generation, if one is held.
    pub fn access(&self) -> Option<(&Secret, u64)> {
        self.access.as_ref().map(|t| (t, self.generation))
    }

    /// The generation counter: changes whenever a token is installed (here or adopted).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Generation of the token held, if any.
    pub fn token_generation(&self) -> Option<u64> {
        self.access.as_ref().map(|_| self.generation)
    }

    /// Seconds of validity left at `now_ms`; `None` if no token or its expiry is unknown.
    pub fn remaining_s(&self, now_ms: f64) -> Option<f64> {
        self.access.as_ref()?;
        self.lifetime?.remaining_s(now_ms)
    }

    /// When to renew the token held now, for a configured `margin_s`.
    pub fn renewal_at_ms(&self, margin_s: f64) -> Option<f64> {
        self.access.as_ref()?;
        schedule::renewal_at_ms(self.lifetime.as_ref()?, margin_s, self.jitter_unit)
    }

    /// Whether the loop breaker allows a refresh at `now_ms`.
    pub fn breaker_allows(&mut self, now_ms: f64) -> bool {
        self.breaker.allows(now_ms)
    }

    /// Counts a refresh call starting at `now_ms` (for `stats()` and the loop breaker).
    pub fn count_refresh(&mut self, now_ms: f64) {
        self.stats.refreshes += 1;
        self.breaker.record(now_ms);
    }

    /// The token whose claims are displayed: the ID token if known, else the access token.
    pub fn display_token(&self) -> Option<&Secret> {
        self.id_token.as_ref().or(self.access.as_ref())
    }

    /// A copy of the refresh token to send (body mode), made in one exact-size allocation.
    pub fn refresh_token_copy(&self) -> Option<Secret> {
        self.refresh.as_ref().map(|t| Secret::concat(&[t.expose()]))
    }

    /// Whether a refresh can be attempted at all: cookie mode unless ended; body mode only
    /// while a refresh token is held.
    pub fn can_refresh(&self) -> bool {
        match self.mode {
            Mode::Cookie => self.phase != Phase::Ended,
            Mode::Body => self.phase != Phase::Ended && self.refresh.is_some(),
        }
    }

    /// While backing off after a failed refresh, the error it failed with: a request whose 401
    /// arrives during the backoff gets the same error as the requests that waited for it.
    pub fn backoff_error(&self, now_ms: f64) -> Option<Error> {
        if self.backoff.allows(now_ms) {
            None
        } else {
            self.last_failure
        }
    }

    /// When the backoff after the last failed refresh ends (the time to retry a renewal).
    pub fn retry_at_ms(&self) -> f64 {
        self.backoff.not_before_ms()
    }

    /// `restore()` was called: allow one silent cookie refresh even after an earlier end.
    pub fn allow_restore(&mut self) {
        if self.phase == Phase::Ended && self.mode == Mode::Cookie {
            self.phase = Phase::Fresh;
        }
    }

    /// The session's tag among tabs, drawn from `fresh` (non-zero) if it has none yet.
    pub fn shared_id(&mut self, fresh: u32) -> u32 {
        if self.shared_id == 0 {
            self.shared_id = fresh.max(1);
        }
        self.shared_id
    }

    /// Copies of the tokens to share with other tabs, with the validity left at `now_ms`.
    pub fn shared_tokens(&self, now_ms: f64) -> Option<SharedTokens> {
        let access = self.access.as_ref()?;
        let left_ms =
            self.remaining_s(now_ms).map(|s| (s * 1000.0).clamp(0.0, f64::from(u32::MAX)));
        Some(SharedTokens {
            access: Secret::concat(&[access.expose()]),
            expires_in_ms: left_ms.map(|ms| ms as u32),
            id_token: self.id_token.as_ref().map(|t| Secret::concat(&[t.expose()])),
        })
    }

    /// Applies what another tab said. Returns the value the requests waiting for a refresh in
    /// this tab are released with (if any), and the events. Nothing received is sent on.
    pub fn receive(
        &mut self,
        message: Message,
        now_ms: f64,
        jitter_unit: f64,
    ) -> (Option<Result<u64, Error>>, Vec<Event>) {
        let active = self.phase == Phase::Active;
        match message {
            Message::Ask => (None, Vec::new()),
            // Logout is the user's wish for every tab; an expiry or revocation concerns the
            // session it names only.
            Message::End { session, reason } if active => {
                if reason != EndReason::Logout && session != self.shared_id {
                    return (None, Vec::new());
                }
                let reason = if reason == EndReason::Logout { EndReason::OtherTab } else { reason };
                (Some(Err(Error::for_end(reason))), self.end(reason))
            }
            Message::End { .. } => (None, Vec::new()),
            Message::Login { session, tokens } => {
                // Whoever signed in there, this tab's session (perhaps another user's) is over.
                let mut events = if active { self.end(EndReason::OtherTab) } else { Vec::new() };
                match tokens {
                    Some(tokens) if self.mode == Mode::Cookie => {
                        events.extend(self.start(tokens.into_grant(), now_ms, jitter_unit));
                        self.shared_id = session;
                        (Some(Ok(self.generation)), events)
                    }
                    _ if active => (Some(Err(Error::LoggedOut)), events),
                    _ => (None, events),
                }
            }
            Message::Token { session, tokens } => {
                let raced_our_end = self.phase == Phase::Ended && session == self.shared_id;
                let known =
                    self.access.as_ref().is_some_and(|a| a.expose() == tokens.access.expose());
                if self.mode == Mode::Body || raced_our_end || known {
                    return (None, Vec::new());
                }
                if self.phase == Phase::Ended {
                    // A session started elsewhere after this tab's ended: a new epoch.
                    self.epoch += 1;
                    self.ended_by = None;
                }
                self.backoff.reset();
                self.install(tokens.into_grant(), now_ms, jitter_unit);
                self.shared_id = session;
                let generation = self.generation;
                (Some(Ok(generation)), vec![Event::TokenChange { generation, authenticated: true }])
            }
        }
    }

    /// Starts a new session with tokens the app obtained (login, `setTokens`).
    pub fn start(&mut self, grant: Grant, now_ms: f64, jitter_unit: f64) -> [Event; 1] {
        self.shared_id = 0;
        self.epoch += 1;
        self.backoff.reset();
        self.ended_by = None;
        self.id_token = None;
        self.refresh = None;
        self.install(grant, now_ms, jitter_unit);
        [Event::TokenChange { generation: self.generation, authenticated: true }]
    }

    fn install(&mut self, grant: Grant, now_ms: f64, jitter_unit: f64) {
        self.jitter_unit = jitter_unit;
        let Grant { access, refresh, id_token, expires_in_s } = grant;
        let claims = claims::decode(access.expose()).ok().flatten();
        let (exp, iat) = claims
            .as_ref()
            .map_or((None, None), |c| (claims::usable_exp(c), claims::usable_iat(c)));
        self.lifetime = Some(Lifetime::measure(now_ms, expires_in_s, exp, iat));
        self.access = Some(access);
        if self.mode == Mode::Body {
            if let Some(rotated) = refresh {
                self.refresh = Some(rotated);
            }
        }
        if id_token.is_some() {
            self.id_token = id_token;
        }
        self.generation += 1;
        self.phase = Phase::Active;
    }

    /// Applies a refresh outcome obtained in `epoch`. A result from an older epoch is discarded:
    /// a late refresh never resurrects a logged-out session or overwrites a newer login.
    pub fn apply(
        &mut self,
        epoch: u64,
        outcome: RefreshOutcome,
        now_ms: f64,
        jitter_unit: f64,
    ) -> (Result<u64, Error>, Vec<Event>) {
        if epoch != self.epoch {
            return match self.token_generation() {
                Some(generation) => (Ok(generation), Vec::new()),
                None => (Err(Error::LoggedOut), Vec::new()),
            };
        }
        match outcome {
            RefreshOutcome::Granted(grant) => {
                self.backoff.reset();
                self.install(grant, now_ms, jitter_unit);
                let generation = self.generation;
                (
                    Ok(generation),
                    vec![
                        Event::Refresh { generation },
                        Event::TokenChange { generation, authenticated: true },
                    ],
                )
            }
            RefreshOutcome::Rejected(reason) => {
                (Err(Error::SessionExpired(reason)), self.end(reason))
            }
            RefreshOutcome::Failed { error, retry_after_s } => {
                self.stats.refresh_failures += 1;
                self.backoff.record_failure(now_ms, retry_after_s);
                self.last_failure = Some(error);
                (Err(error), Vec::new())
            }
        }
    }

    /// Ends the session: wipes every token (zeroed on drop) and moves to a new epoch. Returns the
    /// events, which are empty unless a session was active: `sessionEnd` fires once per session.
    pub fn end(&mut self, reason: EndReason) -> Vec<Event> {
        let was_active = self.phase == Phase::Active;
        self.access = None;
        self.refresh = None;
        self.id_token = None;
        self.lifetime = None;
        self.phase = Phase::Ended;
        self.epoch += 1;
        if was_active || self.ended_by.is_none() {
            self.ended_by = Some(reason);
        }
        if !was_active {
            return Vec::new();
        }
        self.stats.session_ends += 1;
        vec![
            Event::SessionEnd(reason),
            Event::TokenChange { generation: self.generation, authenticated: false },
        ]
    }
}
