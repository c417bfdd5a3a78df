//! The single-flight refresh, driven natively with a fake transport and deterministic ordering.

mod support;

use std::cell::RefCell;
use std::rc::Rc;

use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;
use support::{access_of, core, grant, grant_rotating};
use tokenflight::grant::RefreshOutcome;
use tokenflight::refresh::coordinator::Renewal;
use tokenflight::session::{Event, Phase, RefreshTokenIn};
use tokenflight::{EndReason, Error, RefreshFailure};

type Results = Rc<RefCell<Vec<Result<Renewal, Error>>>>;

/// Spawns `n` concurrent `renew_after(seen)` calls and runs them until they all wait.
fn storm(pool: &mut LocalPool, core: &support::Core, n: usize, seen: Option<u64>) -> Results {
    let results: Results = Rc::default();
    for _ in 0..n {
        let core = Rc::clone(core);
        let results = Rc::clone(&results);
        pool.spawner()
            .spawn_local(async move {
                let r = core.renew_after(seen).await;
                results.borrow_mut().push(r);
            })
            .unwrap();
    }
    pool.run_until_stalled();
    results
}

#[test]
fn ten_thousand_concurrent_waiters_cause_exactly_one_refresh() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    core.start(grant("old", Some(300.0)));
    let results = storm(&mut pool, &core, 10_000, Some(1));
    assert_eq!(host.refresh_calls(), 1);
    assert_eq!(core.stats().queued, 10_000, "every caller waits for the one refresh");
    assert!(results.borrow().is_empty(), "nobody settles before the refresh answers");

    host.answer(RefreshOutcome::Granted(grant("new", Some(300.0))));
    pool.run_until_stalled();

    let results = results.borrow();
    assert_eq!(results.len(), 10_000);
    assert!(results.iter().all(|r| *r == Ok(Renewal::Renewed(2))));
    assert_eq!(host.refresh_calls(), 1);
    assert_eq!(access_of(&core).as_deref(), Some("new"));
    assert_eq!(host.count(|e| matches!(e, Event::Refresh { .. })), 1);
    assert_eq!(core.stats().queued, 0, "queue back to empty");
    assert_eq!(core.stats().max_queued, 10_000);
}

#[test]
fn leader_failure_is_seen_by_every_waiter_and_the_session_is_kept() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    core.start(grant("old", Some(300.0)));
    let results = storm(&mut pool, &core, 1_000, Some(1));
    host.answer(RefreshOutcome::Failed {
        error: Error::RefreshFailed(RefreshFailure::Status(503)),
        retry_after_s: None,
    });
    pool.run_until_stalled();
    let results = results.borrow();
    assert_eq!(results.len(), 1_000);
    assert!(results.iter().all(|r| *r == Err(Error::RefreshFailed(RefreshFailure::Status(503)))));
    assert_eq!(core.session().phase(), Phase::Active);
    assert_eq!(access_of(&core).as_deref(), Some("old"));
    assert_eq!(host.count(|e| matches!(e, Event::SessionEnd(_))), 0);
}

#[test]
fn rejection_ends_the_session_once_and_rejects_every_waiter() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    core.start(grant("old", Some(300.0)));
    let results = storm(&mut pool, &core, 1_000, Some(1));
    host.answer(RefreshOutcome::Rejected(EndReason::Expired));
    pool.run_until_stalled();
    assert!(results.borrow().iter().all(|r| *r == Err(Error::SessionExpired(EndReason::Expired))));
    assert_eq!(results.borrow().len(), 1_000);
    assert_eq!(host.count(|e| *e == Event::SessionEnd(EndReason::Expired)), 1);
    assert_eq!(access_of(&core), None);
    // A later 401 does not start refreshing again: the session is over. A request that carried
    // the ended session's token meets the same error; one sent without a token gets its 401.
    let late = storm(&mut pool, &core, 10, Some(1));
    assert!(late.borrow().iter().all(|r| *r == Err(Error::SessionExpired(EndReason::Expired))));
    let tokenless = storm(&mut pool, &core, 10, None);
    assert!(tokenless.borrow().iter().all(|r| *r == Ok(Renewal::Unavailable)));
    assert_eq!(host.refresh_calls(), 1);
    assert_eq!(host.count(|e| matches!(e, Event::SessionEnd(_))), 1);
}

#[test]
fn a_late_caller_after_completion_starts_a_new_refresh() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    core.start(grant("t1", Some(300.0)));
    storm(&mut pool, &core, 5, Some(1));
    host.answer(RefreshOutcome::Granted(grant("t2", Some(300.0))));
    pool.run_until_stalled();
    // A 401 for the token of generation 2 must not reuse the old result.
    let results = storm(&mut pool, &core, 5, Some(2));
    assert_eq!(host.refresh_calls(), 2);
    host.answer(RefreshOutcome::Granted(grant("t3", Some(300.0))));
    pool.run_until_stalled();
    assert!(results.borrow().iter().all(|r| *r == Ok(Renewal::Renewed(3))));
}

