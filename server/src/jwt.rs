//! Access tokens: HS256 JWTs, their claims, and the bookkeeping behind "expire them all".
//!
//! Expiry is deliberately *not* checked by `jsonwebtoken`'s `Validation`: the library would
//! report an expired token before the server could tell whether it was also revoked, and the
//! rejection order (expired before revoked) is part of the contract the client is tested on.

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::state::Store;

/// The claims of every access token. All are required: a token missing one is malformed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub name: String,
    pub role: String,
    pub iat: u64,
    pub exp: u64,
    pub jti: String,
    /// Refresh-token family, so revoking a family also kills its access tokens.
    pub fam: String,
    /// The user's `token_version` at issue time; a password change bumps it.
    pub ver: u64,
}

/// Why a bearer token could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// Not a JWT we could parse: segments, base64, JSON, claims, or a foreign `alg`.
    Malformed,
    /// Well-formed, but not signed with the current key.
    BadSignature,
}

/// Seconds since the Unix epoch; 0 if the clock is before it (never panics).
pub fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

pub fn encode(key: &[u8], claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(key))
}

/// Verifies the signature and parses the claims; checks nothing time-related.
pub fn decode(key: &[u8], token: &str) -> Result<Claims, DecodeError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    // Presence of exp/sub is still enforced here; the others by `Claims` deserialization.
    validation.set_required_spec_claims(&["exp", "sub"]);
    match jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(key), &validation) {
        Ok(data) => Ok(data.claims),
        Err(e) if matches!(e.kind(), ErrorKind::InvalidSignature) => Err(DecodeError::BadSignature),
        Err(_) => Err(DecodeError::Malformed),
    }
}

/// Implements `/__test/expire-access`: every access token issued up to that call is expired.
///
/// `iat` has one-second resolution, so "iat < marker" alone would either spare the tokens
/// issued earlier in the same second or condemn the ones issued later in it. The jtis issued
/// in the current second are therefore remembered, and expired by name.
#[derive(Debug, Default)]
pub struct ExpiryMarker {
    /// Tokens with `iat` strictly below this are expired.
    before: u64,
    /// The second `recent` belongs to.
    recent_second: u64,
    /// jtis issued during `recent_second`.
    recent: Vec<String>,
    /// jtis issued in the marker's own second before the marker was set.
    expired: HashSet<String>,
}

impl ExpiryMarker {
    pub fn note_issued(&mut self, iat: u64, jti: &str) {
        if iat != self.recent_second {
            self.recent_second = iat;
            self.recent.clear();
        }
        self.recent.push(jti.to_owned());
    }

    pub fn expire_all(&mut self, now: u64) {
        self.before = self.before.max(now);
        if self.recent_second >= now {
            self.expired.extend(self.recent.drain(..));
        }
    }

    pub fn is_expired(&self, claims: &Claims) -> bool {
        claims.iat < self.before || self.expired.contains(&claims.jti)
    }
}

impl Store {
    /// Signs a new access token for `user` in `family`. Returns `None` for an unknown user or
    /// if signing fails (neither happens in practice; callers answer 500).
    pub fn issue_access(&mut self, user: &str, family: &str, jti: &str) -> Option<String> {
        let account = self.users.get(user)?;
        let iat = now_secs();
        let claims = Claims {
            sub: user.to_owned(),
            name: account.name.clone(),
            role: account.role.clone(),
            iat,
            exp: iat.saturating_add(self.access_ttl),
            jti: jti.to_owned(),
            fam: family.to_owned(),
            ver: account.token_version,
        };
        let token = encode(&self.key, &claims).ok()?;
        self.expiry.note_issued(iat, jti);
        Some(token)
    }
}
