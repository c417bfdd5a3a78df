//! The renewal decision as a table: one row per situation a caller can meet, decided by the
//! session alone (the coordinator only executes it).

mod support;

use support::{grant, grant_rotating};
use tokenflight::grant::RefreshOutcome;
use tokenflight::session::{Decision, RefreshTokenIn, Session};
use tokenflight::{EndReason, Error, RefreshFailure};

const NOW: f64 = 1_700_000_000_000.0;
const FAILED: Error = Error::RefreshFailed(RefreshFailure::Status(503));

fn fresh(mode: RefreshTokenIn) -> Session {
    Session::new(mode, 10, 30.0)
}

/// Active in cookie mode with generation 1.
fn active() -> Session {
    let mut s = fresh(RefreshTokenIn::Cookie);
    s.start(grant("a", Some(300.0)), NOW, 0.0);
    s
}

fn ended(reason: EndReason) -> Session {
    let mut s = active();
    s.end(reason);
    s
}

fn backing_off() -> Session {
    let mut s = active();
    let epoch = s.epoch();
    let _ = s.apply(epoch, RefreshOutcome::Failed { error: FAILED, retry_after_s: None }, NOW, 0.0);
    s
}

fn breaker_tripped() -> Session {
    let mut s = active();
    for _ in 0..10 {
        s.count_refresh(NOW);
    }
    s
}

#[test]
fn the_decision_table() {
    type Build = fn() -> Session;
    let rows: [(&str, Build, Option<u64>, bool, Decision); 15] = [
        ("a newer token is held", active, Some(0), false, Decision::Use(1)),
        ("a caller without a token, token held", active, None, false, Decision::Use(1)),
        ("the token held was the one refused", active, Some(1), false, Decision::Refresh),
        ("a refresh is running: wait for it", active, Some(1), true, Decision::Refresh),
        (
            "fresh page, cookie mode: restore",
            || fresh(RefreshTokenIn::Cookie),
            None,
            false,
            Decision::Refresh,
        ),
        (
            "fresh page, body mode: nothing to refresh with",
            || fresh(RefreshTokenIn::Body),
            None,
            false,
            Decision::Unavailable,
        ),
        (
            "body mode without a refresh token",
            || {
                let mut s = fresh(RefreshTokenIn::Body);
                s.start(grant("a", Some(300.0)), NOW, 0.0);
                s
            },
            Some(1),
            false,
            Decision::Unavailable,
        ),
        (
            "body mode with a refresh token",
            || {
                let mut s = fresh(RefreshTokenIn::Body);
                s.start(grant_rotating("a", "r"), NOW, 0.0);
                s
            },
            Some(1),
            false,
            Decision::Refresh,
        ),
        (
            "ended by logout, the caller carried its token",
            || ended(EndReason::Logout),
            Some(1),
            false,
            Decision::Refuse(Error::LoggedOut),
        ),
        (
            "ended by revocation, the caller carried its token",
            || ended(EndReason::Revoked),
            Some(1),
            false,
            Decision::Refuse(Error::SessionExpired(EndReason::Revoked)),
        ),
        (
            "ended, the caller sent no token",
            || ended(EndReason::Expired),
            None,
            false,
            Decision::Unavailable,
        ),
        (
            "ended, then restore() allowed",
            || {
                let mut s = ended(EndReason::Expired);
                s.allow_restore();
                s
            },
            None,
            false,
            Decision::Refresh,
        ),
        ("backing off after a failure", backing_off, Some(1), false, Decision::Refuse(FAILED)),
        (
            "backing off, but a refresh is running: join it",
            backing_off,
            Some(1),
            true,
            Decision::Refresh,
        ),
        (
            "the loop breaker tripped",
            breaker_tripped,
            Some(1),
            false,
            Decision::Refuse(Error::TooManyRefreshes),
        ),
    ];
    for (name, build, seen, running, expected) in rows {
        let mut session = build();
        assert_eq!(session.decide(seen, running, NOW), expected, "{name}");
    }
}

#[test]
fn the_backoff_ends_and_refreshing_resumes() {
    let mut s = backing_off();
    assert_eq!(s.decide(Some(1), false, NOW + 999.0), Decision::Refuse(FAILED));
    assert_eq!(s.decide(Some(1), false, NOW + 1_000.0), Decision::Refresh);
}

#[test]
fn a_401_after_the_session_ended_meets_the_ends_error() {
    // A request that carried one of the session's tokens (a replay in flight when the user
    // logged out) and is answered 401 after the end rejects with the end's error...
    assert_eq!(ended(EndReason::Logout).refused_after_end(Some(1)), Some(Error::LoggedOut));
    assert_eq!(
        ended(EndReason::Expired).refused_after_end(Some(1)),
        Some(Error::SessionExpired(EndReason::Expired))
    );
    // ...while the session holds a token (the API refused the new token: the caller gets the
    // 401) or for a request sent without a token, nothing changes.
    assert_eq!(active().refused_after_end(Some(1)), None);
    assert_eq!(ended(EndReason::Logout).refused_after_end(None), None);
    assert_eq!(fresh(RefreshTokenIn::Cookie).refused_after_end(Some(1)), None);
}
