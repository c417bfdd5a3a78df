//! What keeps the unauthenticated control routes (`/__test/…`, `/__admin/…`) to the tests that
//! run them, beyond listening on loopback only:
//!
//! - `Host` must name loopback, so a DNS-rebinding page (`http://evil.example` resolved to
//!   127.0.0.1) is refused;
//! - a POST must be `application/json`, which a page of another origin cannot send without a
//!   CORS preflight that this server never grants (JSON as `text/plain` is a "simple" request).

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::reply;

pub async fn control_only(request: Request, next: Next) -> Response {
    if !loopback_host(request.headers()) {
        return reply::error(StatusCode::FORBIDDEN, "HOST_NOT_ALLOWED", "Loopback Host only.");
    }
    if request.method() == Method::POST && !is_json(request.headers()) {
        return reply::error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "JSON_REQUIRED",
            "Control requests must be sent as application/json.",
        );
    }
    next.run(request).await
}

/// `Host` is `127.0.0.1`, `localhost` or `[::1]`, with an optional numeric port.
fn loopback_host(headers: &HeaderMap) -> bool {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .and_then(split_host_port)
        .is_some_and(|(host, _)| is_loopback(host))
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

pub fn is_loopback(host: &str) -> bool {
    matches!(host.to_ascii_lowercase().as_str(), "127.0.0.1" | "localhost" | "[::1]")
}

/// `host[:port]` → (host, port), the port numeric if present; `None` for anything else.
pub fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = match authority.rfind(':') {
        // An IPv6 literal's own colons sit inside the brackets.
        Some(i) if !authority[i..].contains(']') => (&authority[..i], Some(&authority[i + 1..])),
        _ => (authority, None),
    };
    let port = match port {
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => Some(p.parse().ok()?),
        Some(_) => return None,
        None => None,
    };
    (!host.is_empty()).then_some((host, port))
}

/// A redirect target on loopback: `http://` + a loopback host + an explicit port, then a path,
/// query or nothing. Parsed, not prefix-matched: `http://127.0.0.1:@evil.example/` has
/// userinfo and the host `evil.example`; backslashes and whitespace are refused outright
/// (browsers read `\` as `/` in http URLs).
pub fn loopback_target(target: &str) -> bool {
    let Some(rest) = target.strip_prefix("http://") else { return false };
    if target.contains(|c: char| c.is_whitespace() || c.is_control() || c == '\\') {
        return false;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    if authority.contains(['@', '%']) {
        return false;
    }
    matches!(split_host_port(authority), Some((host, Some(_))) if is_loopback(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_targets_are_parsed_not_prefix_matched() {
        for ok in ["http://127.0.0.1:9/api/me", "http://localhost:8080", "http://[::1]:9/?a=b"] {
            assert!(loopback_target(ok), "{ok}");
        }
        for bad in [
            "http://127.0.0.1:@evil.example/",
            "http://127.0.0.1:80@evil.example/",
            "http://user:pw@127.0.0.1:80/",
            "http://127.0.0.1:80\\@evil.example/",
            "http://127.0.0.1.evil.example:80/",
            "http://127.0.0.1:/",
            "http://127.0.0.1/",
            "http://127.0.0.1:99999/",
            "http://127.0.0.1:8x/",
            "https://127.0.0.1:9/",
            "http://example.com/",
            "http://127.0.0.1:9 /",
            "http://127%2e0.0.1:9/",
            "",
        ] {
            assert!(!loopback_target(bad), "{bad}");
        }
    }
}
