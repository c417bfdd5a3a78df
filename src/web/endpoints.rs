//! The three auth endpoint calls: refresh (for the coordinator), login and logout.

use wasm_bindgen::JsValue;

use super::convert::get;
use super::net::{post_and_read, Failure, Post};
use super::options::Options;
use crate::error::{Error, RefreshFailure};
use crate::grant::{parse_grant, Grant, RefreshOutcome};
use crate::refresh::answer::{body_needed, classify, RefreshAnswer};
use crate::refresh::body::refresh_token_body;
use crate::session::backoff::parse_retry_after;
use crate::session::RefreshTokenIn;
use crate::token::Secret;

/// The refresh call: POST to the exact configured URL with the configured headers, the cookie
/// (cookie mode) or the refresh token in the body (body mode), and never the access token.
pub async fn refresh(options: &Options, refresh_token: Option<Secret>) -> RefreshOutcome {
    let body =
        refresh_token.map(|t| refresh_token_body(options.body_format, options.refresh_field(), &t));
    let post = Post {
        url: &options.refresh_url,
        credentials: match options.refresh_token_in {
            RefreshTokenIn::Cookie => "include",
            RefreshTokenIn::Body => "same-origin",
        },
        headers: options.refresh_headers.as_ref(),
        body: body.as_ref().map(|(kind, b)| (*kind, b.expose())),
    };
    let exchange = post_and_read(options, post, options.endpoint_timeout_ms, body_needed).await;
    drop(body);
    match exchange {
        Ok(x) => {
            let headers = x.response.headers();
            // `type` read as a string: web-sys's enum getter ships a table of every value.
            let redirected = x.response.redirected()
                || get(&x.response, "type").as_string().as_deref() == Some("opaqueredirect");
            let answer = RefreshAnswer {
                status: x.response.status(),
                content_type: headers.get("content-type").ok().flatten(),
                retry_after_s: headers
                    .get("retry-after")
                    .ok()
                    .flatten()
                    .as_deref()
                    .and_then(parse_retry_after),
                redirected,
                body: x.body,
            };
            classify(answer, &options.fields)
        }
        Err(failure) => RefreshOutcome::Failed {
            error: Error::RefreshFailed(match failure {
                Failure::Network => RefreshFailure::Network,
                Failure::Timeout => RefreshFailure::Timeout,
            }),
            retry_after_s: None,
        },
    }
}

/// POSTs the credentials as JSON to `loginUrl` (cookies included, so the server can set the
/// refresh cookie) and returns the tokens it answered with.
pub async fn login(options: &Options, credentials: &JsValue) -> Result<Grant, Error> {
    let url = options.login_url.as_deref().ok_or(Error::InvalidOptions {
        option: "loginUrl",
        problem: "must be set to use login()",
    })?;
    // The credentials carry a password: a Secret, zeroed once sent.
    let json = js_sys::JSON::stringify(credentials)
        .ok()
        .and_then(|s| s.as_string())
        .map(Secret::new)
        .ok_or(Error::InvalidArgument {
            argument: "login(credentials)",
            problem: "must be serializable as JSON",
        })?;
    let post = Post {
        url,
        credentials: "include",
        headers: None,
        body: Some(("application/json", json.expose())),
    };
    let x = post_and_read(options, post, options.endpoint_timeout_ms, |s| (200..300).contains(&s))
        .await
        .map_err(|_| Error::LoginFailed(None))?;
    if !x.response.ok() {
        return Err(Error::LoginFailed(Some(x.response.status())));
    }
    let text = x.body.ok_or(Error::InvalidLoginResponse("the body is too large or unreadable"))?;
    parse_grant(text, &options.fields).map_err(Error::InvalidLoginResponse)
}

/// Tells the server to end the session, best effort: every failure is ignored. In body mode
/// the refresh token is sent so the server can revoke it (SimpleJWT's blacklist endpoint).
pub async fn logout(options: &Options, refresh_token: Option<Secret>) {
    let Some(url) = options.logout_url.as_deref() else {
        return;
    };
    let body =
        refresh_token.map(|t| refresh_token_body(options.body_format, options.refresh_field(), &t));
    // The refresh headers too: a server that checks CSRF on refresh checks it on logout.
    let post = Post {
        url,
        credentials: "include",
        headers: options.refresh_headers.as_ref(),
        body: body.as_ref().map(|(kind, b)| (*kind, b.expose())),
    };
    let _ = post_and_read(options, post, options.endpoint_timeout_ms, |_| false).await;
}
