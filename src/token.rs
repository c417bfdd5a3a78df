//! Secrets held in memory: formatting never shows them and dropping them zeroes their bytes,
//! so a heap dump or the Wasm linear memory after logout does not contain the token.

use crate::prelude::*;
use core::fmt;

/// A token or other credential. `Debug` and `Display` print `[REDACTED]`; drop zeroes it.
pub struct Secret(String);

impl Secret {
    /// Takes ownership of the string without copying it.
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    /// Borrows the secret value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `Bearer <token>` built in a buffer of exact size, itself zeroed on drop.
    pub fn bearer_header(&self) -> Secret {
        let mut s = String::with_capacity(7 + self.0.len());
        s.push_str("Bearer ");
        s.push_str(&self.0);
        Secret(s)
    }

    /// Builds a secret from parts, in one exact-size allocation (no reallocation leaves a copy).
    pub fn concat(parts: &[&str]) -> Secret {
        let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
        for p in parts {
            s.push_str(p);
        }
        Secret(s)
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        zero_string(&mut self.0);
    }
}

/// Overwrites the whole allocation of `s` (including spare capacity) with zeros.
pub fn zero_string(s: &mut String) {
    // SAFETY: zero bytes are valid UTF-8, and we only write within the allocation.
    let bytes = unsafe { s.as_mut_vec() };
    let cap = bytes.capacity();
    let ptr = bytes.as_mut_ptr();
    for i in 0..cap {
        // SAFETY: `i < capacity`, inside the allocation; volatile so the writes are not elided.
        unsafe { core::ptr::write_volatile(ptr.add(i), 0) };
    }
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
    bytes.clear();
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// When an access token stops being usable, on the client's own clock.
///
/// `expires_in` from the token response, measured from when the response arrived, is trusted;
/// the JWT `exp` claim is only a hint (it is on the server's clock, which may be skewed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lifetime {
    /// Milliseconds since the Unix epoch on the client clock when the token arrived.
    pub received_at_ms: f64,
    /// Seconds of validity the server declared, if it declared a usable number.
    pub expires_in_s: Option<f64>,
    /// The JWT `exp` claim in seconds since the epoch, if the token is a JWT with a usable one.
    pub exp_hint_s: Option<f64>,
}

impl Lifetime {
    /// Expiry in client-clock milliseconds, or `None` when nothing trustworthy is known.
    pub fn expires_at_ms(&self) -> Option<f64> {
        match (self.expires_in_s, self.exp_hint_s) {
            (Some(secs), _) => Some(self.received_at_ms + secs * 1000.0),
            (None, Some(exp)) => Some(exp * 1000.0),
            (None, None) => None,
        }
    }

    /// Seconds left at `now_ms`, or `None` when the expiry is unknown (opaque token).
    pub fn remaining_s(&self, now_ms: f64) -> Option<f64> {
        self.expires_at_ms().map(|at| (at - now_ms) / 1000.0)
    }
}

/// Largest `expires_in` we accept (one year); anything larger is treated as unknown.
pub const MAX_EXPIRES_IN_S: f64 = 365.0 * 24.0 * 3600.0;

/// A server-declared lifetime if it is a usable number of seconds, else `None`.
pub fn usable_expires_in(value: f64) -> Option<f64> {
    (value.is_finite() && value > 0.0 && value <= MAX_EXPIRES_IN_S).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_secret() {
        let s = Secret::new("eyJhbGciOiJIUzI1NiJ9.secret.sig".into());
        assert_eq!(format!("{s:?} {s}"), "[REDACTED] [REDACTED]");
        assert_eq!(s.bearer_header().expose(), "Bearer eyJhbGciOiJIUzI1NiJ9.secret.sig");
    }

    #[test]
    fn zeroing_clears_the_whole_allocation() {
        let mut s = String::with_capacity(32);
        s.push_str("abc");
        let ptr = s.as_ptr();
        zero_string(&mut s);
        // SAFETY: the allocation is still owned by `s`, capacity unchanged.
        let after = unsafe { core::slice::from_raw_parts(ptr, 3) };
        assert_eq!(after, &[0, 0, 0]);
        assert!(s.is_empty());
    }

    #[test]
    fn expires_in_wins_over_exp_and_bad_values_are_unknown() {
        let l =
            Lifetime { received_at_ms: 1_000.0, expires_in_s: Some(60.0), exp_hint_s: Some(5.0) };
        assert_eq!(l.expires_at_ms(), Some(61_000.0));
        assert_eq!(l.remaining_s(31_000.0), Some(30.0));
        let hint = Lifetime { received_at_ms: 0.0, expires_in_s: None, exp_hint_s: Some(100.0) };
        assert_eq!(hint.expires_at_ms(), Some(100_000.0));
        let opaque = Lifetime { received_at_ms: 0.0, expires_in_s: None, exp_hint_s: None };
        assert_eq!(opaque.remaining_s(5.0), None);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e300] {
            assert_eq!(usable_expires_in(bad), None, "{bad}");
        }
        assert_eq!(usable_expires_in(300.0), Some(300.0));
        assert_eq!(usable_expires_in(0.5), Some(0.5));
    }
}
