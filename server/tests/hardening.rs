//! Reference-server hardening (issue 15): bounded token memory, form-encoded body-mode logout,
//! and the opt-in double-submit CSRF check.

mod common;

use axum::body::Body;
use axum::http::{header, Method, StatusCode};
use common::{request, Server};
use tokenflight_server::Config;

fn form_logout(body: &str) -> axum::http::Request<Body> {
    request(Method::POST, "/body/api/logout/")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .expect("request")
}

#[tokio::test]
async fn body_mode_logout_accepts_the_form_the_library_sends() {
    let server = Server::new();
    for field in ["refresh_token", "token"] {
        let (_, refresh) = server.login_body("ada", "lovelace").await;
        let before = server.counter("family_revocations").await;
        let body = format!("grant_type=refresh_token&{field}={refresh}");
        assert_eq!(server.send(form_logout(&body)).await.status, StatusCode::NO_CONTENT);
        assert_eq!(server.counter("family_revocations").await, before + 1, "{field}");
        assert_eq!(server.refresh_body(&refresh).await.code(), "TOKEN_REVOKED");
    }
}

#[tokio::test]
async fn remembered_tokens_stay_bounded_and_forgotten_ones_are_refused() {
    let server = Server::with(Config { max_tokens: 8, ..common::quiet() });
    let (_, first) = server.login_body("ada", "lovelace").await;
    let mut current = first.clone();
    for _ in 0..50 {
        let reply = server.refresh_body(&current).await;
        assert_eq!(reply.status, StatusCode::OK);
        current = reply.refresh();
    }
    // The first token was used, then forgotten: refused as unknown, not a server error.
    let old = server.refresh_body(&first).await;
    assert_eq!((old.status, old.code().as_str()), (StatusCode::UNAUTHORIZED, "token_not_valid"));
    // A recently used one is still remembered: reuse is detected and the family revoked.
    let (_, a) = server.login_body("bob", "builder").await;
    let b = server.refresh_body(&a).await.refresh();
    assert_eq!(server.refresh_body(&a).await.code(), "REFRESH_TOKEN_REUSED");
    assert_eq!(server.refresh_body(&b).await.code(), "TOKEN_REVOKED");
}

fn cookie_refresh(refresh: &str, csrf: Option<(&str, &str)>) -> axum::http::Request<Body> {
    let mut cookies = format!("tf_refresh={refresh}");
    let mut req = request(Method::POST, "/api/token/refresh/");
    if let Some((cookie, header_value)) = csrf {
        cookies.push_str(&format!("; tf_csrf={cookie}"));
        req = req.header("x-csrftoken", header_value);
    }
    req.header(header::COOKIE, cookies).body(Body::empty()).expect("request")
}

#[tokio::test]
async fn the_opt_in_csrf_check_wants_the_cookie_value_in_the_header() {
    let server = Server::with(Config { csrf: true, ..common::quiet() });
    let login = server.login_reply("ada", "lovelace").await;
    let cookies: Vec<String> = login
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("ASCII").to_owned())
        .collect();
    let csrf = cookies
        .iter()
        .find_map(|c| c.strip_prefix("tf_csrf="))
        .and_then(|c| c.split(';').next())
        .expect("a CSRF cookie at login")
        .to_owned();
    assert!(cookies.iter().any(|c| c.starts_with("tf_csrf=") && !c.contains("HttpOnly")));
    let refresh = login.cookie_token();
    for refused in [None, Some((csrf.as_str(), "wrong")), Some((csrf.as_str(), ""))] {
        let reply = server.send(cookie_refresh(&refresh, refused)).await;
        assert_eq!((reply.status, reply.code().as_str()), (StatusCode::FORBIDDEN, "CSRF_FAILED"));
    }
    assert_eq!(server.counter("csrf_failures").await, 3);
    assert_eq!(server.counter("refresh_ok").await, 0, "a refused request rotates nothing");
    let ok = server.send(cookie_refresh(&refresh, Some((&csrf, &csrf)))).await;
    assert_eq!(ok.status, StatusCode::OK);
    // Off by default: the same request without the header passes on a default server.
    let plain = Server::new();
    let (_, refresh) = plain.login("ada", "lovelace").await;
    assert_eq!(plain.send(cookie_refresh(&refresh, None)).await.status, StatusCode::OK);
}
