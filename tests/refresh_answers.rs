//! The refresh-endpoint faults of docs/reliability.md: what each answer of the refresh endpoint means, decided natively.

use tokenflight::grant::{parse_grant, FieldNames, RefreshOutcome};
use tokenflight::refresh::answer::{classify, RefreshAnswer};
use tokenflight::{EndReason, Error, RefreshFailure};

fn answer(status: u16, content_type: Option<&str>, body: Option<&str>) -> RefreshAnswer {
    RefreshAnswer {
        status,
        content_type: content_type.map(str::to_owned),
        retry_after_s: None,
        redirected: false,
        body: body.map(str::to_owned),
    }
}

fn json(status: u16, body: &str) -> RefreshOutcome {
    classify(
        answer(status, Some("application/json; charset=utf-8"), Some(body)),
        &FieldNames::default(),
    )
}

fn invalid(outcome: RefreshOutcome) -> &'static str {
    match outcome {
        RefreshOutcome::Failed { error: Error::InvalidRefreshResponse(why), .. } => why,
        other => panic!("expected InvalidRefreshResponse, got {other:?}"),
    }
}

#[test]
fn a_token_response_grants_the_first_usual_field() {
    for body in [
        r#"{"access_token":"a1","token_type":"bearer","expires_in":300}"#,
        r#"{"access":"a1","refresh":"r1"}"#,
        r#"{"accessToken":"a1"}"#,
    ] {
        match json(200, body) {
            RefreshOutcome::Granted(g) => assert_eq!(g.access.expose(), "a1", "{body}"),
            other => panic!("{body}: {other:?}"),
        }
    }
    let fields = FieldNames { access: Some("jwt".into()), refresh: Some("rt".into()) };
    let g = parse_grant(r#"{"jwt":"a2","rt":"r2","id_token":"i2"}"#.into(), &fields).unwrap();
    assert_eq!((g.access.expose(), g.refresh.unwrap().expose()), ("a2", "r2"));
    assert_eq!(g.id_token.unwrap().expose(), "i2");
}

#[test]
fn expires_in_falls_back_to_unknown_when_unusable() {
    let lifetime = |v: &str| match json(200, &format!(r#"{{"access_token":"a","expires_in":{v}}}"#))
    {
        RefreshOutcome::Granted(g) => g.expires_in_s,
        other => panic!("{v}: {other:?}"),
    };
    assert_eq!(lifetime("300"), Some(300.0));
    for bad in ["0", "-5", "\"300\"", "1e300", "null", "true"] {
        assert_eq!(lifetime(bad), None, "{bad}");
    }
}

#[test]
fn unusable_2xx_answers_are_invalid() {
    let html = classify(answer(200, Some("text/html"), Some("<html>")), &FieldNames::default());
    assert_eq!(invalid(html), "the content type is not JSON");
    let untyped = classify(answer(200, None, Some(r#"{"access":"a"}"#)), &FieldNames::default());
    assert_eq!(invalid(untyped), "the content type is not JSON");
    let too_big = classify(answer(200, Some("application/json"), None), &FieldNames::default());
    assert_eq!(invalid(too_big), "the body is too large");
    assert_eq!(invalid(json(200, "not json")), "the body is not valid JSON");
    assert_eq!(invalid(json(200, "[1]")), "the body is not a JSON object");
    assert_eq!(
        invalid(json(200, r#"{"access_token":"a","token_type":"mac"}"#)),
        "token_type is not Bearer (DPoP is not supported)"
    );
    for missing in [
        r#"{}"#,
        r#"{"access_token":""}"#,
        r#"{"access_token":5}"#,
        r#"{"access_token":"a b"}"#,
        r#"{"access_token":null}"#,
    ] {
        assert!(invalid(json(200, missing)).starts_with("no access token"), "{missing}");
    }
    let vendor = classify(
        answer(200, Some("application/vnd.api+json"), Some(r#"{"access":"a"}"#)),
        &FieldNames::default(),
    );
    assert!(matches!(vendor, RefreshOutcome::Granted(_)));
}

#[test]
fn redirects_are_invalid() {
    for status in [0, 301, 302, 307] {
        assert_eq!(invalid(json(status, "{}")), "the refresh endpoint redirected", "{status}");
    }
    let mut followed = answer(200, Some("application/json"), Some(r#"{"access":"a"}"#));
    followed.redirected = true;
    assert_eq!(
        invalid(classify(followed, &FieldNames::default())),
        "the refresh endpoint redirected"
    );
}

#[test]
fn rejections_end_the_session_with_a_reason() {
    let reason = |o: RefreshOutcome| match o {
        RefreshOutcome::Rejected(r) => r,
        other => panic!("expected a rejection, got {other:?}"),
    };
    assert_eq!(
        reason(json(401, r#"{"detail":"Token is invalid or expired","code":"token_not_valid"}"#)),
        EndReason::Expired
    );
    assert_eq!(reason(json(401, "")), EndReason::Expired);
    assert_eq!(reason(json(400, r#"{"error":"invalid_grant"}"#)), EndReason::Expired);
    for code in ["TOKEN_REVOKED", "token_blacklisted", "REFRESH_TOKEN_REUSED"] {
        assert_eq!(
            reason(json(401, &format!(r#"{{"code":"{code}"}}"#))),
            EndReason::Revoked,
            "{code}"
        );
    }
}

#[test]
fn transient_and_configuration_failures_keep_the_session() {
    let failed = |o: RefreshOutcome| match o {
        RefreshOutcome::Failed { error, retry_after_s } => (error, retry_after_s),
        other => panic!("expected a failure, got {other:?}"),
    };
    let mut unavailable = answer(503, Some("application/json"), None);
    unavailable.retry_after_s = Some(7.0);
    assert_eq!(
        failed(classify(unavailable, &FieldNames::default())),
        (Error::RefreshFailed(RefreshFailure::Status(503)), Some(7.0))
    );
    assert_eq!(failed(json(500, "{}")).0, Error::RefreshFailed(RefreshFailure::Status(500)));
    assert_eq!(failed(json(403, "{}")).0, Error::RefreshFailed(RefreshFailure::Forbidden));
    assert_eq!(
        failed(json(400, r#"{"refresh":["This field is required."]}"#)).0,
        Error::RefreshFailed(RefreshFailure::Status(400))
    );
    assert_eq!(failed(json(429, "{}")).0, Error::RefreshFailed(RefreshFailure::Status(429)));
}

/// Every refused answer below carries the same real token (in the token member, in the error
/// members, in broken JSON, in HTML): whatever error comes out must not contain any of it.
#[test]
fn error_messages_never_contain_a_token_fed_through_every_refusal_path() {
    let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2VjcmV0LXNpZ25hdHVyZQ";
    let bodies = [
        format!(r#"{{"access_token":"{token}","token_type":"mac"}}"#),
        format!(r#"{{"access_token":"{token}" "broken"#),
        format!(r#"{{"refresh_token":"{token}"}}"#),
        format!(r#"{{"access_token":"{token} with spaces"}}"#),
        format!(r#"["{token}"]"#),
        format!(r#"{{"code":"{token}","error":"{token}","detail":"{token}"}}"#),
        format!(r#"{{"error":"invalid_grant","error_description":"{token}"}}"#),
        format!("<html>{token}</html>"),
    ];
    let mut checked = 0;
    for body in &bodies {
        for (status, content_type) in [
            (200, "application/json"),
            (200, "text/html"),
            (302, "application/json"),
            (400, "application/json"),
            (401, "application/json"),
            (403, "application/json"),
            (503, "application/json"),
        ] {
            let outcome =
                classify(answer(status, Some(content_type), Some(body)), &FieldNames::default());
            let message = match outcome {
                RefreshOutcome::Failed { error, .. } => error.message(),
                RefreshOutcome::Rejected(reason) => Error::SessionExpired(reason).message(),
                RefreshOutcome::Granted(_) => panic!("{status} {body} granted"),
            };
            assert!(!message.contains("eyJ") && !message.contains("c2VjcmV0"), "{message}");
            checked += 1;
        }
        // The login path reads bodies with the same parser.
        if let Err(why) = parse_grant(body.clone(), &FieldNames::default()) {
            let message = Error::InvalidLoginResponse(why).message();
            assert!(!message.contains("eyJ") && !message.contains("c2VjcmV0"), "{message}");
            checked += 1;
        }
    }
    assert!(checked >= bodies.len() * 7 + 6, "every path was exercised: {checked}");
}

#[test]
fn error_names_are_stable() {
    let errors = [
        Error::SessionExpired(EndReason::Revoked),
        Error::RefreshFailed(RefreshFailure::Status(503)),
        Error::RefreshFailed(RefreshFailure::Timeout),
        Error::InvalidRefreshResponse("the body is not valid JSON"),
        Error::NonReplayableBody,
        Error::LoggedOut,
        Error::LoginFailed(Some(401)),
    ];
    let names: Vec<&str> = errors.iter().map(Error::name).collect();
    assert_eq!(
        names,
        [
            "SessionExpired",
            "RefreshFailed",
            "RefreshFailed",
            "InvalidRefreshResponse",
            "NonReplayableBody",
            "LoggedOut",
            "LoginFailed"
        ]
    );
    assert!(errors[1].message().contains("HTTP 503"));
    for e in &errors {
        assert!(e.message().len() > 20, "{e:?}");
    }
}