#[test]
fn a_stale_generation_401_replays_without_refreshing() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    core.start(grant("t1", Some(300.0)));
    storm(&mut pool, &core, 1, Some(1));
    host.answer(RefreshOutcome::Granted(grant("t2", Some(300.0))));
    pool.run_until_stalled();
    // A response to a request sent with generation 1 arrives after the refresh.
    let stale = storm(&mut pool, &core, 100, Some(1));
    assert!(stale.borrow().iter().all(|r| *r == Ok(Renewal::Renewed(2))));
    assert_eq!(host.refresh_calls(), 1);
}

#[test]
fn logout_during_a_refresh_rejects_waiters_and_discards_the_late_result() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    core.start(grant("t1", Some(300.0)));
    let results = storm(&mut pool, &core, 100, Some(1));
    core.end(EndReason::Logout);
    pool.run_until_stalled();
    assert_eq!(results.borrow().len(), 100, "every waiter is released at once");
    assert!(results.borrow().iter().all(|r| *r == Err(Error::LoggedOut)));
    host.answer(RefreshOutcome::Granted(grant("late", Some(300.0))));
    pool.run_until_stalled();
    assert_eq!(access_of(&core), None, "a late refresh never resurrects the session");
    assert_eq!(host.count(|e| *e == Event::SessionEnd(EndReason::Logout)), 1);
}

#[test]
fn login_during_an_old_refresh_is_never_overwritten_by_it() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    core.start(grant("old", Some(300.0)));
    let results = storm(&mut pool, &core, 10, Some(1));
    core.end(EndReason::Logout);
    core.start(grant("new-login", Some(300.0)));
    host.answer(RefreshOutcome::Granted(grant("old-refresh", Some(300.0))));
    pool.run_until_stalled();
    assert_eq!(access_of(&core).as_deref(), Some("new-login"));
    // Callers waiting for the old refresh were released by the logout, before the new login.
    assert_eq!(results.borrow().len(), 10);
    assert!(results.borrow().iter().all(|r| *r == Err(Error::LoggedOut)));
    assert_eq!(
        host.count(|e| matches!(e, Event::Refresh { .. })),
        0,
        "the old result was discarded"
    );
}

#[test]
fn a_caller_that_gives_up_never_abandons_the_refresh_it_started() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    core.start(grant("t1", Some(300.0)));
    let starter = {
        let core = Rc::clone(&core);
        pool.spawner()
            .spawn_local_with_handle(async move { core.renew_after(Some(1)).await })
            .unwrap()
    };
    pool.run_until_stalled();
    let waiters = storm(&mut pool, &core, 3, Some(1));
    drop(starter); // the request that started the refresh is aborted
    pool.run_until_stalled();
    assert_eq!(host.refresh_calls(), 1);
    host.answer(RefreshOutcome::Granted(grant("t2", Some(300.0))));
    pool.run_until_stalled();
    assert!(waiters.borrow().iter().all(|r| *r == Ok(Renewal::Renewed(2))));
    assert_eq!(waiters.borrow().len(), 3);
    assert_eq!(access_of(&core).as_deref(), Some("t2"), "the rotated token landed");
}

#[test]
fn an_abandoned_refresh_task_releases_waiters_with_an_error() {
    let (core, host, pool) = core(RefreshTokenIn::Cookie);
    core.start(grant("t1", Some(300.0)));
    let results: Results = Rc::default();
    let mut other = LocalPool::new(); // the waiters run here; the refresh task in `pool`
    for _ in 0..3 {
        let (core, results) = (Rc::clone(&core), Rc::clone(&results));
        other
            .spawner()
            .spawn_local(async move {
                let r = core.renew_after(Some(1)).await;
                results.borrow_mut().push(r);
            })
            .unwrap();
    }
    other.run_until_stalled();
    assert_eq!(host.refresh_calls(), 0, "the refresh task has not run yet");
    drop(pool); // the executor holding the refresh task goes away
    other.run_until_stalled();
    assert_eq!(results.borrow().len(), 3);
    assert!(results
        .borrow()
        .iter()
        .all(|r| *r == Err(Error::RefreshFailed(RefreshFailure::Abandoned))));
}

