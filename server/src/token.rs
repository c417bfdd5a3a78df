//! Token endpoints: login, refresh and logout, in cookie mode (`/api/...`, refresh token in an
//! HttpOnly cookie) and body mode (`/body/api/...`, refresh token in JSON or an OAuth form).
//!
//! Both modes share the same store operations (`refresh.rs`); only the transport differs.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::faults::Armed;
use crate::random::FreshIds;
use crate::refresh::{Issued, LoginError, RefreshError};
use crate::state::AppState;
use crate::{api, csrf, jwt, reply, REFRESH_COOKIE};

/// Largest body read by the endpoints that take one; tokens and credentials are tiny.
const BODY_LIMIT: usize = 64 * 1024;

/// `Path=/api/` so the cookie reaches both `/api/token/refresh/` and `/api/logout/`, and
/// nothing outside the API. No `Secure`: the server speaks plain HTTP on loopback.
const COOKIE_ATTRS: &str = "HttpOnly; SameSite=Strict; Path=/api/";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/token/", post(login_cookie))
        .route("/api/token/refresh/", post(refresh_cookie))
        .route("/api/logout/", post(logout_cookie))
        .route("/body/api/token/", post(login_body))
        .route("/body/api/token/refresh/", post(refresh_body))
        .route("/body/api/logout/", post(logout_body))
        .route("/api/csrf/", axum::routing::get(csrf::ensure_cookie))
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

async fn login_cookie(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    match login(&state, &body) {
        Ok(issued) => {
            let mut res = cookie_success(&state, issued);
            // With --csrf, a login also hands out the CSRF cookie if the page had none.
            let csrf_cookie = state.lock().csrf.then(|| csrf::issue(&headers)).flatten();
            if let Some(value) = csrf_cookie.and_then(|c| c.parse().ok()) {
                res.headers_mut().append(header::SET_COOKIE, value);
            }
            res
        }
        Err(failure) => failure.into_response(),
    }
}

async fn login_body(State(state): State<AppState>, body: Bytes) -> Response {
    match login(&state, &body) {
        Ok(issued) => body_success(issued),
        Err(failure) => failure.into_response(),
    }
}

/// Every way a token endpoint can fail, turned into a response at the handler's edge.
#[derive(Debug, Clone, Copy)]
enum Failure {
    BadCredentialsBody,
    Login(LoginError),
    NoCookie,
    Refresh(RefreshError),
    MissingToken,
    UnsupportedGrant,
    Internal,
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let unauthorized = StatusCode::UNAUTHORIZED;
        match self {
            Failure::BadCredentialsBody => {
                reply::bad_request("Expected a JSON body {\"username\", \"password\"}.")
            }
            Failure::Login(LoginError::Internal)
            | Failure::Refresh(RefreshError::Internal)
            | Failure::Internal => reply::server_error(),
            Failure::Login(e) => reply::error(unauthorized, e.code(), e.detail()),
            Failure::Refresh(e) => reply::error(unauthorized, e.code(), e.detail()),
            Failure::NoCookie => reply::error(
                unauthorized,
                RefreshError::NotValid.code(),
                "No refresh token cookie was sent.",
            ),
            Failure::MissingToken => reply::oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "No refresh token was sent.",
            ),
            Failure::UnsupportedGrant => reply::oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Only grant_type=refresh_token is supported here.",
            ),
        }
    }
}

fn login(state: &AppState, body: &[u8]) -> Result<Issued, Failure> {
    let creds: Credentials =
        serde_json::from_slice(body).map_err(|_| Failure::BadCredentialsBody)?;
    let ids = FreshIds::new().map_err(|_| Failure::Internal)?;
    let outcome = state.lock().login(&creds.username, &creds.password, ids);
    outcome.map_err(Failure::Login)
}

async fn refresh_cookie(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let armed = begin_refresh(&state);
    if let Some(res) = armed.before().await {
        return res;
    }
    if !csrf::passes(&state, &headers) {
        return csrf::refused();
    }
    let outcome = match cookie_token(&headers) {
        Some(token) => rotate(&state, &token),
        None => Err(Failure::NoCookie),
    };
    armed.after().await;
    match outcome {
        Ok(issued) => cookie_success(&state, issued),
        Err(failure) => failure.into_response(),
    }
}

async fn refresh_body(State(state): State<AppState>, req: Request) -> Response {
    let armed = begin_refresh(&state);
    if let Some(res) = armed.before().await {
        return res;
    }
    let outcome = match body_token(req).await {
        Ok(token) => rotate(&state, &token),
        Err(failure) => Err(failure),
    };
    armed.after().await;
    match outcome {
        Ok(issued) => body_success(issued),
        Err(failure) => failure.into_response(),
    }
}

