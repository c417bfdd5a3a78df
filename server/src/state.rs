//! Shared server state: users, refresh-token families, counters, faults and the signing key.
//!
//! One `std::sync::Mutex` guards it all. Every critical section is short and synchronous
//! (a hash lookup, an HMAC), and handlers drop the guard before any `.await`, so a plain
//! mutex is both simpler and faster than an async one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use serde::Serialize;

use crate::bounded::Bounded;
use crate::faults::FaultState;
use crate::jwt::ExpiryMarker;
use crate::random::{self, RandomUnavailable};
use crate::Config;

/// Cheap-to-clone handle on the state; axum hands one to every handler.
#[derive(Clone)]
pub struct AppState(Arc<Mutex<Store>>);

impl AppState {
    pub fn new(config: &Config) -> Result<Self, RandomUnavailable> {
        Ok(AppState(Arc::new(Mutex::new(Store::new(config)?))))
    }

    /// Locks the store. A poisoned lock is recovered rather than propagated: nothing in a
    /// critical section panics, and a test server that stops answering helps nobody.
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A built-in account.
pub struct User {
    pub password: String,
    pub name: String,
    pub role: String,
    /// Inactive users can neither log in nor refresh, and their access tokens are revoked.
    pub active: bool,
    /// Bumped by a password change; access tokens carry it as `ver`, so older ones die.
    pub token_version: u64,
}

/// A login session: every refresh token rotated from one login shares a family, so reuse of
/// any of them can revoke the whole chain.
pub struct Family {
    pub user: String,
    pub revoked: bool,
}

/// One issued refresh token.
pub struct RefreshEntry {
    pub family: String,
    pub user: String,
    /// Set on rotation; presenting a used token again is reuse.
    pub used: bool,
    /// `None` when the configured TTL is too large to represent: never expires.
    pub expires_at: Option<Instant>,
}

/// Observable counters for tests and the demo (`GET /__test/counters`).
#[derive(Debug, Default, Clone, Serialize)]
pub struct Counters {
    pub refresh_calls: u64,
    pub refresh_ok: u64,
    pub reuse_detections: u64,
    pub family_revocations: u64,
    pub api_calls: u64,
    /// Protected requests that carried an `Authorization` header (redirect tests count these).
    pub api_calls_with_token: u64,
    pub api_401s: u64,
    pub revoked_token_requests: u64,
    pub logins: u64,
    pub logouts: u64,
    pub refresh_tokens_seen_twice: u64,
    /// Cookie-mode refreshes and logouts refused by the `--csrf` check.
    pub csrf_failures: u64,
}

pub struct Store {
    pub users: HashMap<String, User>,
    pub families: Bounded<Family>,
    pub refresh_tokens: Bounded<RefreshEntry>,
    /// Every refresh token ever presented, kept apart from `used` so that
    /// `refresh_tokens_seen_twice` measures the client, not the rotation logic.
    pub presented: Bounded<()>,
    /// Access tokens revoked one by one (a logout that carried its bearer token).
    pub revoked_jtis: Bounded<()>,
    pub counters: Counters,
    pub fault: FaultState,
    pub key: [u8; 32],
    pub access_ttl: u64,
    pub refresh_ttl: u64,
    pub single_session: bool,
    /// The opt-in double-submit CSRF check (`csrf.rs`).
    pub csrf: bool,
    pub expiry: ExpiryMarker,
}

impl Store {
    fn new(config: &Config) -> Result<Self, RandomUnavailable> {
        let mut users = HashMap::new();
        users.insert("ada".to_owned(), User::new("lovelace", "Ada Lovelace", "admin"));
        users.insert("bob".to_owned(), User::new("builder", "Bob Builder", "user"));
        Ok(Store {
            users,
            families: Bounded::new(config.max_tokens),
            refresh_tokens: Bounded::new(config.max_tokens),
            presented: Bounded::new(config.max_tokens),
            revoked_jtis: Bounded::new(config.max_tokens),
            counters: Counters::default(),
            fault: FaultState::default(),
            key: random::key()?,
            access_ttl: config.access_ttl,
            refresh_ttl: config.refresh_ttl,
            single_session: config.single_session,
            csrf: config.csrf,
            expiry: ExpiryMarker::default(),
        })
    }
}

impl User {
    fn new(password: &str, name: &str, role: &str) -> Self {
        User {
            password: password.to_owned(),
            name: name.to_owned(),
            role: role.to_owned(),
            active: true,
            token_version: 0,
        }
    }
}
