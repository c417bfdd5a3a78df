//! Refresh-token families: login, rotation with reuse detection, and revocation.
//!
//! Rotation follows the OAuth 2.0 Security BCP (and SimpleJWT's blacklist-after-rotation):
//! each refresh token is single-use; presenting a used one means two parties hold the chain,
//! so the whole family is revoked and both must log in again.

use std::time::{Duration, Instant};

use crate::random::FreshIds;
use crate::state::{Family, RefreshEntry, Store};

/// A freshly issued token pair.
#[derive(Debug)]
pub struct Issued {
    pub access: String,
    pub refresh: String,
    /// Always the configured access TTL, so clients need not trust their clock.
    pub expires_in: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginError {
    InvalidCredentials,
    AccountDisabled,
    /// Signing failed; answered with 500.
    Internal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshError {
    /// Unknown or expired token.
    NotValid,
    /// The token was already rotated: the family is now revoked.
    Reused,
    /// The family was revoked (logout, admin, single session, reuse) or the user is inactive.
    Revoked,
    /// Signing failed; answered with 500.
    Internal,
}

impl LoginError {
    pub fn code(self) -> &'static str {
        match self {
            LoginError::InvalidCredentials => "INVALID_CREDENTIALS",
            LoginError::AccountDisabled => "ACCOUNT_DISABLED",
            LoginError::Internal => "SERVER_ERROR",
        }
    }

    pub fn detail(self) -> &'static str {
        match self {
            LoginError::InvalidCredentials => "Unknown username or wrong password.",
            LoginError::AccountDisabled => "This account is disabled.",
            LoginError::Internal => "The server could not issue a token.",
        }
    }
}

impl RefreshError {
    pub fn code(self) -> &'static str {
        match self {
            RefreshError::NotValid => "token_not_valid",
            RefreshError::Reused => "REFRESH_TOKEN_REUSED",
            RefreshError::Revoked => "TOKEN_REVOKED",
            RefreshError::Internal => "SERVER_ERROR",
        }
    }

    pub fn detail(self) -> &'static str {
        match self {
            RefreshError::NotValid => "The refresh token is unknown or expired.",
            RefreshError::Reused => {
                "The refresh token was already used; the session has been revoked."
            }
            RefreshError::Revoked => "The session has been revoked.",
            RefreshError::Internal => "The server could not issue a token.",
        }
    }
}

impl Store {
    /// Checks the credentials and opens a new family (revoking the user's earlier ones first
    /// under the single-valid-token policy).
    pub fn login(
        &mut self,
        username: &str,
        password: &str,
        ids: FreshIds,
    ) -> Result<Issued, LoginError> {
        let user = self.users.get(username).ok_or(LoginError::InvalidCredentials)?;
        if user.password != password {
            return Err(LoginError::InvalidCredentials);
        }
        if !user.active {
            return Err(LoginError::AccountDisabled);
        }
        let access =
            self.issue_access(username, &ids.family, &ids.jti).ok_or(LoginError::Internal)?;
        if self.single_session {
            self.revoke_user(username);
        }
        self.families
            .insert(ids.family.clone(), Family { user: username.to_owned(), revoked: false });
        self.store_refresh(&ids.refresh, &ids.family, username);
        self.counters.logins += 1;
        Ok(Issued { access, refresh: ids.refresh, expires_in: self.access_ttl })
    }

    /// Rotates `presented`: marks it used and issues a successor in the same family.
    pub fn rotate(&mut self, presented: &str, ids: FreshIds) -> Result<Issued, RefreshError> {
        if !self.presented.insert(presented.to_owned(), ()) {
            self.counters.refresh_tokens_seen_twice += 1;
        }
        let entry = self.refresh_tokens.get(presented).ok_or(RefreshError::NotValid)?;
        if entry.expires_at.is_some_and(|at| Instant::now() >= at) {
            return Err(RefreshError::NotValid);
        }
        let (family, user) = (entry.family.clone(), entry.user.clone());
        if entry.used {
            self.counters.reuse_detections += 1;
            self.revoke_family(&family);
            return Err(RefreshError::Reused);
        }
        if self.families.get(&family).is_none_or(|f| f.revoked) {
            return Err(RefreshError::Revoked);
        }
        if self.users.get(&user).is_none_or(|u| !u.active) {
            return Err(RefreshError::Revoked);
        }
        let access = self.issue_access(&user, &family, &ids.jti).ok_or(RefreshError::Internal)?;
        if let Some(entry) = self.refresh_tokens.get_mut(presented) {
            entry.used = true;
        }
        self.store_refresh(&ids.refresh, &family, &user);
        self.counters.refresh_ok += 1;
        Ok(Issued { access, refresh: ids.refresh, expires_in: self.access_ttl })
    }

    /// The family `token` belongs to, if the token is known.
    pub fn family_of(&self, token: &str) -> Option<String> {
        self.refresh_tokens.get(token).map(|e| e.family.clone())
    }

    /// Revokes one family. Counts a revocation only when the family actually changes state,
    /// so `family_revocations` counts sessions ended, not calls.
    pub fn revoke_family(&mut self, family: &str) {
        if let Some(f) = self.families.get_mut(family) {
            if !f.revoked {
                f.revoked = true;
                self.counters.family_revocations += 1;
            }
        }
    }

    /// Revokes every family of `user`.
    pub fn revoke_user(&mut self, user: &str) {
        let mut ended = 0;
        for f in self.families.values_mut().filter(|f| f.user == user && !f.revoked) {
            f.revoked = true;
            ended += 1;
        }
        self.counters.family_revocations += ended;
    }

    fn store_refresh(&mut self, token: &str, family: &str, user: &str) {
        let expires_at = Instant::now().checked_add(Duration::from_secs(self.refresh_ttl));
        self.refresh_tokens.insert(
            token.to_owned(),
            RefreshEntry {
                family: family.to_owned(),
                user: user.to_owned(),
                used: false,
                expires_at,
            },
        );
    }
}