/// Counts the call and arms the current fault; every refresh request passes here first.
fn begin_refresh(state: &AppState) -> Armed {
    let mut store = state.lock();
    store.counters.refresh_calls += 1;
    store.fault.take()
}

fn rotate(state: &AppState, token: &str) -> Result<Issued, Failure> {
    let ids = FreshIds::new().map_err(|_| Failure::Internal)?;
    let outcome = state.lock().rotate(token, ids);
    outcome.map_err(Failure::Refresh)
}

#[derive(Deserialize)]
struct RefreshJson {
    refresh: Option<String>,
}

#[derive(Deserialize)]
struct RefreshForm {
    grant_type: Option<String>,
    refresh_token: Option<String>,
}

/// The refresh token of a body-mode request: JSON `{"refresh"}` or, for OAuth clients, the
/// form `grant_type=refresh_token&refresh_token=...`.
async fn body_token(req: Request) -> Result<String, Failure> {
    let token = if is_form(req.headers()) {
        let Form(form) =
            Form::<RefreshForm>::from_request(req, &()).await.map_err(|_| Failure::MissingToken)?;
        if form.grant_type.as_deref().is_some_and(|g| g != "refresh_token") {
            return Err(Failure::UnsupportedGrant);
        }
        form.refresh_token
    } else {
        let body = read_body(req.into_body()).await.ok_or(Failure::MissingToken)?;
        serde_json::from_slice::<RefreshJson>(&body).ok().and_then(|b| b.refresh)
    };
    token.filter(|t| !t.is_empty()).ok_or(Failure::MissingToken)
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
}

async fn read_body(body: Body) -> Option<Bytes> {
    axum::body::to_bytes(body, BODY_LIMIT).await.ok()
}

async fn logout_cookie(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !csrf::passes(&state, &headers) {
        return csrf::refused();
    }
    end_session(&state, cookie_token(&headers).as_deref(), &headers);
    let clear = format!("{REFRESH_COOKIE}=; {COOKIE_ATTRS}; Max-Age=0");
    (StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response()
}

async fn logout_body(State(state): State<AppState>, req: Request) -> Response {
    let headers = req.headers().clone();
    let token = logout_token(req).await;
    end_session(&state, token.as_deref(), &headers);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct LogoutForm {
    refresh_token: Option<String>,
    token: Option<String>,
    refresh: Option<String>,
}

/// The refresh token of a body-mode logout: JSON `{"refresh"}`, or a form carrying
/// `refresh_token` (what tokenflight's form format sends), `token` (RFC 7009) or `refresh`.
async fn logout_token(req: Request) -> Option<String> {
    if is_form(req.headers()) {
        let Form(form) = Form::<LogoutForm>::from_request(req, &()).await.ok()?;
        return form.refresh_token.or(form.token).or(form.refresh);
    }
    let body = read_body(req.into_body()).await?;
    let value: serde_json::Value = serde_json::from_slice(&body).ok()?;
    value.get("refresh")?.as_str().map(str::to_owned)
}

/// Logout never fails: it revokes what it can identify and ignores the rest, so a client
/// can always call it to get back to a clean state.
///
/// Besides the refresh token's family, a bearer token sent along is blacklisted by jti, so
/// a logout without the cookie still kills the access token the client holds.
fn end_session(state: &AppState, refresh: Option<&str>, headers: &HeaderMap) {
    let mut store = state.lock();
    store.counters.logouts += 1;
    if let Some(family) = refresh.and_then(|t| store.family_of(t)) {
        store.revoke_family(&family);
    }
    if let Some(claims) = api::bearer(headers).and_then(|t| jwt::decode(&store.key, t).ok()) {
        store.revoked_jtis.insert(claims.jti, ());
    }
}

/// The `tf_refresh` cookie, from any `Cookie` header.
fn cookie_token(headers: &HeaderMap) -> Option<String> {
    csrf::cookie(headers, REFRESH_COOKIE)
}

fn cookie_success(state: &AppState, issued: Issued) -> Response {
    let max_age = state.lock().refresh_ttl;
    let cookie = format!("{REFRESH_COOKIE}={}; {COOKIE_ATTRS}; Max-Age={max_age}", issued.refresh);
    let body = json!({
        "access": issued.access,
        "expires_in": issued.expires_in,
        "token_type": "Bearer",
    });
    let mut res = ([(header::SET_COOKIE, cookie)], Json(body)).into_response();
    reply::no_store(res.headers_mut());
    res
}

fn body_success(issued: Issued) -> Response {
    let body = json!({
        "access": issued.access,
        "refresh": issued.refresh,
        "expires_in": issued.expires_in,
        "token_type": "Bearer",
    });
    let mut res = Json(body).into_response();
    reply::no_store(res.headers_mut());
    res
}
