//! Stops runaway refreshing: at most `max` refreshes are made within any `window`; asking for
//! one more trips the breaker, which refuses refreshes (`TooManyRefreshes`) until one window has
//! passed since it tripped. Pure: the clock is passed in.

use crate::prelude::*;

/// Refresh rate limiter.
#[derive(Clone, Debug, PartialEq)]
pub struct LoopBreaker {
    max: u32,
    window_ms: f64,
    recent: Vec<f64>,
    tripped_at: Option<f64>,
}

impl LoopBreaker {
    /// At most `max` refreshes in any `window_s` seconds.
    pub fn new(max: u32, window_s: f64) -> Self {
        LoopBreaker { max, window_ms: window_s * 1000.0, recent: Vec::new(), tripped_at: None }
    }

    /// Whether a refresh may start at `now_ms`; asking for one too many trips the breaker.
    pub fn allows(&mut self, now_ms: f64) -> bool {
        self.forget_outside(now_ms);
        match self.tripped_at {
            // A clock that jumped backwards must not keep it tripped forever.
            Some(at) if now_ms - at < self.window_ms && now_ms >= at => return false,
            Some(_) => {
                self.tripped_at = None;
                self.recent.clear();
            }
            None => {}
        }
        if self.recent.len() >= self.max as usize {
            self.tripped_at = Some(now_ms);
            return false;
        }
        true
    }

    /// Records a refresh starting at `now_ms`.
    pub fn record(&mut self, now_ms: f64) {
        self.forget_outside(now_ms);
        self.recent.push(now_ms);
    }

    /// Whether it is tripped now (for `stats()`).
    pub fn is_tripped(&self) -> bool {
        self.tripped_at.is_some()
    }

    fn forget_outside(&mut self, now_ms: f64) {
        let window = self.window_ms;
        // The order of `recent` does not matter: `swap_remove` is less code than `retain`. One
        // pass: an index is looked at again only after a later entry was swapped into it.
        let mut i = 0;
        while let Some(&t) = self.recent.get(i) {
            if now_ms - t < window && t <= now_ms {
                i += 1;
            } else {
                self.recent.swap_remove(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trips_after_max_in_window_and_recovers_after_a_quiet_window() {
        let mut b = LoopBreaker::new(10, 30.0);
        for i in 0..10 {
            assert!(b.allows(f64::from(i) * 1000.0));
            b.record(f64::from(i) * 1000.0);
        }
        assert!(!b.allows(10_000.0), "an 11th within 30 s is refused");
        assert!(b.is_tripped());
        assert!(!b.allows(11_000.0));
        assert!(!b.allows(39_999.0));
        assert!(b.allows(40_000.0), "recovers after a quiet window");
        assert!(!b.is_tripped());
    }

    #[test]
    fn a_steady_rate_below_the_limit_never_trips() {
        let mut b = LoopBreaker::new(10, 30.0);
        for i in 0..1000 {
            let now = f64::from(i) * 3_001.0;
            assert!(b.allows(now), "refresh {i}");
            b.record(now);
        }
    }

    #[test]
    fn clock_jumps_do_not_wedge_it() {
        let mut b = LoopBreaker::new(2, 30.0);
        for t in [0.0, 1.0] {
            b.record(t);
        }
        assert!(!b.allows(3.0));
        assert!(b.allows(-86_400_000.0), "a clock set back a day is not held by the breaker");
        assert!(b.allows(86_400_000.0));
    }
}
