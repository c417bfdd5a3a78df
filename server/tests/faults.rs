//! Injected refresh faults, in both modes.

mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::{json_request, refresh_request, Server};
use serde_json::json;

async fn set_fault(server: &Server, spec: serde_json::Value) {
    server.control("/__test/faults", spec).await;
}

#[tokio::test]
async fn latency_delays_then_handles_normally() {
    let server = Server::new();
    let (_, token) = server.login("ada", "lovelace").await;
    set_fault(&server, json!({"refresh": "latency", "latency_ms": 150})).await;
    let started = Instant::now();
    let reply = server.refresh(&token).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(server.counter("refresh_ok").await, 1);
}

#[tokio::test]
async fn error500_and_error503_do_not_rotate() {
    let server = Server::new();
    let (_, token) = server.login("ada", "lovelace").await;

    set_fault(&server, json!({"refresh": "error500"})).await;
    let reply = server.refresh(&token).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(reply.code(), "SERVER_ERROR");

    set_fault(&server, json!({"refresh": "error503"})).await;
    let reply = server.refresh_body(&token).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.header("retry-after").as_deref(), Some("1"));

    set_fault(&server, json!({"refresh": "none"})).await;
    assert_eq!(server.refresh(&token).await.status, StatusCode::OK, "the token was not consumed");
    let counters = server.counters().await;
    assert_eq!(counters["refresh_calls"], 3);
    assert_eq!(counters["refresh_ok"], 1);
    assert_eq!(counters["refresh_tokens_seen_twice"], 0, "faulted calls never saw the token");
}

#[tokio::test]
async fn html_answers_a_login_page_without_rotating() {
    let server = Server::new();
    let (_, token) = server.login("bob", "builder").await;
    set_fault(&server, json!({"refresh": "html"})).await;
    let reply = server.refresh(&token).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header("content-type").is_some_and(|ct| ct.starts_with("text/html")));
    assert!(reply.header("set-cookie").is_none());
    assert!(String::from_utf8_lossy(&reply.body).starts_with("<html>"));
    set_fault(&server, json!({"refresh": "none"})).await;
    assert_eq!(server.refresh(&token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn hang_never_answers_and_does_not_rotate() {
    let server = Server::new();
    let (_, token) = server.login("ada", "lovelace").await;
    set_fault(&server, json!({"refresh": "hang"})).await;
    assert!(server.send_briefly(refresh_request(&token)).await.is_none());
    let body = json_request("/body/api/token/refresh/", &json!({"refresh": token}));
    assert!(server.send_briefly(body).await.is_none());
    // The rest of the server keeps answering meanwhile.
    assert_eq!(server.counter("refresh_calls").await, 2);

    set_fault(&server, json!({"refresh": "none"})).await;
    assert_eq!(server.refresh(&token).await.status, StatusCode::OK);
    assert_eq!(server.counter("reuse_detections").await, 0);
}

#[tokio::test]
async fn drop_after_rotation_rotates_then_never_answers() {
    let server = Server::new();
    let (_, token) = server.login("ada", "lovelace").await;
    set_fault(&server, json!({"refresh": "drop_after_rotation"})).await;
    assert!(server.send_briefly(refresh_request(&token)).await.is_none());
    set_fault(&server, json!({"refresh": "none"})).await;

    // The old token is now used: the client retrying it is a reuse.
    let retry = server.refresh(&token).await;
    assert_eq!(retry.code(), "REFRESH_TOKEN_REUSED");
    let counters = server.counters().await;
    assert_eq!(counters["refresh_calls"], 2);
    assert_eq!(counters["reuse_detections"], 1);
    assert_eq!(counters["refresh_tokens_seen_twice"], 1);
}

#[tokio::test]
async fn times_limits_how_many_calls_a_fault_affects() {
    let server = Server::new();
    let (_, token) = server.login("ada", "lovelace").await;
    set_fault(&server, json!({"refresh": "error503", "times": 2})).await;
    assert_eq!(server.refresh(&token).await.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(server.refresh(&token).await.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(server.refresh(&token).await.status, StatusCode::OK);

    let (_, token) = server.login("ada", "lovelace").await;
    set_fault(&server, json!({"refresh": "drop_after_rotation", "times": 1})).await;
    assert!(server.send_briefly(refresh_request(&token)).await.is_none());
    assert_eq!(server.refresh(&token).await.code(), "REFRESH_TOKEN_REUSED", "fault gone");
}

#[tokio::test]
async fn faults_only_touch_refresh() {
    let server = Server::new();
    set_fault(&server, json!({"refresh": "hang"})).await;
    let (access, _) = server.login("ada", "lovelace").await;
    assert_eq!(server.get("/api/me", Some(&access)).await.status, StatusCode::OK);
    assert_eq!(server.post_empty("/api/logout/").await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn reset_clears_faults() {
    let server = Server::new();
    let (_, token) = server.login("ada", "lovelace").await;
    set_fault(&server, json!({"refresh": "error500"})).await;
    server.control("/__test/reset", json!({})).await;
    assert_eq!(server.refresh(&token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn bad_fault_requests_are_rejected() {
    let server = Server::new();
    for body in
        [json!({"refresh": "explode"}), json!({}), json!({"refresh": "latency", "latency_ms": -1})]
    {
        let reply = server.post_json("/__test/faults", body.clone()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.code(), "BAD_REQUEST");
    }
}
