//! The session lifecycle, natively with a fake clock: proactive renewal, margin adaptation,
//! jitter, clock skew and jumps, late timers, the loop breaker.

mod support;

use std::cell::RefCell;
use std::rc::Rc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;
use support::{core, core_with, grant, Core, Fake};
use tokenflight::grant::RefreshOutcome;
use tokenflight::refresh::coordinator::{Config, Renewal};
use tokenflight::session::RefreshTokenIn;
use tokenflight::Error;

const HOUR_MS: f64 = 3_600_000.0;
const DAY_MS: f64 = 24.0 * HOUR_MS;

fn advance(host: &Fake, ms: f64) {
    host.clock_ms.set(host.clock_ms.get() + ms);
}

fn last_schedule(host: &Fake) -> Option<f64> {
    host.schedules.borrow().last().copied()?
}

/// Runs `n` concurrent proactive checks (timer, visibilitychange, focus, online, pageshow...).
type Checks = Rc<RefCell<Vec<Option<Result<Renewal, Error>>>>>;

fn checks(pool: &mut LocalPool, core: &Core, n: usize) -> Checks {
    let results = Rc::new(RefCell::new(Vec::new()));
    for _ in 0..n {
        let (core, results) = (Rc::clone(core), Rc::clone(&results));
        pool.spawner()
            .spawn_local(async move {
                let r = core.renew_if_due().await;
                results.borrow_mut().push(r);
            })
            .unwrap();
    }
    pool.run_until_stalled();
    results
}

fn jwt(payload: &str) -> String {
    format!(
        "{}.{}.sig",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#),
        URL_SAFE_NO_PAD.encode(payload)
    )
}

#[test]
fn renews_margin_before_expiry_once() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    let start = host.clock_ms.get();
    core.start(grant("t1", Some(300.0)));
    assert_eq!(last_schedule(&host), Some(start + 270_000.0), "30 s before expiry (no jitter)");
    advance(&host, 269_000.0);
    assert!(checks(&mut pool, &core, 3).borrow().iter().all(Option::is_none), "not due yet");
    advance(&host, 1_000.0);
    checks(&mut pool, &core, 5);
    assert_eq!(host.refresh_calls(), 1, "five simultaneous checks, one refresh");
    host.answer(RefreshOutcome::Granted(grant("t2", Some(300.0))));
    pool.run_until_stalled();
    assert_eq!(
        last_schedule(&host),
        Some(host.clock_ms.get() + 270_000.0),
        "rescheduled for the new token"
    );
    assert!(checks(&mut pool, &core, 1).borrow()[0].is_none());
}

#[test]
fn a_margin_longer_than_the_token_adapts_instead_of_looping() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    let start = host.clock_ms.get();
    core.start(grant("short", Some(5.0)));
    let at = last_schedule(&host).unwrap();
    assert!((at - (start + 10_000.0 / 3.0)).abs() < 1e-6, "two thirds into a 5 s life");
    advance(&host, 1_000.0);
    assert!(checks(&mut pool, &core, 1).borrow()[0].is_none(), "no immediate refresh");
    assert_eq!(host.refresh_calls(), 0);
    // Over a minute of 5 s tokens: one refresh per lifetime, never a loop.
    for _ in 0..12 {
        advance(&host, 3_400.0);
        checks(&mut pool, &core, 2);
        host.answer(RefreshOutcome::Granted(grant("short", Some(5.0))));
        pool.run_until_stalled();
        advance(&host, 1_600.0);
        assert!(checks(&mut pool, &core, 2).borrow().iter().all(Option::is_none));
    }
    assert_eq!(host.refresh_calls(), 12);
}

#[test]
fn jitter_moves_the_renewal_earlier_within_bounds() {
    let (core, host, _pool) = core(RefreshTokenIn::Cookie);
    host.random.set(0.5);
    let start = host.clock_ms.get();
    core.start(grant("t", Some(300.0)));
    assert_eq!(last_schedule(&host), Some(start + 267_500.0), "2.5 s of a 5 s jitter range");
    host.random.set(0.999);
    core.start(grant("t", Some(20.0)));
    let at = last_schedule(&host).unwrap() - start;
    assert!(at > 20_000.0 * 2.0 / 3.0 - 2_000.0 && at < 20_000.0 * 2.0 / 3.0, "{at}");
}

