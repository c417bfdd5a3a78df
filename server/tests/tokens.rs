//! Login, rotation with reuse detection, and logout, in cookie and body mode.

mod common;

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::{claims, request, Server};
use serde_json::json;
use tokenflight_server::Config;

#[tokio::test]
async fn cookie_login_sets_the_exact_cookie_and_returns_an_access_token() {
    let server = Server::new();
    let reply = server.login_reply("ada", "lovelace").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["expires_in"], 20);
    assert_eq!(body["token_type"], "Bearer");
    assert!(body.get("refresh").is_none(), "cookie mode keeps the refresh token out of the body");
    let token = reply.cookie_token();
    assert_eq!(token.len(), 64);
    assert_eq!(
        reply.set_cookie(),
        format!("tf_refresh={token}; HttpOnly; SameSite=Strict; Path=/api/; Max-Age=86400")
    );
    assert_eq!(reply.header("cache-control").as_deref(), Some("no-store"));

    let c = claims(&reply.access());
    assert_eq!(c["sub"], "ada");
    assert_eq!(c["name"], "Ada Lovelace");
    assert_eq!(c["role"], "admin");
    assert_eq!(c["ver"], 0);
    assert_eq!(c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap(), 20);
    assert!(c["jti"].as_str().is_some_and(|j| !j.is_empty()));
    assert!(c["fam"].as_str().is_some_and(|f| !f.is_empty()));
    let header = jsonwebtoken::decode_header(reply.access()).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::HS256);
}

#[tokio::test]
async fn cookie_max_age_and_expires_in_follow_the_configuration() {
    let server = Server::with(Config { access_ttl: 7, refresh_ttl: 99, ..common::quiet() });
    let reply = server.login_reply("bob", "builder").await;
    assert_eq!(reply.json()["expires_in"], 7);
    assert!(reply.set_cookie().ends_with("; Max-Age=99"));
}

#[tokio::test]
async fn body_login_returns_the_refresh_token_and_no_cookie() {
    let server = Server::new();
    let reply = server
        .post_json("/body/api/token/", json!({"username": "bob", "password": "builder"}))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert!(body["access"].is_string());
    assert!(body["refresh"].as_str().is_some_and(|r| r.len() == 64));
    assert_eq!(body["expires_in"], 20);
    assert_eq!(body["token_type"], "Bearer");
    assert!(reply.header("set-cookie").is_none());
}

#[tokio::test]
async fn login_failures_have_their_own_codes() {
    let server = Server::new();
    for (user, password) in [("ada", "wrong"), ("nobody", "lovelace"), ("", "")] {
        let reply = server.login_reply(user, password).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.code(), "INVALID_CREDENTIALS");
    }
    for body in ["", "{", "[]", "{\"username\":\"ada\"}", "{\"username\":1,\"password\":2}"] {
        let req = request(Method::POST, "/api/token/").body(Body::from(body)).unwrap();
        let reply = server.send(req).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.code(), "BAD_REQUEST");
    }
    server.control("/__admin/deactivate", json!({"username": "bob"})).await;
    let reply = server.login_reply("bob", "builder").await;
    assert_eq!(reply.code(), "ACCOUNT_DISABLED");
    // A wrong password does not reveal that the account is disabled.
    assert_eq!(server.login_reply("bob", "nope").await.code(), "INVALID_CREDENTIALS");
    assert_eq!(server.counter("logins").await, 0);
}

#[tokio::test]
async fn rotation_then_reuse_revokes_the_whole_family() {
    let server = Server::new();
    let (access0, old) = server.login("ada", "lovelace").await;

    let rotated = server.refresh(&old).await;
    assert_eq!(rotated.status, StatusCode::OK);
    assert!(rotated.json().get("refresh").is_none());
    let new = rotated.cookie_token();
    assert_ne!(new, old);
    let access1 = rotated.access();
    assert_eq!(claims(&access1)["fam"], claims(&access0)["fam"], "same family");
    assert_eq!(server.get("/api/me", Some(&access1)).await.status, StatusCode::OK);

    // Presenting the rotated-out token again: reuse.
    let reused = server.refresh(&old).await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reused.code(), "REFRESH_TOKEN_REUSED");

    // The legitimate successor dies with the family, and so do its access tokens.
    assert_eq!(server.refresh(&new).await.code(), "TOKEN_REVOKED");
    for access in [&access0, &access1] {
        let reply = server.get("/api/data", Some(access)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.code(), "TOKEN_REVOKED");
    }

    let counters = server.counters().await;
    assert_eq!(counters["refresh_calls"], 3);
    assert_eq!(counters["refresh_ok"], 1);
    assert_eq!(counters["reuse_detections"], 1);
    assert_eq!(counters["family_revocations"], 1);
    assert_eq!(counters["refresh_tokens_seen_twice"], 1);
    assert_eq!(counters["revoked_token_requests"], 2);
}

