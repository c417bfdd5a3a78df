//! Static files for the demo and the browser tests: `/pkg/*`, `/tests/fixtures/*`, and
//! everything else from `www/`, all uncached so a rebuilt package is picked up at once.

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tower_http::services::ServeDir;

use crate::reply;

pub fn routes(root: &Path) -> Router {
    Router::new()
        .nest_service("/pkg", ServeDir::new(root.join("pkg")))
        .nest_service("/tests/fixtures", ServeDir::new(root.join("tests/fixtures")))
        .fallback_service(ServeDir::new(root.join("www")))
        .layer(middleware::from_fn(static_headers))
}

/// The Content-Security-Policy of every page served here (the demo and the e2e fixtures): no
/// inline script, no `eval`; `'wasm-unsafe-eval'` is what compiling tokenflight's Wasm needs.
/// The README states this as the policy an app needs.
pub const CSP: &str = "script-src 'self' 'wasm-unsafe-eval'";

/// Forces the MIME types browsers insist on (module scripts and `WebAssembly.instantiateStreaming`
/// refuse anything else), whatever the MIME table of the day says, disables caching, and sets
/// the CSP.
async fn static_headers(req: Request, next: Next) -> Response {
    let forced = content_type(req.uri().path());
    let mut res = next.run(req).await;
    if let Some(mime) = forced.filter(|_| res.status().is_success()) {
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    }
    reply::no_store(res.headers_mut());
    res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    res
}

fn content_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.')?.1;
    if ext.eq_ignore_ascii_case("wasm") {
        Some("application/wasm")
    } else if ext.eq_ignore_ascii_case("js") || ext.eq_ignore_ascii_case("mjs") {
        Some("text/javascript")
    } else {
        None
    }
}
