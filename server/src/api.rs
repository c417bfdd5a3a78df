//! The protected API and access-token validation.
//!
//! Every rejection names exactly one cause, checked in a fixed order (missing, malformed,
//! bad signature, expired, revoked), because the client reacts differently to each: refresh
//! on expired, log out on revoked, and so on.

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::json;

use crate::jwt::{self, Claims, DecodeError};
use crate::reply;
use crate::state::{AppState, Store};

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/api/data", get(data).post(data))
        .route("/api/me", get(me))
        .route("/api/admin/", get(admin))
        .route("/api/echo", axum::routing::post(echo))
        .route_layer(middleware::from_fn_with_state(state, require_access))
}

/// Why an access token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    NotAuthenticated,
    Malformed,
    BadSignature,
    Expired,
    Revoked,
}

impl Rejection {
    pub fn code(self) -> &'static str {
        match self {
            Rejection::NotAuthenticated => "NOT_AUTHENTICATED",
            Rejection::Malformed => "MALFORMED_TOKEN",
            Rejection::BadSignature => "INVALID_SIGNATURE",
            Rejection::Expired => "TOKEN_EXPIRED",
            Rejection::Revoked => "TOKEN_REVOKED",
        }
    }

    fn detail(self) -> &'static str {
        match self {
            Rejection::NotAuthenticated => "Authentication credentials were not provided.",
            Rejection::Malformed => "The access token is not a well-formed JWT.",
            Rejection::BadSignature => "The access token's signature is not valid.",
            Rejection::Expired => "The access token has expired.",
            Rejection::Revoked => "The access token has been revoked.",
        }
    }

    /// 401 with the common body and the RFC 6750 challenge.
    pub fn into_response(self) -> Response {
        let mut res = reply::error(StatusCode::UNAUTHORIZED, self.code(), self.detail());
        let challenge = match self {
            // RFC 6750 §3.1: no error code when the request carried no credentials.
            Rejection::NotAuthenticated => "Bearer realm=\"tokenflight\"".to_owned(),
            _ => format!("Bearer error=\"invalid_token\", error_description=\"{}\"", self.code()),
        };
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            res.headers_mut().insert(header::WWW_AUTHENTICATE, value);
        }
        res
    }
}

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive).
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Validates the access token of a request, in the documented rejection order.
pub fn check_access(store: &Store, headers: &HeaderMap) -> Result<Claims, Rejection> {
    let token = bearer(headers).ok_or(Rejection::NotAuthenticated)?;
    let claims = jwt::decode(&store.key, token).map_err(|e| match e {
        DecodeError::Malformed => Rejection::Malformed,
        DecodeError::BadSignature => Rejection::BadSignature,
    })?;
    if jwt::now_secs() >= claims.exp || store.expiry.is_expired(&claims) {
        return Err(Rejection::Expired);
    }
    let family_revoked = store.families.get(&claims.fam).is_none_or(|f| f.revoked);
    let user_invalid =
        store.users.get(&claims.sub).is_none_or(|u| !u.active || u.token_version != claims.ver);
    if family_revoked || user_invalid || store.revoked_jtis.contains(&claims.jti) {
        return Err(Rejection::Revoked);
    }
    Ok(claims)
}

/// Authenticates every protected request and keeps the API counters. Handlers behind it
/// receive the verified [`Claims`] as an extension.
async fn require_access(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let checked = {
        let mut store = state.lock();
        store.counters.api_calls += 1;
        if req.headers().contains_key(axum::http::header::AUTHORIZATION) {
            store.counters.api_calls_with_token += 1;
        }
        let checked = check_access(&store, req.headers());
        if checked.is_err() {
            store.counters.api_401s += 1;
        }
        if matches!(checked, Err(Rejection::Revoked)) {
            store.counters.revoked_token_requests += 1;
        }
        checked
    };
    let claims = match checked {
        Ok(claims) => claims,
        Err(rejection) => return rejection.into_response(),
    };
    req.extensions_mut().insert(claims);
    let res = next.run(req).await;
    if res.status() == StatusCode::UNAUTHORIZED {
        state.lock().counters.api_401s += 1;
    }
    res
}

async fn data(Extension(claims): Extension<Claims>, method: Method, body: Bytes) -> Response {
    Json(json!({ "ok": true, "user": claims.sub, "method": method.as_str(), "bytes": body.len() }))
        .into_response()
}

/// Answers the request body byte for byte with its content type, so a test can check that a
/// replayed body is the one the app sent; `?status=N` (200-599) answers with status N instead,
/// for the HTTP clients' own error types.
async fn echo(uri: axum::http::Uri, headers: HeaderMap, body: Bytes) -> Response {
    let status = uri
        .query()
        .and_then(|q| q.strip_prefix("status="))
        .and_then(|n| n.parse::<u16>().ok())
        .filter(|n| (200..600).contains(n))
        .and_then(|n| StatusCode::from_u16(n).ok())
        .unwrap_or(StatusCode::OK);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

async fn me(Extension(claims): Extension<Claims>) -> Response {
    Json(json!({ "sub": claims.sub, "name": claims.name, "role": claims.role })).into_response()
}

async fn admin(Extension(claims): Extension<Claims>) -> Response {
    if claims.role != "admin" {
        let mut res = reply::error(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "This endpoint needs the admin role.",
        );
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"insufficient_scope\", scope=\"admin\""),
        );
        return res;
    }
    Json(json!({ "ok": true, "admin": claims.sub })).into_response()
}