#[tokio::test]
async fn other_families_survive_a_reuse() {
    let server = Server::new();
    let (_, victim) = server.login("ada", "lovelace").await;
    let (access_other, other) = server.login("ada", "lovelace").await;
    server.refresh(&victim).await;
    assert_eq!(server.refresh(&victim).await.code(), "REFRESH_TOKEN_REUSED");
    assert_eq!(server.get("/api/me", Some(&access_other)).await.status, StatusCode::OK);
    assert_eq!(server.refresh(&other).await.status, StatusCode::OK);
}

#[tokio::test]
async fn seen_twice_counts_every_repeated_presentation() {
    let server = Server::new();
    let (_, first) = server.login("bob", "builder").await;
    let second = server.refresh(&first).await.cookie_token();
    let _third = server.refresh(&second).await.cookie_token();
    assert_eq!(server.counter("refresh_tokens_seen_twice").await, 0, "a clean chain");

    server.refresh(&first).await; // reuse
    server.refresh(&first).await; // and again
    server.refresh("never-issued").await;
    server.refresh("never-issued").await; // unknown, but presented twice
    let counters = server.counters().await;
    assert_eq!(counters["refresh_tokens_seen_twice"], 3);
    assert_eq!(counters["reuse_detections"], 2);
    assert_eq!(counters["family_revocations"], 1, "a family is revoked once");
}

#[tokio::test]
async fn unknown_missing_and_expired_refresh_tokens_are_not_valid() {
    let server = Server::new();
    let missing = server.post_empty("/api/token/refresh/").await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.code(), "token_not_valid");
    let other_cookie = request(Method::POST, "/api/token/refresh/")
        .header(header::COOKIE, "theme=dark; tf_refresh=")
        .body(Body::empty())
        .unwrap();
    assert_eq!(server.send(other_cookie).await.code(), "token_not_valid");
    assert_eq!(server.refresh("deadbeef").await.code(), "token_not_valid");

    let expiring = Server::with(Config { refresh_ttl: 0, ..common::quiet() });
    let (_, token) = expiring.login("ada", "lovelace").await;
    assert_eq!(expiring.refresh(&token).await.code(), "token_not_valid");
}

#[tokio::test]
async fn the_cookie_is_found_among_others() {
    let server = Server::new();
    let (_, token) = server.login("ada", "lovelace").await;
    let req = request(Method::POST, "/api/token/refresh/")
        .header(header::COOKIE, format!("a=1; tf_refresh={token}; b=2"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(server.send(req).await.status, StatusCode::OK);
}

#[tokio::test]
async fn body_mode_rotates_with_json_and_with_an_oauth_form() {
    let server = Server::new();
    let (_, first) = server.login_body("ada", "lovelace").await;
    let json_reply = server.refresh_body(&first).await;
    assert_eq!(json_reply.status, StatusCode::OK);
    let body = json_reply.json();
    assert!(body["access"].is_string());
    assert_eq!(body["expires_in"], 20);
    assert_eq!(body["token_type"], "Bearer");
    assert!(json_reply.header("set-cookie").is_none());
    let second = json_reply.refresh();

    let form = request(Method::POST, "/body/api/token/refresh/")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded; charset=UTF-8")
        .body(Body::from(format!("grant_type=refresh_token&refresh_token={second}")))
        .unwrap();
    let form_reply = server.send(form).await;
    assert_eq!(form_reply.status, StatusCode::OK);
    let third = form_reply.refresh();
    assert_ne!(third, second);

    assert_eq!(server.refresh_body(&first).await.code(), "REFRESH_TOKEN_REUSED");
    assert_eq!(server.refresh_body(&third).await.code(), "TOKEN_REVOKED");
    assert_eq!(server.refresh_body("unknown").await.code(), "token_not_valid");
}

#[tokio::test]
async fn body_mode_without_a_token_is_an_invalid_request() {
    let server = Server::new();
    let cases = [
        ("application/json", "{}"),
        ("application/json", ""),
        ("application/json", "not json"),
        ("application/json", "{\"refresh\":\"\"}"),
        ("application/json", "{\"refresh\":42}"),
        ("application/x-www-form-urlencoded", "grant_type=refresh_token"),
        ("application/x-www-form-urlencoded", ""),
    ];
    for (content_type, body) in cases {
        let req = request(Method::POST, "/body/api/token/refresh/")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        let reply = server.send(req).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.json()["error"], "invalid_request", "{body}");
    }
    let wrong_grant = request(Method::POST, "/body/api/token/refresh/")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("grant_type=password&refresh_token=x"))
        .unwrap();
    assert_eq!(server.send(wrong_grant).await.json()["error"], "unsupported_grant_type");
    assert_eq!(server.counter("refresh_calls").await, 8);
}

