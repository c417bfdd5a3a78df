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

    /// Moves the value out (for a consumer that zeroes it itself), leaving an empty secret.
    pub fn take(&mut self) -> String {
        core::mem::take(&mut self.0)
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

/// How long an access token lives, measured on the client's own clock from when it arrived.
///
/// Only a *duration* is kept, never an absolute time from the server, so a client clock that is
/// hours or a day off changes nothing. The duration comes from `expires_in`; failing that from
/// the JWT's `exp - iat` (both on the server's clock, so their difference is skew-free); failing
/// that from `exp` against the client clock, kept only when plausible. 401 stays the source of
/// truth whatever this says.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lifetime {
    /// Milliseconds since the Unix epoch on the client clock when the token arrived.
    pub received_at_ms: f64,
    /// Seconds of validity from arrival, if known.
    pub duration_s: Option<f64>,
}

impl Lifetime {
    /// The lifetime of a token that arrived at `now_ms` with `expires_in` (if usable) and the
    /// JWT claims `exp` / `iat` (if the token is a JWT carrying usable ones).
    pub fn measure(
        now_ms: f64,
        expires_in_s: Option<f64>,
        exp_s: Option<f64>,
        iat_s: Option<f64>,
    ) -> Lifetime {
        let duration_s = expires_in_s
            .or_else(|| usable_expires_in(exp_s? - iat_s?))
            // `exp` alone is compared with a clock that may be skewed: anything but a
            // plausible lifetime (up to a day) means "unknown", renewed only on 401.
            .or_else(|| Some(exp_s? - now_ms / 1000.0).filter(|d| *d > 0.0 && *d <= 86_400.0));
        Lifetime { received_at_ms: now_ms, duration_s }
    }

    /// Expiry in client-clock milliseconds, or `None` when unknown (opaque token).
    pub fn expires_at_ms(&self) -> Option<f64> {
        self.duration_s.map(|d| self.received_at_ms + d * 1000.0)
    }

    /// Seconds left at `now_ms`, or `None` when the expiry is unknown.
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
    fn lifetime_prefers_expires_in_then_exp_minus_iat_then_plausible_exp() {
        let now = 1_700_000_000_000.0;
        let l = Lifetime::measure(now, Some(60.0), Some(5.0), Some(1.0));
        assert_eq!(l.expires_at_ms(), Some(now + 60_000.0));
        assert_eq!(l.remaining_s(now + 30_000.0), Some(30.0));
        // exp - iat is skew-free: the server's clock may be a day away from ours.
        let skewed = Lifetime::measure(now, None, Some(1_000_300.0), Some(1_000_000.0));
        assert_eq!(skewed.duration_s, Some(300.0));
        // exp alone: used when plausible against our clock, else unknown.
        assert_eq!(
            Lifetime::measure(now, None, Some(now / 1000.0 + 120.0), None).duration_s,
            Some(120.0)
        );
        assert_eq!(
            Lifetime::measure(now, None, Some(now / 1000.0 - 3_600.0), None).duration_s,
            None
        );
        assert_eq!(
            Lifetime::measure(now, None, Some(now / 1000.0 + 2.0 * 86_400.0), None).duration_s,
            None
        );
        assert_eq!(Lifetime::measure(now, None, None, None).remaining_s(now), None);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e300] {
            assert_eq!(usable_expires_in(bad), None, "{bad}");
        }
        assert_eq!(usable_expires_in(300.0), Some(300.0));
    }
}
