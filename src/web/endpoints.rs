//! The auth endpoint calls: refresh (for the coordinator), login, the authorization-code
//! exchange, and logout with the refresh token's revocation.

use core::future::{poll_fn, Future};
use core::pin::Pin;

use wasm_bindgen::JsValue;

use crate::prelude::*;

use super::convert::{get, header};
use super::net::{post_and_read, Exchange, Failure, Post};
use super::options::Options;
use crate::error::{Error, RefreshFailure};
use crate::grant::{parse_grant, Grant, RefreshOutcome};
use crate::refresh::answer::{
    body_needed, classify, configuration_error, error_code, RefreshAnswer,
};
use crate::refresh::body::{code_body, refresh_body, revocation_body, Params, FORM};
use crate::session::backoff::parse_retry_after;
use crate::session::RefreshTokenIn;
use crate::token::Secret;

/// The refresh call: POST to the exact configured URL with the configured headers, the cookie
/// (cookie mode) or the refresh token in the body (body mode), `refreshParams`, and never the
/// access token. The request is made now (the body is zeroed once handed to it); the future
/// reads the answer.
pub fn refresh(
    options: &Options,
    refresh_token: Option<Secret>,
) -> impl Future<Output = RefreshOutcome> + '_ {
    let body = refresh_body(
        options.body_format,
        options.refresh_field(),
        refresh_token.as_ref(),
        &options.refresh_params,
    );
    drop(refresh_token);
    let post = Post {
        url: &options.refresh_url,
        credentials: match options.refresh_token_in {
            RefreshTokenIn::Cookie => "include",
            RefreshTokenIn::Body => "same-origin",
        },
        headers: options.refresh_headers.as_ref(),
        body: body.as_ref().map(|(kind, b)| (*kind, b.expose())),
    };
    let mut exchange = post_and_read(options, post, body_needed);
    drop(body);
    poll_fn(move |cx| Pin::new(&mut exchange).poll(cx).map(|x| refresh_outcome(options, x)))
}

/// What the refresh endpoint's answer means.
fn refresh_outcome(options: &Options, exchange: Result<Exchange, Failure>) -> RefreshOutcome {
    match exchange {
        Ok(x) => {
            // `type` read as a string: web-sys's enum getter ships a table of every value.
            let redirected = x.response.redirected()
                || get(&x.response, "type").as_string().as_deref() == Some("opaqueredirect");
            let answer = RefreshAnswer {
                status: x.response.status(),
                content_type: header(&x.response, "content-type"),
                retry_after_s: header(&x.response, "retry-after")
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

/// How the app signs in: credentials for `loginUrl`, or an authorization code for `tokenUrl`.
pub enum SignIn {
    /// `login(credentials)`: POSTed as JSON to `loginUrl`, cookies included so the server can
    /// set the refresh cookie.
    Login(JsValue),
    /// `exchangeCode({ code, codeVerifier, redirectUri })`: the authorization-code grant
    /// (RFC 6749 §4.1.3 with PKCE) form-encoded to `tokenUrl` with `refreshParams`.
    Code(JsValue),
}

/// Signs in: makes the request now (`Err`: the arguments or options do not allow it) and
/// returns a future of the tokens the server answered with. One request path for both ways, so
/// the Wasm carries one copy of it.
pub fn sign_in<'a>(
    options: &'a Options,
    how: &SignIn,
) -> Result<impl Future<Output = Result<Grant, Error>> + 'a, Error> {
    let (url, credentials, kind, body) = match how {
        SignIn::Login(credentials) => {
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
            (url, "include", "application/json", json)
        }
        SignIn::Code(grant) => {
            // Read in a loop: one error path for the three.
            const KEYS: [&str; 3] = ["code", "codeVerifier", "redirectUri"];
            let mut fields: [String; 3] = Default::default();
            for i in 0..3 {
                fields[i] = get(grant, KEYS[i]).as_string().filter(|s| !s.is_empty()).ok_or(
                    Error::InvalidArgument {
                        argument: KEYS[i],
                        problem: "must be a non-empty string",
                    },
                )?;
            }
            let [code, verifier, redirect_uri] = &fields;
            let body = code_body(code, verifier, redirect_uri, &options.refresh_params);
            let url = options.token_url.as_deref().unwrap_or(&options.refresh_url);
            (url, "same-origin", FORM, body)
        }
    };
    let post = Post { url, credentials, headers: None, body: Some((kind, body.expose())) };
    let mut exchange = post_and_read(options, post, body_needed);
    drop(body);
    Ok(poll_fn(move |cx| Pin::new(&mut exchange).poll(cx).map(|x| signed_in(options, x))))
}

/// What the token endpoint's answer to a sign-in means.
fn signed_in(options: &Options, exchange: Result<Exchange, Failure>) -> Result<Grant, Error> {
    let x = exchange.map_err(|_| Error::LoginFailed(None))?;
    if !(200..300).contains(&x.response.status()) {
        // A configuration error (RFC 6749 §5.2) is named as for the refresh; anything else (a
        // used or expired code: `invalid_grant`, wrong credentials) is a failed login. The
        // error body is zeroed once read, as the refresh endpoint's.
        let body = x.body.map(Secret::new);
        let text = body.as_ref().map(Secret::expose);
        let code = error_code(text);
        let code = code.as_ref().map_or("", Secret::expose);
        return Err(
            configuration_error(code).unwrap_or(Error::LoginFailed(Some(x.response.status())))
        );
    }
    let text = x.body.ok_or(Error::InvalidLoginResponse("the body is too large or unreadable"))?;
    parse_grant(text, &options.fields).map_err(Error::InvalidLoginResponse)
}

/// Tells the server to end the session, best effort: every failure is ignored. In body mode
/// the refresh token is revoked at `revocationUrl` (RFC 7009, form-encoded with the
/// `client_id` of `refreshParams`) and sent to `logoutUrl` so the server can revoke it
/// (SimpleJWT's blacklist endpoint).
pub async fn logout(options: &Options, refresh_token: Option<Secret>) {
    let token = refresh_token.as_ref();
    if let (Some(url), Some(t)) = (options.revocation_url.as_deref(), token) {
        let body = revocation_body(t, &options.refresh_params);
        let post = Post {
            url,
            credentials: "same-origin",
            headers: None,
            body: Some((FORM, body.expose())),
        };
        let _ = post_and_read(options, post, |_| false).await;
    }
    let Some(url) = options.logout_url.as_deref() else {
        return;
    };
    let body = refresh_body(options.body_format, options.refresh_field(), token, Params::NONE);
    drop(refresh_token);
    let post = Post {
        url,
        credentials: "include",
        headers: options.refresh_headers.as_ref(),
        body: body.as_ref().map(|(kind, b)| (*kind, b.expose())),
    };
    let _ = post_and_read(options, post, |_| false).await;
}