#[test]
fn clock_skew_of_an_hour_or_a_day_changes_nothing() {
    for skew in [-DAY_MS, -HOUR_MS, HOUR_MS, DAY_MS] {
        let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
        advance(&host, skew); // the client clock is off; the server's times are not
        let server_now_s = 1_700_000_000.0;
        // A JWT without expires_in: exp - iat (server clock) gives the life, skew-free.
        let token = jwt(&format!(r#"{{"iat":{server_now_s},"exp":{}}}"#, server_now_s + 300.0));
        core.start(grant(&token, None));
        let start = host.clock_ms.get();
        assert_eq!(last_schedule(&host), Some(start + 270_000.0), "skew {skew}");
        assert!(
            checks(&mut pool, &core, 3).borrow().iter().all(Option::is_none),
            "no refresh storm"
        );
        advance(&host, 270_000.0);
        checks(&mut pool, &core, 3);
        assert_eq!(host.refresh_calls(), 1);
        host.answer(RefreshOutcome::Granted(grant("next", Some(300.0))));
        pool.run_until_stalled();
        assert!(core.session().access().is_some(), "no logout caused by the clock");
    }
}

#[test]
fn an_exp_claim_far_from_our_clock_is_ignored_not_acted_on() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    advance(&host, DAY_MS); // our clock is a day ahead
    let exp = 1_700_000_000.0 + 300.0; // only exp, in server time: "expired a day ago" for us
    core.start(grant(&jwt(&format!(r#"{{"exp":{exp}}}"#)), None));
    assert_eq!(last_schedule(&host), None, "unknown lifetime: renewed only on 401");
    assert!(checks(&mut pool, &core, 5).borrow().iter().all(Option::is_none));
    assert_eq!(host.refresh_calls(), 0);
}

#[test]
fn sleep_and_clock_jumps_cause_at_most_one_refresh() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    core.start(grant("t1", Some(300.0)));
    // Laptop sleep: every timer and page event fires late, at once.
    advance(&host, 8.0 * HOUR_MS);
    checks(&mut pool, &core, 20);
    assert_eq!(host.refresh_calls(), 1);
    host.answer(RefreshOutcome::Granted(grant("t2", Some(300.0))));
    pool.run_until_stalled();
    // The clock is set back by a day: the token merely looks young; nothing happens.
    advance(&host, -DAY_MS);
    assert!(checks(&mut pool, &core, 5).borrow().iter().all(Option::is_none));
    assert_eq!(host.refresh_calls(), 1);
    assert!(core.session().access().is_some());
}

#[test]
fn a_proactive_renewal_and_a_401_at_the_same_moment_make_one_refresh() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    core.start(grant("t1", Some(300.0)));
    advance(&host, 280_000.0);
    let proactive = checks(&mut pool, &core, 1);
    let reactive = Rc::new(RefCell::new(None));
    {
        let (core, reactive) = (Rc::clone(&core), Rc::clone(&reactive));
        pool.spawner()
            .spawn_local(async move {
                let r = core.renew_after(Some(1)).await;
                *reactive.borrow_mut() = Some(r);
            })
            .unwrap();
    }
    pool.run_until_stalled();
    assert_eq!(host.refresh_calls(), 1);
    host.answer(RefreshOutcome::Granted(grant("t2", Some(300.0))));
    pool.run_until_stalled();
    assert_eq!(proactive.borrow()[0], Some(Ok(Renewal::Renewed(2))));
    assert_eq!(*reactive.borrow(), Some(Ok(Renewal::Renewed(2))));
}

#[test]
fn the_loop_breaker_stops_runaway_refreshing_and_recovers() {
    let (core, host, mut pool) = core_with(Config {
        max_refreshes: 3,
        window_s: 30.0,
        ..Config::new(RefreshTokenIn::Cookie)
    });
    core.start(grant("t0", Some(300.0)));
    // A server that accepts nothing it issues: every request gets 401, every refresh "works".
    for generation in 1..=4 {
        let r = Rc::new(RefCell::new(None));
        let (c, rr) = (Rc::clone(&core), Rc::clone(&r));
        pool.spawner()
            .spawn_local(async move {
                let x = c.renew_after(Some(generation)).await;
                *rr.borrow_mut() = Some(x);
            })
            .unwrap();
        pool.run_until_stalled();
        if host.refresh_calls() < generation as usize {
            assert_eq!(*r.borrow(), Some(Err(Error::TooManyRefreshes)), "refresh {generation}");
            break;
        }
        host.answer(RefreshOutcome::Granted(grant("useless", Some(300.0))));
        pool.run_until_stalled();
        advance(&host, 1_000.0);
    }
    assert_eq!(host.refresh_calls(), 3, "the fourth within 30 s is refused (limit 3)");
    let blocked = Rc::new(RefCell::new(None));
    {
        let (c, b) = (Rc::clone(&core), Rc::clone(&blocked));
        pool.spawner()
            .spawn_local(async move {
                let x = c.renew_after(Some(5)).await;
                *b.borrow_mut() = Some(x);
            })
            .unwrap();
    }
    pool.run_until_stalled();
    assert_eq!(*blocked.borrow(), Some(Err(Error::TooManyRefreshes)), "rejected at once");
    assert_eq!(host.refresh_calls(), 3, "no call while tripped");
    advance(&host, 30_000.0); // a quiet window
    let mut spawned = Vec::new();
    {
        let c = Rc::clone(&core);
        spawned.push(
            pool.spawner()
                .spawn_local_with_handle(async move { c.renew_after(Some(5)).await })
                .unwrap(),
        );
    }
    pool.run_until_stalled();
    assert_eq!(host.refresh_calls(), 4, "recovered");
}
