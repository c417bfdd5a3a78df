//! The protected API and every access-token rejection, in order.

mod common;

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::{claims, request, Reply, Server};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;
use tokenflight_server::Config;

/// Asserts a 401 with `code`, the common body shape and the RFC 6750 challenge.
fn assert_rejected(reply: &Reply, code: &str) {
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{code}");
    let body = reply.json();
    assert_eq!(body["code"], code);
    assert!(body["detail"].as_str().is_some_and(|d| d.ends_with('.')), "a sentence");
    assert_eq!(body.as_object().map(|o| o.len()), Some(2), "exactly code and detail");
    let challenge = reply.header("www-authenticate").expect("a challenge");
    if code == "NOT_AUTHENTICATED" {
        assert_eq!(challenge, "Bearer realm=\"tokenflight\"");
    } else {
        assert_eq!(
            challenge,
            format!("Bearer error=\"invalid_token\", error_description=\"{code}\"")
        );
    }
}

#[tokio::test]
async fn protected_routes_answer_with_the_callers_identity() {
    let server = Server::new();
    let (access, _) = server.login("bob", "builder").await;

    let data = server.get("/api/data", Some(&access)).await;
    assert_eq!(data.status, StatusCode::OK);
    assert_eq!(data.json(), json!({"ok": true, "user": "bob", "method": "GET", "bytes": 0}));

    let post = request(Method::POST, "/api/data")
        .header(header::AUTHORIZATION, format!("Bearer {access}"))
        .body(Body::from("hello world"))
        .unwrap();
    let posted = server.send(post).await;
    assert_eq!(posted.json(), json!({"ok": true, "user": "bob", "method": "POST", "bytes": 11}));

    let me = server.get("/api/me", Some(&access)).await;
    assert_eq!(me.json(), json!({"sub": "bob", "name": "Bob Builder", "role": "user"}));

    let lower = server.get_with_authorization("/api/me", &format!("bearer {access}")).await;
    assert_eq!(lower.status, StatusCode::OK, "the scheme is case-insensitive");
}

#[tokio::test]
async fn admin_route_needs_the_admin_role() {
    let server = Server::new();
    let (bob, _) = server.login("bob", "builder").await;
    let reply = server.get("/api/admin/", Some(&bob)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.code(), "insufficient_scope");
    assert!(reply.json()["detail"].is_string());
    assert_eq!(
        reply.header("www-authenticate").as_deref(),
        Some("Bearer error=\"insufficient_scope\", scope=\"admin\"")
    );
    let (ada, _) = server.login("ada", "lovelace").await;
    assert_eq!(server.get("/api/admin/", Some(&ada)).await.status, StatusCode::OK);
    assert_rejected(&server.get("/api/admin/", None).await, "NOT_AUTHENTICATED");
}

#[tokio::test]
async fn missing_or_non_bearer_credentials_are_not_authenticated() {
    let server = Server::new();
    assert_rejected(&server.get("/api/data", None).await, "NOT_AUTHENTICATED");
    for value in ["Basic YWRhOmxvdmVsYWNl", "Bearer", "Bearer    ", "Token abc", "abc"] {
        assert_rejected(
            &server.get_with_authorization("/api/data", value).await,
            "NOT_AUTHENTICATED",
        );
    }
}

#[tokio::test]
async fn undecodable_tokens_are_malformed() {
    let server = Server::new();
    let (access, _) = server.login("ada", "lovelace").await;
    let (head, rest) = access.split_once('.').unwrap();
    let wrong_alg = encode(
        &Header::new(Algorithm::HS512),
        &claims(&access),
        &EncodingKey::from_secret(b"whatever"),
    )
    .unwrap();
    let cases = [
        "abc".to_owned(),
        "a.b".to_owned(),
        "a.b.c".to_owned(),
        "a.b.c.d".to_owned(),
        format!("{access}.extra"),
        format!("!!{head}.{rest}"),
        format!("eyJhbGciOiJub25lIn0.{rest}"), // {"alg":"none"}
        wrong_alg,
        "bm90IGpzb24.e30.c2ln".to_owned(), // header is "not json"
    ];
    for token in cases {
        assert_rejected(&server.get("/api/data", Some(&token)).await, "MALFORMED_TOKEN");
    }
}

#[tokio::test]
async fn the_signature_is_checked_before_the_claims() {
    // Claims that would be malformed, under a foreign key: the signature is what fails.
    let server = Server::new();
    let forged = encode(
        &Header::new(Algorithm::HS256),
        &json!({"sub": "ada", "exp": 1}),
        &EncodingKey::from_secret(b"not the key"),
    )
    .unwrap();
    assert_rejected(&server.get("/api/data", Some(&forged)).await, "INVALID_SIGNATURE");
}

