//! When to renew a token before it expires. Pure: times are passed in, nothing sleeps.

use crate::token::Lifetime;

/// The margin never exceeds this share of the token's life, so a short token (5 s) with a long
/// margin (30 s) is renewed at two thirds of its life instead of immediately, in a loop.
const MAX_MARGIN_SHARE: f64 = 1.0 / 3.0;
/// Jitter spreads renewals of many tabs and users over up to this share of the life...
const JITTER_SHARE: f64 = 0.1;
/// ...but never more than this many seconds.
const MAX_JITTER_S: f64 = 5.0;

/// The margin actually used for a token living `duration_s`.
pub fn effective_margin_s(margin_s: f64, duration_s: f64) -> f64 {
    margin_s.min(duration_s * MAX_MARGIN_SHARE)
}

/// Client-clock milliseconds at which to renew, or `None` when the lifetime is unknown (an
/// opaque token without `expires_in` is renewed only reactively). `jitter_unit` in `[0, 1)`
/// is drawn once per token, so every check agrees on the same time.
pub fn renewal_at_ms(lifetime: &Lifetime, margin_s: f64, jitter_unit: f64) -> Option<f64> {
    let duration = lifetime.duration_s?;
    let jitter = (duration * JITTER_SHARE).min(MAX_JITTER_S) * jitter_unit.clamp(0.0, 1.0);
    let lead = effective_margin_s(margin_s, duration) + jitter;
    Some(lifetime.received_at_ms + (duration - lead) * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(duration_s: f64) -> Lifetime {
        Lifetime { received_at_ms: 0.0, duration_s: Some(duration_s) }
    }

    #[test]
    fn renews_margin_before_expiry() {
        assert_eq!(renewal_at_ms(&token(300.0), 30.0, 0.0), Some(270_000.0));
    }

    #[test]
    fn margin_adapts_when_longer_than_the_life() {
        assert!((effective_margin_s(30.0, 5.0) - 5.0 / 3.0).abs() < 1e-12);
        let at = renewal_at_ms(&token(5.0), 30.0, 0.0).unwrap();
        assert!((at - 10_000.0 / 3.0).abs() < 1e-6, "renewed at two thirds of its life: {at}");
        assert!(at > 0.0, "never immediately");
    }

    #[test]
    fn jitter_is_bounded() {
        let early = renewal_at_ms(&token(300.0), 30.0, 0.999_999).unwrap();
        assert!((265_000.0..270_000.0).contains(&early), "at most 5 s earlier: {early}");
        let short = renewal_at_ms(&token(20.0), 30.0, 0.999_999).unwrap();
        let base = renewal_at_ms(&token(20.0), 30.0, 0.0).unwrap();
        assert!(base - short <= 2_000.0 && base - short > 1_999.0, "10 % of a 20 s life");
        assert_eq!(
            renewal_at_ms(&token(300.0), 30.0, 7.0),
            renewal_at_ms(&token(300.0), 30.0, 1.0)
        );
    }

    #[test]
    fn unknown_lifetime_means_no_proactive_renewal() {
        let opaque = Lifetime { received_at_ms: 0.0, duration_s: None };
        assert_eq!(renewal_at_ms(&opaque, 30.0, 0.5), None);
    }
}
