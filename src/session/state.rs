//! The session's state and its transitions. Every change returns the events it causes, which
//! the caller delivers after releasing any borrow.

use crate::claims;
use crate::crosstab::{Message, SharedTokens};
use crate::error::{EndReason, Error};
use crate::grant::{Grant, RefreshOutcome};
use crate::prelude::*;
use crate::session::backoff::Backoff;
use crate::session::loop_breaker::LoopBreaker;
use crate::session::schedule;
use crate::token::{Lifetime, Secret};

/// Where the refresh token lives (the `refreshTokenIn` option).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshTokenIn {
    /// In an HttpOnly cookie the browser sends; JavaScript never sees it.
    Cookie,
    /// In Wasm memory, sent in the refresh request body.
    Body,
}

/// Where the session stands, as tests and the API see it (the state without its data).
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

/// The session's state: each variant carries exactly what exists in it, so an impossible
/// combination (a token without a lifetime, an end reason while active) cannot be written.
#[derive(Debug)]
enum State {
    Fresh,
    Active(Tokens),
    Ended(EndReason),
}

/// What an active session holds.
#[derive(Debug)]
struct Tokens {
    access: Secret,
    /// Body mode only.
    refresh: Option<Secret>,
    id_token: Option<Secret>,
    /// The scope the server last stated for these tokens (RFC 6749 §5.1).
    scope: Option<String>,
    lifetime: Lifetime,
    /// Drawn once per token in `[0, 1)`: where in the jitter range its renewal falls.
    jitter_unit: f64,
}

/// Something listeners are told about.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event {
    /// A refresh succeeded and produced this generation.
    Refresh {
        /// Generation of the new token.
        generation: u64,
        /// The server granted a different scope than before (read it with `Session::scope`).
        scope_changed: bool,
    },
    /// The token changed (new, refreshed, adopted or removed): reconnect WebSockets / SSE.
    TokenChange {
        /// Generation of the token now held (unchanged when it was removed).
        generation: u64,
        /// Whether a token is held now.
        authenticated: bool,
    },
    /// The session ended, once per session.
    SessionEnd(EndReason),
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

/// What a caller that needs a newer token than the one it saw should do (see
/// [`Session::decide`]). The coordinator executes it; the session only decides.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decision {
    /// A newer token is held already (generation): use it.
    Use(u64),
    /// Refresh, or wait for the refresh that is running.
    Refresh,
    /// No refresh is possible (no session, or body mode without a refresh token): go on
    /// without a token.
    Unavailable,
    /// Refuse with this error: the session ended (and the caller carried one of its tokens),
    /// the backoff after a failed refresh, or the loop breaker.
    Refuse(Error),
}

/// Tokens and lifecycle of one session.
#[derive(Debug)]
pub struct Session {
    refresh_token_in: RefreshTokenIn,
    state: State,
    /// Increases with every new access token; 0 means none was ever held.
    generation: u64,
    /// Increases when a session starts or ends, so a refresh started in an older epoch can tell
    /// its result is stale and must be discarded.
    epoch: u64,
    /// Delay (and the error) after a failed refresh.
    backoff: Backoff,
    breaker: LoopBreaker,
    /// The session's tag among tabs (0: none yet). Kept after the session ends, so a renewal of
    /// the ended session that another tab shares late is recognised and not adopted.
    shared_id: u32,
    /// Counters reported by `stats()`.
    pub stats: Stats,
}

impl Session {
    /// An empty session for the given refresh-token location.
    pub fn new(refresh_token_in: RefreshTokenIn, max_refreshes: u32, window_s: f64) -> Self {
        Session {
            refresh_token_in,
            state: State::Fresh,
            generation: 0,
            epoch: 0,
            backoff: Backoff::default(),
            breaker: LoopBreaker::new(max_refreshes, window_s),
            shared_id: 0,
            stats: Stats::default(),
        }
    }

    /// Where the refresh token lives.
    pub fn refresh_token_in(&self) -> RefreshTokenIn {
        self.refresh_token_in
    }

    fn tokens(&self) -> Option<&Tokens> {
        match &self.state {
            State::Active(tokens) => Some(tokens),
            _ => None,
        }
    }

    /// Why the session ended, while it is ended.
    pub fn ended_by(&self) -> Option<EndReason> {
        match self.state {
            State::Ended(reason) => Some(reason),
            _ => None,
        }
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        match self.state {
            State::Fresh => Phase::Fresh,
            State::Active(_) => Phase::Active,
            State::Ended(_) => Phase::Ended,
        }
    }

