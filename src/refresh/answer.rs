//! What an HTTP answer from the refresh endpoint means for the session: tokens, a rejection
//! that ends the session, or a failure that keeps it.

use crate::error::{EndReason, Error, RefreshFailure};
use crate::grant::{parse_grant, wipe, FieldNames, RefreshOutcome};
use crate::json::{self, Json};
use crate::prelude::*;
use crate::token::Secret;

/// An HTTP answer from the refresh endpoint, as read by the transport.
#[derive(Debug)]
pub struct RefreshAnswer {
    /// HTTP status; 0 for an opaque redirect.
    pub status: u16,
    /// `Content-Type` header.
    pub content_type: Option<String>,
    /// `Retry-After` header, already parsed to seconds.
    pub retry_after_s: Option<f64>,
    /// The response was (or would have been) a redirect.
    pub redirected: bool,
    /// The body, when it was read (2xx and 4xx only; capped at [`crate::grant::MAX_BODY_BYTES`]).
    /// `None` when unread or larger than the cap.
    pub body: Option<String>,
}

/// Whether the token endpoint's body needs reading for this status: token responses, and 4xx
/// answers, whose OAuth `error` member decides what they mean.
pub fn body_needed(status: u16) -> bool {
    (200..500).contains(&status) && !(300..400).contains(&status)
}

/// Classifies a refresh endpoint answer (the refresh-endpoint faults of docs/reliability.md).
///
/// Every body is zeroed once read, refused or not (a 400/401 answer may echo a token): it is
/// held as a `Secret` from here on, and `parse_grant` zeroes the one it is given. For an error
/// status the OAuth `error` member decides before the status (RFC 6749 §5.2: a server may answer
/// `invalid_client` with 401, a configuration problem, not the end of a session).
pub fn classify(answer: RefreshAnswer, fields: &FieldNames) -> RefreshOutcome {
    let RefreshAnswer { status, content_type, retry_after_s, redirected, body } = answer;
    let mut body = body.map(Secret::new);
    if redirected || (300..400).contains(&status) || status == 0 {
        return RefreshOutcome::failed(Error::InvalidRefreshResponse(
            "the refresh endpoint redirected",
        ));
    }
    let text = body.as_ref().map(Secret::expose);
    // Error answers only: a token response is parsed once, by `parse_grant`.
    let code = if status >= 400 { error_code(text) } else { None };
    let code = code.as_ref().map_or("", Secret::expose);
    if let Some(error) = configuration_error(code) {
        return RefreshOutcome::failed(error);
    }
    match status {
        200..=299 => {
            if !content_type.as_deref().is_some_and(is_json_media_type) {
                return RefreshOutcome::failed(Error::InvalidRefreshResponse(
                    "the content type is not JSON",
                ));
            }
            match body.as_mut().map(Secret::take) {
                None => {
                    RefreshOutcome::failed(Error::InvalidRefreshResponse("the body is too large"))
                }
                Some(b) => match parse_grant(b, fields) {
                    Ok(grant) => RefreshOutcome::Granted(grant),
                    Err(why) => RefreshOutcome::failed(Error::InvalidRefreshResponse(why)),
                },
            }
        }
        401 => RefreshOutcome::Rejected(rejection_reason(code, text)),
        _ if code == "invalid_grant" => RefreshOutcome::Rejected(rejection_reason(code, text)),
        403 => RefreshOutcome::failed(Error::RefreshFailed(RefreshFailure::Forbidden)),
        _ => RefreshOutcome::Failed {
            error: Error::RefreshFailed(RefreshFailure::Status(status)),
            retry_after_s,
        },
    }
}

/// `application/json` or any `+json` type, parameters ignored, case-insensitive.
fn is_json_media_type(content_type: &str) -> bool {
    let bytes = content_type.as_bytes();
    let media = bytes.split(|&b| b == b';').next().unwrap_or_default().trim_ascii();
    media.eq_ignore_ascii_case(b"application/json")
        || media.len() > 5 && media[media.len() - 5..].eq_ignore_ascii_case(b"+json")
}

/// `error` values that mean the client is set up wrongly (its `client_id`, its grant types, the
/// request's parameters or scope): retrying cannot help until the configuration changes.
const CONFIGURATION_ERRORS: [&str; 5] = [
    "invalid_client",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_request",
    "invalid_scope",
];

/// `RefreshMisconfigured` when an error body's code is a configuration error (RFC 6749 §5.2).
pub fn configuration_error(code: &str) -> Option<Error> {
    for known in &CONFIGURATION_ERRORS {
        if *known == code {
            return Some(Error::RefreshMisconfigured(known));
        }
    }
    None
}

/// Longest description shown, in bytes; a longer one is cut.
pub const MAX_DESCRIPTION: usize = 64;

/// A description with a run of token characters at least this long is left out: no word of a
/// description is that long, every token is.
const TOKEN_RUN: usize = 24;

/// The error body's `error_description`, fit for an error message: printable ASCII (RFC 6749
/// §5.2 allows no more; other bytes become `?`), at most [`MAX_DESCRIPTION`] bytes, and empty
/// when it holds anything token-like (a server that echoes a token must not put it in a message).
pub fn server_description(body: Option<&str>) -> String {
    let raw = member(body, &["error_description"]);
    let mut text = String::new();
    let mut run = 0;
    for &b in raw.as_ref().map_or("", Secret::expose).as_bytes() {
        let token_char = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~' | b'+' | b'/' | b'=');
        run = if token_char { run + 1 } else { 0 };
        if run >= TOKEN_RUN {
            return String::new();
        }
        if text.len() < MAX_DESCRIPTION {
            text.push(if b == b' ' || b.is_ascii_graphic() { char::from(b) } else { '?' });
        }
    }
    text
}

/// Whether a server's code or description says the token or its family was revoked,
/// blacklisted or reused.
fn mentions_revocation(text: &str) -> bool {
    ["revoked", "blacklist", "reuse"].iter().any(|word| contains_ignore_case(text, word))
}

/// Case-insensitive ASCII substring test on bytes (no `&str` pattern machinery).
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    // By start index rather than `windows`, whose zero-size check links a panic message.
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    (0..h.len()).any(|i| h.get(i..i + n.len()).is_some_and(|w| w.eq_ignore_ascii_case(n)))
}

/// `revoked` when the server says (in its error code or description) the token or its family
/// was revoked, blacklisted or reused; otherwise `expired`.
fn rejection_reason(code: &str, body: Option<&str>) -> EndReason {
    let description = member(body, &["error_description"]);
    if mentions_revocation(code)
        || mentions_revocation(description.as_ref().map_or("", Secret::expose))
    {
        EndReason::Revoked
    } else {
        EndReason::Expired
    }
}

/// The machine-readable error code of an error body: `code`, else `error`.
pub fn error_code(body: Option<&str>) -> Option<Secret> {
    member(body, &["code", "error"])
}

/// The first of `keys` that is a string member of the JSON object `body`. The rest of the
/// parsed document is zeroed, and so is the value when dropped (an error body may echo a token).
pub fn member(body: Option<&str>, keys: &[&str]) -> Option<Secret> {
    let mut doc = json::parse(body?).ok()?;
    let code = keys.iter().find_map(|k| match doc.take(k) {
        Some(Json::String(code)) => Some(Secret::new(code)),
        Some(mut other) => {
            wipe(&mut other);
            None
        }
        None => None,
    });
    wipe(&mut doc);
    code
}
