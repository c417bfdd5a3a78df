//! Counters, reset, and the admin routes' answers.

mod common;

use axum::body::Body;
use axum::http::Request;
use axum::http::{header, Method, StatusCode};
use common::{request, Server};
use serde_json::json;

const COUNTERS: [&str; 12] = [
    "refresh_calls",
    "refresh_ok",
    "reuse_detections",
    "family_revocations",
    "api_calls",
    "api_calls_with_token",
    "api_401s",
    "revoked_token_requests",
    "logins",
    "logouts",
    "refresh_tokens_seen_twice",
    "csrf_failures",
];

#[tokio::test]
async fn counters_start_at_zero_and_list_exactly_the_documented_names() {
    let server = Server::new();
    let counters = server.counters().await;
    let object = counters.as_object().expect("an object");
    assert_eq!(object.len(), COUNTERS.len());
    for name in COUNTERS {
        assert_eq!(object[name], 0, "{name}");
    }
}

#[tokio::test]
async fn reset_zeroes_counters_but_keeps_sessions() {
    let server = Server::new();
    let (access, token) = server.login("ada", "lovelace").await;
    let token = server.refresh(&token).await.cookie_token();
    server.get("/api/me", Some(&access)).await;
    server.post_empty("/api/logout/").await;
    assert_ne!(server.counters().await, json!({}));

    let reply = server.post_json("/__test/reset", json!({})).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let counters = server.counters().await;
    for name in COUNTERS {
        assert_eq!(counters[name], 0, "{name}");
    }
    assert_eq!(server.refresh(&token).await.status, StatusCode::OK, "family kept");
    assert_eq!(server.counter("refresh_calls").await, 1);
}

#[tokio::test]
async fn admin_routes_answer_404_for_unknown_users_and_400_for_bad_bodies() {
    let server = Server::new();
    for path in ["/__admin/deactivate", "/__admin/activate", "/__admin/revoke"] {
        let reply = server.post_json(path, json!({"username": "mallory"})).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.code(), "NO_SUCH_USER");
        assert_eq!(server.post_json(path, json!({})).await.status, StatusCode::BAD_REQUEST);
    }
    let reply = server
        .post_json("/__admin/password", json!({"username": "mallory", "password": "x"}))
        .await;
    assert_eq!(reply.code(), "NO_SUCH_USER");
    let missing = server.post_json("/__admin/password", json!({"username": "ada"})).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    for (path, body) in [
        ("/__test/access-ttl", json!({"seconds": "ten"})),
        ("/__test/single-session", json!({"enabled": "yes"})),
    ] {
        assert_eq!(server.post_json(path, body).await.status, StatusCode::BAD_REQUEST, "{path}");
    }
}

#[tokio::test]
async fn huge_ttls_do_not_overflow() {
    let server = Server::with(tokenflight_server::Config {
        access_ttl: u64::MAX,
        refresh_ttl: u64::MAX,
        ..common::quiet()
    });
    let (access, token) = server.login("ada", "lovelace").await;
    assert_eq!(server.get("/api/me", Some(&access)).await.status, StatusCode::OK);
    assert_eq!(server.refresh(&token).await.status, StatusCode::OK);
    server.control("/__test/access-ttl", json!({"seconds": u64::MAX})).await;
    assert_eq!(server.login_reply("bob", "builder").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_redirect_route_sends_only_to_loopback() {
    let server = Server::new();
    let ok = server.get("/__test/redirect?to=http://localhost:9/api/me", None).await;
    assert_eq!(ok.status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(ok.header("location").as_deref(), Some("http://localhost:9/api/me"));
    for bad in [
        "/__test/redirect?to=http://example.com/",
        "/__test/redirect?to=https://127.0.0.1:9/",
        "/__test/redirect?to=http://127.0.0.1:@evil.example/",
        "/__test/redirect?to=http://localhost:9@evil.example/",
        "/__test/redirect",
    ] {
        assert_eq!(server.get(bad, None).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn protected_requests_carrying_a_token_are_counted() {
    let server = Server::new();
    let (access, _) = server.login("ada", "lovelace").await;
    server.get("/api/me", Some(&access)).await;
    server.get("/api/me", None).await;
    let counters = server.counters().await;
    assert_eq!(
        (counters["api_calls"].as_u64(), counters["api_calls_with_token"].as_u64()),
        (Some(2), Some(1))
    );
}

#[tokio::test]
async fn control_routes_take_only_json_from_a_loopback_host() {
    let server = Server::new();
    server.login("ada", "lovelace").await;
    // JSON sent as text/plain is what any page can send cross-origin without a preflight.
    let plain = request(Method::POST, "/__test/reset")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("{}"))
        .expect("request");
    assert_eq!(server.send(plain).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(server.counter("logins").await, 1, "the reset did not happen");
    // DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1.
    for host in ["evil.example", "evil.example:8080", "127.0.0.1.evil.example", ""] {
        let rebound = Request::builder()
            .method(Method::POST)
            .uri("/__test/reset")
            .header(header::HOST, host)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .expect("request");
        assert_eq!(server.send(rebound).await.status, StatusCode::FORBIDDEN, "{host}");
    }
    assert_eq!(server.counter("logins").await, 1);
    for host in ["localhost:9", "[::1]:9", "127.0.0.1"] {
        let ok = Request::builder()
            .method(Method::POST)
            .uri("/__test/reset")
            .header(header::HOST, host)
            .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
            .body(Body::from("{}"))
            .expect("request");
        assert_eq!(server.send(ok).await.status, StatusCode::NO_CONTENT, "{host}");
    }
    assert_eq!(server.counter("logins").await, 0);
}