    /// The current epoch (see the field's doc).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The generation counter: changes whenever a token is installed (here or adopted).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The access token and its generation, if one is held.
    pub fn access(&self) -> Option<(&Secret, u64)> {
        self.tokens().map(|t| (&t.access, self.generation))
    }

    /// Generation of the token held, if any.
    pub fn token_generation(&self) -> Option<u64> {
        self.tokens().map(|_| self.generation)
    }

    /// Seconds of validity left at `now_ms`; `None` if no token or its expiry is unknown.
    pub fn remaining_s(&self, now_ms: f64) -> Option<f64> {
        self.tokens()?.lifetime.remaining_s(now_ms)
    }

    /// When to renew the token held now, for a configured `margin_s`.
    pub fn renewal_at_ms(&self, margin_s: f64) -> Option<f64> {
        let tokens = self.tokens()?;
        schedule::renewal_at_ms(&tokens.lifetime, margin_s, tokens.jitter_unit)
    }

    /// Counts a refresh call starting at `now_ms` (for `stats()` and the loop breaker).
    pub fn count_refresh(&mut self, now_ms: f64) {
        self.stats.refreshes += 1;
        self.breaker.record(now_ms);
    }

    /// The token whose claims are displayed: the ID token if known, else the access token.
    pub fn display_token(&self) -> Option<&Secret> {
        self.tokens().map(|t| t.id_token.as_ref().unwrap_or(&t.access))
    }

    /// The scope the server last stated, if it did.
    pub fn scope(&self) -> Option<&str> {
        self.tokens()?.scope.as_deref()
    }

    /// A copy of the refresh token to send (body mode), made in one exact-size allocation.
    pub fn refresh_token_copy(&self) -> Option<Secret> {
        let refresh = self.tokens()?.refresh.as_ref()?;
        Some(Secret::concat(&[refresh.expose()]))
    }

    /// Decides what a caller that saw generation `seen` (`None`: it sent no token) should do,
    /// given whether a refresh is running. Pure but for the loop breaker's window, which moves
    /// on with `now_ms`.
    pub fn decide(&mut self, seen: Option<u64>, refresh_running: bool, now_ms: f64) -> Decision {
        if let Some(generation) = self.token_generation() {
            if seen.is_none_or(|s| generation > s) {
                return Decision::Use(generation);
            }
        }
        let can_refresh = match (&self.state, self.refresh_token_in) {
            (State::Ended(_), _) => false,
            (State::Fresh, RefreshTokenIn::Cookie) => true,
            (State::Fresh, RefreshTokenIn::Body) => false,
            (State::Active(tokens), RefreshTokenIn::Body) => tokens.refresh.is_some(),
            (State::Active(_), RefreshTokenIn::Cookie) => true,
        };
        if !can_refresh {
            // A request that carried a token of a session that has ended meets the end's
            // error, like the requests that were queued when it ended; a request sent without
            // a token just gets its 401.
            return self.refused_after_end(seen).map_or(Decision::Unavailable, Decision::Refuse);
        }
        if refresh_running {
            return Decision::Refresh;
        }
        if let Some(error) = self.backoff.error_at(now_ms) {
            return Decision::Refuse(error);
        }
        if !self.breaker.allows(now_ms) {
            return Decision::Refuse(Error::TooManyRefreshes);
        }
        Decision::Refresh
    }

    /// The error a 401 to a request that carried one of this session's tokens (`sent`: its
    /// generation) meets once the session has ended: the end's error, like the requests that
    /// were queued when it ended. `None` while no session has ended, or for a request sent
    /// without a token (it gets its 401 as it is).
    pub fn refused_after_end(&self, sent: Option<u64>) -> Option<Error> {
        sent.and(self.ended_by()).map(Error::for_end)
    }

    /// When the backoff after the last failed refresh ends (the time to retry a renewal).
    pub fn retry_at_ms(&self) -> f64 {
        self.backoff.not_before_ms()
    }

