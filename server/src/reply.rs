//! Response builders shared by the handlers, so every error has the same JSON shape and the
//! request log can name the rejection code.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// The rejection code of a response, read back by the request log. Carried as a response
/// extension so the log never has to parse a body (which may hold a token).
#[derive(Debug, Clone, Copy)]
pub struct RejectCode(pub &'static str);

/// `{"code": code, "detail": detail}` with `status`.
pub fn error(status: StatusCode, code: &'static str, detail: &str) -> Response {
    let mut res = (status, Json(json!({ "code": code, "detail": detail }))).into_response();
    res.extensions_mut().insert(RejectCode(code));
    res
}

/// An OAuth-style `{"error": ..., "error_description": ...}` (RFC 6749 §5.2) for the
/// body-mode refresh endpoint, whose form variant speaks OAuth.
pub fn oauth_error(status: StatusCode, error: &'static str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    let mut res = (status, Json(body)).into_response();
    res.extensions_mut().insert(RejectCode(error));
    res
}

/// 400 for a request body that is not what the endpoint takes.
pub fn bad_request(detail: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "BAD_REQUEST", detail)
}

/// 500 for the "cannot happen" paths (no randomness, signing failed).
pub fn server_error() -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "SERVER_ERROR",
        "The server could not complete the request.",
    )
}

/// Adds `Cache-Control: no-store`: token responses must never be cached (RFC 6749 §5.1),
/// and neither must the static files while someone is iterating on them.
pub fn no_store(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}
