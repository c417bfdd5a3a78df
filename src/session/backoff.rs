//! Backoff after a failed refresh, so a broken endpoint is not hammered by every 401.
//! Pure: the caller passes the clock; nothing here sleeps.

/// First delay after a failure.
const BASE_MS: f64 = 1_000.0;
/// Longest delay we impose ourselves (and the cap on a server's `Retry-After`).
const MAX_MS: f64 = 60_000.0;
/// Shortest delay, even after `Retry-After: 0`: the late 401s of the storm that caused the
/// failed refresh (sent before it failed) share its failure instead of starting another one.
const MIN_MS: f64 = 250.0;

use crate::error::Error;

/// Failure count, the earliest time the next refresh may be attempted, and the error the last
/// attempt failed with (given to the requests that meet the backoff).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Backoff {
    failures: u32,
    not_before_ms: f64,
    failure: Option<Error>,
}

impl Backoff {
    /// Records a failure at `now_ms`; `retry_after_s` (from the server) overrides the exponential
    /// delay, capped at one minute.
    pub fn record_failure(&mut self, now_ms: f64, retry_after_s: Option<f64>, error: Error) {
        self.failure = Some(error);
        self.failures = self.failures.saturating_add(1);
        let exponential = BASE_MS * f64::from(1u32 << self.failures.min(7).saturating_sub(1));
        let delay = retry_after_s.map_or(exponential, |s| s * 1000.0).clamp(MIN_MS, MAX_MS);
        self.not_before_ms = now_ms + delay;
    }

    /// Forgets past failures (after a success or a new login).
    pub fn reset(&mut self) {
        *self = Backoff::default();
    }

    /// The earliest time the next refresh may be attempted (0 when none failed).
    pub fn not_before_ms(&self) -> f64 {
        self.not_before_ms
    }

    /// Whether a refresh may be attempted at `now_ms`. A clock that jumped backwards by more than
    /// the longest delay cannot block refreshing forever.
    pub fn allows(&self, now_ms: f64) -> bool {
        now_ms >= self.not_before_ms || self.not_before_ms - now_ms > MAX_MS
    }

    /// While backing off, the error the failed refresh gave: a request whose 401 arrives during
    /// the backoff gets the same error as the requests that waited for the refresh.
    pub fn error_at(&self, now_ms: f64) -> Option<Error> {
        if self.allows(now_ms) {
            None
        } else {
            self.failure
        }
    }
}

/// Parses a `Retry-After` header in its delay-seconds form; the date form is ignored (it would
/// depend on the client clock).
pub fn parse_retry_after(value: &str) -> Option<f64> {
    // At most 9 digits: no delay near the saturation point is meant.
    (value.trim_ascii().len() <= 9).then(|| crate::text::decimal(value)).flatten().map(|s| s as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::RefreshFailure;

    const FAILED: Error = Error::RefreshFailed(RefreshFailure::Status(503));

    #[test]
    fn retry_after_zero_still_waits_for_the_storms_late_answers() {
        let mut b = Backoff::default();
        b.record_failure(0.0, Some(0.0), FAILED);
        assert!(!b.allows(249.0) && b.allows(250.0));
    }

    #[test]
    fn delays_grow_and_are_capped() {
        let mut b = Backoff::default();
        assert!(b.allows(0.0));
        b.record_failure(0.0, None, FAILED);
        assert!(!b.allows(999.0) && b.allows(1_000.0));
        b.record_failure(1_000.0, None, FAILED);
        assert!(!b.allows(2_999.0) && b.allows(3_000.0));
        for _ in 0..20 {
            b.record_failure(0.0, None, FAILED);
        }
        assert!(b.allows(60_000.0));
        b.reset();
        assert!(b.allows(0.0));
    }

    #[test]
    fn retry_after_is_respected_and_capped() {
        let mut b = Backoff::default();
        b.record_failure(0.0, Some(5.0), FAILED);
        assert!(!b.allows(4_999.0) && b.allows(5_000.0));
        b.record_failure(0.0, Some(86_400.0), FAILED);
        assert!(b.allows(60_000.0));
    }

    #[test]
    fn a_clock_jumping_backwards_does_not_block_forever() {
        let mut b = Backoff::default();
        b.record_failure(10_000_000.0, None, FAILED);
        assert!(b.allows(10_000_000.0 - 3_600_000.0));
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after(" 120 "), Some(120.0));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after(""), None);
        assert_eq!(parse_retry_after("99999999999"), None);
    }
}
