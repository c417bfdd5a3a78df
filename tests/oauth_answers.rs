//! Standard OAuth 2.0 / OIDC token endpoints (issue 10): the `error` member decides before the
//! status (RFC 6749 §5.2), token responses as §5.1 defines them, and what the session does with
//! a configuration error or a changed scope. Driven natively with the fake transport.

mod support;

use std::cell::RefCell;
use std::rc::Rc;

use futures::task::LocalSpawnExt;
use support::{access_of, core, grant};
use tokenflight::grant::{FieldNames, Grant, RefreshOutcome};
use tokenflight::refresh::answer::{classify, server_description, RefreshAnswer, MAX_DESCRIPTION};
use tokenflight::refresh::coordinator::Renewal;
use tokenflight::session::{Event, Phase, RefreshTokenIn};
use tokenflight::token::Secret;
use tokenflight::{EndReason, Error, RefreshFailure};

fn json(status: u16, body: &str) -> RefreshOutcome {
    classify(
        RefreshAnswer {
            status,
            content_type: Some("application/json".into()),
            retry_after_s: None,
            redirected: false,
            body: Some(body.into()),
        },
        &FieldNames::default(),
    )
}

fn misconfigured(outcome: RefreshOutcome) -> &'static str {
    match outcome {
        RefreshOutcome::Failed {
            error: Error::RefreshMisconfigured(error),
            retry_after_s: None,
        } => error,
        other => panic!("expected RefreshMisconfigured, got {other:?}"),
    }
}