#[test]
fn an_aborted_waiter_leaves_the_queue_and_the_others_proceed() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    core.start(grant("t1", Some(300.0)));
    let results = storm(&mut pool, &core, 3, Some(1));
    let aborted = {
        let core = Rc::clone(&core);
        pool.spawner()
            .spawn_local_with_handle(async move { core.renew_after(Some(1)).await })
            .unwrap()
    };
    pool.run_until_stalled();
    assert_eq!(core.stats().queued, 4);
    drop(aborted); // the task is cancelled the next time the pool runs
    pool.run_until_stalled();
    assert_eq!(core.stats().queued, 3);
    host.answer(RefreshOutcome::Granted(grant("t2", Some(300.0))));
    pool.run_until_stalled();
    assert_eq!(results.borrow().len(), 3);
    assert!(results.borrow().iter().all(|r| *r == Ok(Renewal::Renewed(2))));
}

#[test]
fn during_backoff_late_callers_get_the_same_error_without_a_call() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    core.start(grant("t1", Some(300.0)));
    storm(&mut pool, &core, 1, Some(1));
    host.answer(RefreshOutcome::Failed {
        error: Error::RefreshFailed(RefreshFailure::Network),
        retry_after_s: Some(5.0),
    });
    pool.run_until_stalled();
    let early = storm(&mut pool, &core, 10, Some(1));
    assert!(early
        .borrow()
        .iter()
        .all(|r| *r == Err(Error::RefreshFailed(RefreshFailure::Network))));
    assert_eq!(host.refresh_calls(), 1, "Retry-After respected: no call");
    host.clock_ms.set(host.clock_ms.get() + 5_000.0);
    storm(&mut pool, &core, 10, Some(1));
    assert_eq!(host.refresh_calls(), 2);
}

#[test]
fn body_mode_sends_the_refresh_token_and_keeps_the_rotated_one() {
    let (core, host, mut pool) = core(RefreshTokenIn::Body);
    assert!(storm(&mut pool, &core, 1, None)
        .borrow()
        .iter()
        .all(|r| *r == Ok(Renewal::Unavailable)));
    core.start(grant_rotating("a1", "r1"));
    storm(&mut pool, &core, 3, Some(1));
    host.answer(RefreshOutcome::Granted(grant_rotating("a2", "r2")));
    pool.run_until_stalled();
    storm(&mut pool, &core, 3, Some(2));
    host.answer(RefreshOutcome::Granted(grant("a3", Some(300.0))));
    pool.run_until_stalled();
    storm(&mut pool, &core, 1, Some(3));
    let calls = host.calls.borrow().clone();
    assert_eq!(calls, vec![Some("r1".into()), Some("r2".into()), Some("r2".into())]);
}

#[test]
fn cookie_mode_restore_refreshes_once_for_every_concurrent_caller() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    let results: Results = Rc::default();
    for _ in 0..1_000 {
        let (core, results) = (Rc::clone(&core), Rc::clone(&results));
        pool.spawner()
            .spawn_local(async move {
                let r = core.valid_token(0.0).await;
                results.borrow_mut().push(r);
            })
            .unwrap();
    }
    pool.run_until_stalled();
    assert_eq!(host.refresh_calls(), 1);
    host.answer(RefreshOutcome::Granted(grant("restored", Some(300.0))));
    pool.run_until_stalled();
    assert_eq!(results.borrow().len(), 1_000);
    assert!(results.borrow().iter().all(|r| *r == Ok(Renewal::Renewed(1))));
}

#[test]
fn valid_token_renews_only_when_closer_to_expiry_than_asked() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    core.start(grant("t1", Some(60.0)));
    host.clock_ms.set(host.clock_ms.get() + 40_000.0); // 20 s left
    let ok = pool.run_until(core.valid_token(10.0));
    assert_eq!(ok, Ok(Renewal::Renewed(1)));
    assert_eq!(host.refresh_calls(), 0);
    let results: Results = Rc::default();
    {
        let (core, results) = (Rc::clone(&core), Rc::clone(&results));
        pool.spawner()
            .spawn_local(async move {
                let r = core.valid_token(30.0).await;
                results.borrow_mut().push(r);
            })
            .unwrap();
    }
    pool.run_until_stalled();
    assert_eq!(host.refresh_calls(), 1);
    host.answer(RefreshOutcome::Granted(grant("t2", Some(60.0))));
    pool.run_until_stalled();
    assert_eq!(results.borrow()[0], Ok(Renewal::Renewed(2)));
}

#[test]
fn an_opaque_token_without_expiry_is_renewed_only_reactively() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    core.start(grant("opaque-token", None));
    host.clock_ms.set(host.clock_ms.get() + 86_400_000.0);
    assert_eq!(pool.run_until(core.valid_token(3_600.0)), Ok(Renewal::Renewed(1)));
    assert_eq!(host.refresh_calls(), 0);
}