    /// `restore()` was called: allow one silent cookie refresh even after an earlier end.
    pub fn allow_restore(&mut self) {
        if self.refresh_token_in == RefreshTokenIn::Cookie && self.phase() == Phase::Ended {
            self.state = State::Fresh;
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
        let tokens = self.tokens()?;
        let left_ms = tokens
            .lifetime
            .remaining_s(now_ms)
            .map(|s| (s * 1000.0).clamp(0.0, f64::from(u32::MAX)) as u32);
        Some(SharedTokens {
            access: Secret::concat(&[tokens.access.expose()]),
            expires_in_ms: left_ms,
            id_token: tokens.id_token.as_ref().map(|t| Secret::concat(&[t.expose()])),
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
        let active = self.phase() == Phase::Active;
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
                    Some(tokens) if self.refresh_token_in == RefreshTokenIn::Cookie => {
                        events.extend(self.start(tokens.into_grant(), now_ms, jitter_unit));
                        self.shared_id = session;
                        (Some(Ok(self.generation)), events)
                    }
                    _ if active => (Some(Err(Error::LoggedOut)), events),
                    _ => (None, events),
                }
            }
            Message::Token { session, tokens } => {
                let raced_our_end = self.phase() == Phase::Ended && session == self.shared_id;
                let known =
                    self.access().is_some_and(|(a, _)| a.expose() == tokens.access.expose());
                if self.refresh_token_in == RefreshTokenIn::Body || raced_our_end || known {
                    return (None, Vec::new());
                }
                if self.phase() == Phase::Ended {
                    // A session started elsewhere after this tab's ended: a new epoch.
                    self.epoch += 1;
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
        // A new session keeps nothing of the old one (its refresh and ID tokens are dropped).
        self.state = State::Fresh;
        self.install(grant, now_ms, jitter_unit);
        [Event::TokenChange { generation: self.generation, authenticated: true }]
    }

    /// Installs new tokens; returns whether the server stated a new scope. A refresh that does
    /// not rotate keeps the refresh token held (body mode), and an answer without an ID token or
    /// a scope keeps the one held (RFC 6749 §6, §5.1).
    fn install(&mut self, grant: Grant, now_ms: f64, jitter_unit: f64) -> bool {
        let Grant { access, refresh, id_token, expires_in_s, scope } = grant;
        // The same decoder as `claims()` (its text is not needed here).
        let claims = claims::decode_with_text(access.expose()).ok().flatten();
        let (exp, iat) = claims
            .as_ref()
            .map_or((None, None), |(c, _)| (claims::usable_exp(c), claims::usable_iat(c)));
        let lifetime = Lifetime::measure(now_ms, expires_in_s, exp, iat);
        let refresh = refresh.filter(|_| self.refresh_token_in == RefreshTokenIn::Body);
        let mut changed = false;
        match &mut self.state {
            // Renewed in place: fields assigned one by one (the old values are zeroed on drop).
            State::Active(tokens) => {
                tokens.access = access;
                if refresh.is_some() {
                    tokens.refresh = refresh;
                }
                if id_token.is_some() {
                    tokens.id_token = id_token;
                }
                tokens.lifetime = lifetime;
                tokens.jitter_unit = jitter_unit;
                changed = scope.is_some() && scope != tokens.scope;
                if changed {
                    tokens.scope = scope;
                }
            }
            state => {
                let tokens = Tokens { access, refresh, id_token, scope, lifetime, jitter_unit };
                *state = State::Active(tokens)
            }
        }
        self.generation += 1;
        changed
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
                let scope_changed = self.install(grant, now_ms, jitter_unit);
                let generation = self.generation;
                (
                    Ok(generation),
                    vec![
                        Event::Refresh { generation, scope_changed },
                        Event::TokenChange { generation, authenticated: true },
                    ],
                )
            }
            RefreshOutcome::Rejected(reason) => {
                (Err(Error::SessionExpired(reason)), self.end(reason))
            }
            RefreshOutcome::Failed { error, retry_after_s } => {
                self.stats.refresh_failures += 1;
                self.backoff.record_failure(now_ms, retry_after_s, error);
                (Err(error), Vec::new())
            }
        }
    }

    /// Ends the session: drops every token (zeroed on drop) and moves to a new epoch. Returns
    /// the events, which are empty unless a session was active: `sessionEnd` fires once per
    /// session. An end while already ended keeps the first reason.
    pub fn end(&mut self, reason: EndReason) -> Vec<Event> {
        self.epoch += 1;
        let previous = core::mem::replace(&mut self.state, State::Ended(reason));
        match previous {
            State::Active(tokens) => drop(tokens),
            State::Ended(first) => {
                self.state = State::Ended(first);
                return Vec::new();
            }
            State::Fresh => return Vec::new(),
        }
        self.stats.session_ends += 1;
        vec![
            Event::SessionEnd(reason),
            Event::TokenChange { generation: self.generation, authenticated: false },
        ]
    }
}