#[test]
fn configuration_errors_are_named_whatever_the_status() {
    // oidc-provider answers an unknown client_id with 401: a configuration error, not an end.
    let body = r#"{"error":"invalid_client","error_description":"client authentication failed"}"#;
    assert_eq!(misconfigured(json(401, body)), "invalid_client");
    assert_eq!(server_description(Some(body)), "client authentication failed");
    for code in
        ["unauthorized_client", "unsupported_grant_type", "invalid_request", "invalid_scope"]
    {
        for status in [400, 401, 403] {
            let body = format!(r#"{{"error":"{code}"}}"#);
            assert_eq!(misconfigured(json(status, &body)), code, "{status} {code}");
            assert_eq!(server_description(Some(&body)), "");
        }
    }
}

#[test]
fn invalid_grant_ends_the_session_whatever_the_status() {
    let rejected = |o| match o {
        RefreshOutcome::Rejected(reason) => reason,
        other => panic!("expected a rejection, got {other:?}"),
    };
    // Auth0 answers an unknown refresh token with 403 invalid_grant.
    for status in [400, 401, 403] {
        let body = r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#;
        assert_eq!(rejected(json(status, body)), EndReason::Expired, "{status}");
    }
    let revoked = r#"{"error":"invalid_grant","error_description":"Token has been revoked."}"#;
    assert_eq!(rejected(json(400, revoked)), EndReason::Revoked);
    // Answers without an OAuth error member keep their status-based meaning.
    assert_eq!(rejected(json(401, r#"{"code":"token_not_valid"}"#)), EndReason::Expired);
    match json(400, r#"{"error":"server_error"}"#) {
        RefreshOutcome::Failed { error, .. } => {
            assert_eq!(error, Error::RefreshFailed(RefreshFailure::Status(400)))
        }
        other => panic!("{other:?}"),
    }
    match json(403, r#"{"detail":"CSRF Failed"}"#) {
        RefreshOutcome::Failed { error, .. } => {
            assert_eq!(error, Error::RefreshFailed(RefreshFailure::Forbidden))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_misconfiguration_message_names_the_server_error() {
    let error = misconfigured(json(400, r#"{"error":"invalid_scope"}"#));
    let message = Error::RefreshMisconfigured(error).message();
    assert!(message.contains("invalid_scope"), "{message}");
    assert!(message.contains("refreshParams"), "{message}");
}

#[test]
fn the_server_description_is_printable_capped_and_never_carries_a_token() {
    // `text` as JSON writes it (escapes included).
    let described = |text: &str| {
        let body = format!(r#"{{"error":"invalid_client","error_description":"{text}"}}"#);
        server_description(Some(&body))
    };
    assert_eq!(described(r"client spa\nis unknown"), "client spa?is unknown");
    assert_eq!(described(r#"a\u007fé\""#), "a???\"");
    // A description that echoes a token is left out whole, even when the token would be cut.
    let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.sig-sig-sig-sig-sig";
    assert_eq!(described(&format!("client spa unknown for {token}")), "");
    assert_eq!(described(&format!("{}{token}", "a ".repeat(MAX_DESCRIPTION / 2 - 3))), "");
    let long = "word ".repeat(100);
    assert_eq!(described(&long), long[..MAX_DESCRIPTION]);
    // 23 token characters are a long word, not a token.
    assert_eq!(described(&"a".repeat(23)), "a".repeat(23));
    assert_eq!(server_description(Some(r#"{"error":"invalid_client"}"#)), "");
    assert_eq!(server_description(Some("<html>")), "");
}

fn granted(body: &str) -> Grant {
    match json(200, body) {
        RefreshOutcome::Granted(g) => g,
        other => panic!("{body}: {other:?}"),
    }
}

#[test]
fn token_responses_follow_rfc_6749_section_5_1() {
    for kind in ["Bearer", "bearer", "BEARER"] {
        let g = granted(&format!(r#"{{"access_token":"opaque-1","token_type":"{kind}"}}"#));
        assert_eq!(g.access.expose(), "opaque-1");
        assert_eq!(g.expires_in_s, None, "expires_in is optional");
        assert!(g.refresh.is_none(), "refresh_token is optional");
    }
    let g = granted(
        r#"{"access_token":"a","token_type":"Bearer","expires_in":3,"refresh_token":"r","id_token":"i","scope":"openid offline_access"}"#,
    );
    assert_eq!(g.expires_in_s, Some(3.0));
    assert_eq!(g.id_token.map(|t| t.expose().to_owned()).as_deref(), Some("i"));
    assert_eq!(g.scope.as_deref(), Some("openid offline_access"));
    match json(200, r#"{"access_token":"a","token_type":"DPoP"}"#) {
        RefreshOutcome::Failed { error: Error::InvalidRefreshResponse(why), .. } => {
            assert!(why.contains("DPoP"), "{why}")
        }
        other => panic!("{other:?}"),
    }
}

type Results = Rc<RefCell<Vec<Result<Renewal, Error>>>>;

#[test]
fn a_misconfiguration_reaches_every_waiter_once_and_keeps_the_session() {
    let (core, host, mut pool) = core(RefreshTokenIn::Cookie);
    core.start(grant("t1", Some(300.0)));
    let results: Results = Rc::default();
    for _ in 0..50 {
        let (core, results) = (Rc::clone(&core), Rc::clone(&results));
        pool.spawner()
            .spawn_local(async move {
                let r = core.renew_after(Some(1)).await;
                results.borrow_mut().push(r);
            })
            .unwrap();
    }
    pool.run_until_stalled();
    let answer = json(
        401,
        r#"{"error":"invalid_client","error_description":"client authentication failed"}"#,
    );
    host.answer(answer);
    pool.run_until_stalled();
    let results = results.borrow();
    assert_eq!(results.len(), 50);
    assert!(results.iter().all(|r| matches!(r, Err(e) if e.name() == "RefreshMisconfigured")));
    assert_eq!(host.refresh_calls(), 1);
    assert_eq!(core.session().phase(), Phase::Active, "session kept");
    assert_eq!(access_of(&core).as_deref(), Some("t1"));
    assert_eq!(host.count(|e| matches!(e, Event::SessionEnd(_))), 0);

    // A 401 right after meets the same error without another call (no loop).
    let late: Results = Rc::default();
    let (c, l) = (Rc::clone(&core), Rc::clone(&late));
    pool.spawner()
        .spawn_local(async move {
            let r = c.renew_after(Some(1)).await;
            l.borrow_mut().push(r);
        })
        .unwrap();
    pool.run_until_stalled();
    assert_eq!(host.refresh_calls(), 1);
    assert!(matches!(late.borrow()[..], [Err(e)] if e.name() == "RefreshMisconfigured"));
}

#[test]
fn the_refresh_event_reports_a_changed_scope_only() {
    let (core, host, mut pool) = core(RefreshTokenIn::Body);
    let with = |access: &str, refresh: Option<&str>, scope: Option<&str>| Grant {
        access: Secret::new(access.into()),
        refresh: refresh.map(|r| Secret::new(r.into())),
        id_token: None,
        expires_in_s: Some(300.0),
        scope: scope.map(str::to_owned),
    };
    core.start(with("a1", Some("r1"), Some("openid offline_access")));
    let mut refresh = |answer: Grant| {
        let c = Rc::clone(&core);
        let seen = core.session().token_generation().unwrap();
        pool.spawner()
            .spawn_local(async move {
                c.renew_after(Some(seen)).await.unwrap();
            })
            .unwrap();
        pool.run_until_stalled();
        host.answer(RefreshOutcome::Granted(answer));
        pool.run_until_stalled();
    };
    refresh(with("a2", None, Some("openid offline_access")));
    refresh(with("a3", None, None));
    refresh(with("a4", None, Some("openid")));
    let changes: Vec<bool> = host
        .events
        .borrow()
        .iter()
        .filter_map(|e| match e {
            Event::Refresh { scope_changed, .. } => Some(*scope_changed),
            _ => None,
        })
        .collect();
    assert_eq!(changes, [false, false, true]);
    assert_eq!(core.session().scope(), Some("openid"));
    // The server did not rotate: the first refresh token is still the one presented.
    let calls = host.calls.borrow().clone();
    assert_eq!(calls, vec![Some("r1".to_owned()); 3]);
}