#[tokio::test]
async fn bad_signatures_are_reported_as_such() {
    let server = Server::new();
    let (access, _) = server.login("ada", "lovelace").await;

    let (message, signature) = access.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let tampered = format!("{message}.{flipped}{}", &signature[1..]);
    assert_rejected(&server.get("/api/data", Some(&tampered)).await, "INVALID_SIGNATURE");

    let forged = encode(
        &Header::new(Algorithm::HS256),
        &claims(&access),
        &EncodingKey::from_secret(b"guessed key"),
    )
    .unwrap();
    assert_rejected(&server.get("/api/data", Some(&forged)).await, "INVALID_SIGNATURE");

    assert_eq!(server.get("/api/data", Some(&access)).await.status, StatusCode::OK);
    server.control("/__test/rotate-key", json!({})).await;
    assert_rejected(&server.get("/api/data", Some(&access)).await, "INVALID_SIGNATURE");
    let (fresh, _) = server.login("ada", "lovelace").await;
    assert_eq!(server.get("/api/data", Some(&fresh)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn expire_access_expires_everything_issued_so_far_and_nothing_later() {
    let server = Server::new();
    let (old, refresh) = server.login("ada", "lovelace").await;
    let (bob_old, _) = server.login("bob", "builder").await;
    server.post_json("/__test/expire-access", json!({})).await;
    assert_rejected(&server.get("/api/data", Some(&old)).await, "TOKEN_EXPIRED");
    assert_rejected(&server.get("/api/data", Some(&bob_old)).await, "TOKEN_EXPIRED");

    // Issued after the call, within the same second: valid.
    let renewed = server.refresh(&refresh).await;
    assert_eq!(server.get("/api/data", Some(&renewed.access())).await.status, StatusCode::OK);
    let (bob_new, _) = server.login("bob", "builder").await;
    assert_eq!(server.get("/api/data", Some(&bob_new)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_zero_ttl_token_is_expired_at_once() {
    let server = Server::with(Config { access_ttl: 0, ..common::quiet() });
    let (access, _) = server.login("ada", "lovelace").await;
    assert_rejected(&server.get("/api/me", Some(&access)).await, "TOKEN_EXPIRED");

    server.control("/__test/access-ttl", json!({"seconds": 300})).await;
    let (access, _) = server.login("ada", "lovelace").await;
    assert_eq!(server.login_reply("ada", "lovelace").await.json()["expires_in"], 300);
    let c = claims(&access);
    assert_eq!(c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap(), 300);
    assert_eq!(server.get("/api/me", Some(&access)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn expired_wins_over_revoked() {
    let server = Server::new();
    let (access, _) = server.login("ada", "lovelace").await;
    server.control("/__admin/revoke", json!({"username": "ada"})).await;
    server.post_json("/__test/expire-access", json!({})).await;
    assert_rejected(&server.get("/api/me", Some(&access)).await, "TOKEN_EXPIRED");
    assert_eq!(server.counter("revoked_token_requests").await, 0);
}

#[tokio::test]
async fn admin_revoke_revokes_access_and_refresh_tokens() {
    let server = Server::new();
    let (access, refresh) = server.login("ada", "lovelace").await;
    let (bob, _) = server.login("bob", "builder").await;
    server.control("/__admin/revoke", json!({"username": "ada"})).await;
    assert_rejected(&server.get("/api/me", Some(&access)).await, "TOKEN_REVOKED");
    assert_eq!(server.refresh(&refresh).await.code(), "TOKEN_REVOKED");
    assert_eq!(server.get("/api/me", Some(&bob)).await.status, StatusCode::OK, "bob unaffected");
    assert_eq!(server.counter("revoked_token_requests").await, 1);
}

#[tokio::test]
async fn a_password_change_revokes_everything_issued_before() {
    let server = Server::new();
    let (access, refresh) = server.login("bob", "builder").await;
    server.control("/__admin/password", json!({"username": "bob", "password": "digger"})).await;
    assert_rejected(&server.get("/api/me", Some(&access)).await, "TOKEN_REVOKED");
    assert_eq!(server.refresh(&refresh).await.code(), "TOKEN_REVOKED");
    assert_eq!(server.login_reply("bob", "builder").await.code(), "INVALID_CREDENTIALS");
    let (fresh, _) = server.login("bob", "digger").await;
    assert_eq!(claims(&fresh)["ver"], 1);
    assert_eq!(server.get("/api/me", Some(&fresh)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn deactivation_blocks_the_user_until_reactivated() {
    let server = Server::new();
    let (access, refresh) = server.login("bob", "builder").await;
    server.control("/__admin/deactivate", json!({"username": "bob"})).await;
    assert_rejected(&server.get("/api/me", Some(&access)).await, "TOKEN_REVOKED");
    assert_eq!(server.refresh(&refresh).await.code(), "TOKEN_REVOKED");
    assert_eq!(server.login_reply("bob", "builder").await.code(), "ACCOUNT_DISABLED");

    server.control("/__admin/activate", json!({"username": "bob"})).await;
    assert_eq!(server.get("/api/me", Some(&access)).await.status, StatusCode::OK);
    assert_eq!(server.refresh(&refresh).await.status, StatusCode::OK);
}

#[tokio::test]
async fn single_session_login_revokes_the_earlier_family() {
    let server = Server::with(Config { single_session: true, ..common::quiet() });
    let (first_access, first_refresh) = server.login("ada", "lovelace").await;
    let (bob, _) = server.login("bob", "builder").await;
    let (second_access, second_refresh) = server.login("ada", "lovelace").await;
    assert_rejected(&server.get("/api/me", Some(&first_access)).await, "TOKEN_REVOKED");
    assert_eq!(server.refresh(&first_refresh).await.code(), "TOKEN_REVOKED");
    assert_eq!(server.get("/api/me", Some(&second_access)).await.status, StatusCode::OK);
    assert_eq!(server.get("/api/me", Some(&bob)).await.status, StatusCode::OK, "per user");
    assert_eq!(server.refresh(&second_refresh).await.status, StatusCode::OK);
    assert_eq!(server.counter("family_revocations").await, 1);
}

#[tokio::test]
async fn single_session_can_be_toggled_at_run_time() {
    let server = Server::new();
    let (a, _) = server.login("ada", "lovelace").await;
    let (b, _) = server.login("ada", "lovelace").await;
    assert_eq!(server.get("/api/me", Some(&a)).await.status, StatusCode::OK, "policy off");

    server.control("/__test/single-session", json!({"enabled": true})).await;
    let (c, _) = server.login("ada", "lovelace").await;
    for old in [&a, &b] {
        assert_rejected(&server.get("/api/me", Some(old)).await, "TOKEN_REVOKED");
    }
    assert_eq!(server.get("/api/me", Some(&c)).await.status, StatusCode::OK);

    server.control("/__test/single-session", json!({"enabled": false})).await;
    let (d, _) = server.login("ada", "lovelace").await;
    assert_eq!(server.get("/api/me", Some(&c)).await.status, StatusCode::OK);
    assert_eq!(server.get("/api/me", Some(&d)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn api_counters_count_calls_and_401s() {
    let server = Server::new();
    let (bob, _) = server.login("bob", "builder").await;
    server.get("/api/data", Some(&bob)).await; // 200
    server.get("/api/admin/", Some(&bob)).await; // 403
    server.get("/api/data", None).await; // 401
    server.get("/api/me", Some("x.y.z")).await; // 401
    let counters = server.counters().await;
    assert_eq!(counters["api_calls"], 4);
    assert_eq!(counters["api_401s"], 2);
    assert_eq!(counters["revoked_token_requests"], 0);
    assert_eq!(counters["logins"], 1);
}

#[tokio::test]
async fn echo_answers_the_exact_body_and_content_type_or_the_asked_status() {
    let server = Server::new();
    let (access, _) = server.login("bob", "builder").await;
    let bytes: Vec<u8> = (0..=255u8).collect();
    let post = |path: &str, body: Vec<u8>| {
        request(Method::POST, path)
            .header(header::AUTHORIZATION, format!("Bearer {access}"))
            .header(header::CONTENT_TYPE, "application/x-test")
            .body(Body::from(body))
            .unwrap()
    };
    let echoed = server.send(post("/api/echo", bytes.clone())).await;
    assert_eq!(echoed.status, StatusCode::OK);
    assert_eq!(echoed.body.as_ref(), bytes.as_slice());
    assert_eq!(echoed.header("content-type").as_deref(), Some("application/x-test"));

    let failed = server.send(post("/api/echo?status=500", b"x".to_vec())).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(failed.body.as_ref(), b"x");
    for ignored in ["/api/echo?status=99", "/api/echo?status=600", "/api/echo?status=x"] {
        assert_eq!(
            server.send(post(ignored, Vec::new())).await.status,
            StatusCode::OK,
            "{ignored}"
        );
    }
    let anonymous = request(Method::POST, "/api/echo").body(Body::empty()).unwrap();
    assert_eq!(server.send(anonymous).await.status, StatusCode::UNAUTHORIZED);
}