#[tokio::test]
async fn logout_never_fails_and_always_clears_the_cookie() {
    let server = Server::new();
    let clear = "tf_refresh=; HttpOnly; SameSite=Strict; Path=/api/; Max-Age=0";
    let none = server.post_empty("/api/logout/").await;
    assert_eq!(none.status, StatusCode::NO_CONTENT);
    assert_eq!(none.set_cookie(), clear);

    let (access, token) = server.login("ada", "lovelace").await;
    for _ in 0..2 {
        let req = request(Method::POST, "/api/logout/")
            .header(header::COOKIE, format!("tf_refresh={token}"))
            .body(Body::empty())
            .unwrap();
        let reply = server.send(req).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT);
        assert_eq!(reply.set_cookie(), clear);
    }
    let unknown = request(Method::POST, "/api/logout/")
        .header(header::COOKIE, "tf_refresh=garbage")
        .body(Body::from("whatever"))
        .unwrap();
    assert_eq!(server.send(unknown).await.status, StatusCode::NO_CONTENT);

    assert_eq!(server.refresh(&token).await.code(), "TOKEN_REVOKED");
    assert_eq!(server.get("/api/me", Some(&access)).await.code(), "TOKEN_REVOKED");
    let counters = server.counters().await;
    assert_eq!(counters["logouts"], 4);
    assert_eq!(counters["family_revocations"], 1);
}

#[tokio::test]
async fn body_logout_never_fails_and_revokes() {
    let server = Server::new();
    for body in ["", "{}", "nonsense", "{\"refresh\":\"unknown\"}", "{\"refresh\":5}"] {
        let req = request(Method::POST, "/body/api/logout/").body(Body::from(body)).unwrap();
        let reply = server.send(req).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{body}");
        assert!(reply.header("set-cookie").is_none());
    }
    let (access, token) = server.login_body("bob", "builder").await;
    for _ in 0..2 {
        let reply = server.post_json("/body/api/logout/", json!({ "refresh": token })).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT);
    }
    assert_eq!(server.refresh_body(&token).await.code(), "TOKEN_REVOKED");
    assert_eq!(server.get("/api/me", Some(&access)).await.code(), "TOKEN_REVOKED");
}

#[tokio::test]
async fn logout_with_only_a_bearer_token_revokes_that_access_token() {
    let server = Server::new();
    let (access, token) = server.login("ada", "lovelace").await;
    let req = request(Method::POST, "/api/logout/")
        .header(header::AUTHORIZATION, format!("Bearer {access}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(server.send(req).await.status, StatusCode::NO_CONTENT);
    assert_eq!(server.get("/api/me", Some(&access)).await.code(), "TOKEN_REVOKED");
    // The family itself was not named, so its refresh token still works.
    let fresh = server.refresh(&token).await;
    assert_eq!(fresh.status, StatusCode::OK);
    assert_eq!(server.get("/api/me", Some(&fresh.access())).await.status, StatusCode::OK);
}
