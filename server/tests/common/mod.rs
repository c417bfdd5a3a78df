//! In-process test client: drives the Router with `oneshot`, no sockets.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tokenflight_server::{app, Config};
use tower::ServiceExt;

pub struct Server {
    app: Router,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    pub fn code(&self) -> String {
        self.json()["code"].as_str().expect("a code").to_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| v.to_str().expect("ASCII header").to_owned())
    }

    /// The `Set-Cookie` header, exactly as sent.
    pub fn set_cookie(&self) -> String {
        self.header("set-cookie").expect("a Set-Cookie header")
    }

    /// The refresh token carried by `Set-Cookie`.
    pub fn cookie_token(&self) -> String {
        let cookie = self.set_cookie();
        let value = cookie.strip_prefix("tf_refresh=").expect("tf_refresh cookie");
        value.split(';').next().expect("a value").to_owned()
    }

    pub fn access(&self) -> String {
        self.json()["access"].as_str().expect("an access token").to_owned()
    }

    pub fn refresh(&self) -> String {
        self.json()["refresh"].as_str().expect("a refresh token").to_owned()
    }
}

pub fn quiet() -> Config {
    Config { quiet: true, ..Config::default() }
}

impl Server {
    pub fn new() -> Self {
        Self::with(quiet())
    }

    pub fn with(config: Config) -> Self {
        Server { app: app(&config).expect("randomness") }
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.app.clone().oneshot(req).await.expect("infallible");
        let (parts, body) = res.into_parts();
        let body = body.collect().await.expect("body").to_bytes();
        Reply { status: parts.status, headers: parts.headers, body }
    }

    /// `send`, or `None` if no answer came within 200 ms.
    pub async fn send_briefly(&self, req: Request<Body>) -> Option<Reply> {
        tokio::time::timeout(Duration::from_millis(200), self.send(req)).await.ok()
    }

    pub async fn post_json(&self, path: &str, body: Value) -> Reply {
        self.send(json_request(path, &body)).await
    }

    pub async fn post_empty(&self, path: &str) -> Reply {
        self.send(request(Method::POST, path).body(Body::empty()).expect("request")).await
    }

    pub async fn get(&self, path: &str, access: Option<&str>) -> Reply {
        let mut req = request(Method::GET, path);
        if let Some(token) = access {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(req.body(Body::empty()).expect("request")).await
    }

    pub async fn get_with_authorization(&self, path: &str, authorization: &str) -> Reply {
        let req = request(Method::GET, path).header(header::AUTHORIZATION, authorization);
        self.send(req.body(Body::empty()).expect("request")).await
    }

    /// Cookie-mode login; returns (access, refresh).
    pub async fn login(&self, user: &str, password: &str) -> (String, String) {
        let reply = self.login_reply(user, password).await;
        assert_eq!(reply.status, StatusCode::OK, "login: {:?}", reply.body);
        (reply.access(), reply.cookie_token())
    }

    pub async fn login_reply(&self, user: &str, password: &str) -> Reply {
        self.post_json("/api/token/", json!({ "username": user, "password": password })).await
    }

    /// Body-mode login; returns (access, refresh).
    pub async fn login_body(&self, user: &str, password: &str) -> (String, String) {
        let reply = self
            .post_json("/body/api/token/", json!({ "username": user, "password": password }))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "login: {:?}", reply.body);
        (reply.access(), reply.refresh())
    }

    pub async fn refresh(&self, token: &str) -> Reply {
        self.send(refresh_request(token)).await
    }

    pub async fn refresh_body(&self, token: &str) -> Reply {
        self.post_json("/body/api/token/refresh/", json!({ "refresh": token })).await
    }

    pub async fn counters(&self) -> Value {
        self.get("/__test/counters", None).await.json()
    }

    pub async fn counter(&self, name: &str) -> u64 {
        self.counters().await[name].as_u64().expect("a counter")
    }

    pub async fn control(&self, path: &str, body: Value) {
        let reply = self.post_json(path, body).await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{path}: {:?}", reply.body);
    }
}

/// A request as a browser on the loopback origin sends it (with `Host`, which the control
/// routes check).
pub fn request(method: Method, path: &str) -> axum::http::request::Builder {
    Request::builder().method(method).uri(path).header(header::HOST, "127.0.0.1:8080")
}

pub fn json_request(path: &str, body: &Value) -> Request<Body> {
    request(Method::POST, path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

/// A cookie-mode refresh presenting `token`.
pub fn refresh_request(token: &str) -> Request<Body> {
    request(Method::POST, "/api/token/refresh/")
        .header(header::COOKIE, format!("tf_refresh={token}"))
        .body(Body::empty())
        .expect("request")
}

/// The claims of an access token, unverified.
pub fn claims(token: &str) -> Value {
    jsonwebtoken::dangerous::insecure_decode_claims(token).expect("decodable claims")
}
