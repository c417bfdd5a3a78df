//! Opt-in double-submit CSRF check (`--csrf`) for the cookie-mode refresh and logout, as
//! Django does for every unsafe request: the server sets a script-readable cookie `tf_csrf`, and
//! a request must carry the same value in `X-CSRFToken`. A page of another site can make the
//! browser send the cookie, but can neither read it nor add the header without a preflight that
//! this server never grants. tokenflight sends the header through its `refreshHeaders` option.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::random;
use crate::reply;
use crate::state::AppState;

pub const COOKIE: &str = "tf_csrf";
const HEADER: &str = "x-csrftoken";

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Whether the request passes: the check is off, or the header equals the cookie.
pub fn passes(state: &AppState, headers: &HeaderMap) -> bool {
    if !state.lock().csrf {
        return true;
    }
    let sent = headers.get(HEADER).and_then(|v| v.to_str().ok());
    let ok = matches!((cookie(headers, COOKIE), sent), (Some(c), Some(h)) if c == h);
    if !ok {
        state.lock().counters.csrf_failures += 1;
    }
    ok
}

/// 403 as Django answers a failed CSRF check (the client keeps its session: not a 401).
pub fn refused() -> Response {
    reply::error(
        StatusCode::FORBIDDEN,
        "CSRF_FAILED",
        "CSRF Failed: CSRF token missing or incorrect.",
    )
}

/// `Set-Cookie` for a fresh CSRF cookie, when the request has none.
pub fn issue(headers: &HeaderMap) -> Option<String> {
    if cookie(headers, COOKIE).is_some() {
        return None;
    }
    let value = random::hex_id::<16>().ok()?;
    // Readable by the page's scripts on purpose (that is the double submit); SameSite=Strict.
    Some(format!("{COOKIE}={value}; SameSite=Strict; Path=/"))
}

/// `GET /api/csrf/`: sets the CSRF cookie if missing (like Django's `ensure_csrf_cookie`).
pub async fn ensure_cookie(State(_): State<AppState>, headers: HeaderMap) -> Response {
    match issue(&headers) {
        Some(cookie) => (StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}
