//! Reading token endpoint answers: the token response body (login and refresh) and what an HTTP
//! answer from the refresh endpoint means for the session.

use crate::error::{EndReason, Error, Transient};
use crate::json::{self, Json};
use crate::prelude::*;
use crate::token::{usable_expires_in, zero_string, Secret};

/// Largest token response body read. Real ones are a few KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Tokens from a successful login or refresh.
#[derive(Debug)]
pub struct Grant {
    /// The new access token.
    pub access: Secret,
    /// A rotated refresh token, if the server sent one (kept only in body mode).
    pub refresh: Option<Secret>,
    /// An OpenID Connect ID token, preferred for displaying claims.
    pub id_token: Option<Secret>,
    /// Seconds of validity the server declared, if usable.
    pub expires_in_s: Option<f64>,
}

/// Which JSON members hold the tokens. `None`: the first of the usual names.
#[derive(Clone, Debug, Default)]
pub struct FieldNames {
    /// Access token member; default: first of `access_token`, `access`, `accessToken`.
    pub access: Option<String>,
    /// Refresh token member; default: first of `refresh_token`, `refresh`, `refreshToken`.
    pub refresh: Option<String>,
}

const ACCESS_NAMES: [&str; 3] = ["access_token", "access", "accessToken"];
const REFRESH_NAMES: [&str; 3] = ["refresh_token", "refresh", "refreshToken"];

/// Parses a token response body. The body is wiped from memory afterwards, as is every string
/// of the parsed document that is not kept.
pub fn parse_grant(mut body: String, fields: &FieldNames) -> Result<Grant, &'static str> {
    let parsed = json::parse(&body);
    zero_string(&mut body);
    let mut doc = parsed.map_err(|_| "the body is not valid JSON")?;
    let grant = extract(&mut doc, fields);
    wipe(&mut doc);
    grant
}

fn extract(doc: &mut Json, fields: &FieldNames) -> Result<Grant, &'static str> {
    if !matches!(doc, Json::Object(_)) {
        return Err("the body is not a JSON object");
    }
    if let Some(kind) = doc.get("token_type") {
        if !kind.as_str().is_some_and(|k| k.eq_ignore_ascii_case("bearer")) {
            return Err("token_type is not Bearer");
        }
    }
    let access = take_token(doc, fields.access.as_deref(), &ACCESS_NAMES).ok_or(
        "no access token (expected a non-empty string in access_token, access or accessToken)",
    )?;
    let refresh = take_token(doc, fields.refresh.as_deref(), &REFRESH_NAMES);
    let id_token = take_token(doc, Some("id_token"), &[]);
    let expires_in_s = match doc.get("expires_in") {
        Some(Json::Number(n)) => usable_expires_in(*n),
        _ => None, // missing, string, null...: unknown lifetime, renewed reactively
    };
    Ok(Grant { access, refresh, id_token, expires_in_s })
}

/// Moves the token out of the first present member; it must be a non-empty string of visible
/// ASCII (anything else cannot be sent in an `Authorization` header).
fn take_token(doc: &mut Json, configured: Option<&str>, defaults: &[&str]) -> Option<Secret> {
    let name = match configured {
        Some(n) => n,
        None => defaults.iter().copied().find(|n| doc.get(n).is_some())?,
    };
    take_token_value(doc.take(name)?)
}

/// A token moved out of a JSON value: a non-empty string of visible ASCII (anything else cannot
/// be sent in an `Authorization` header, and is zeroed).
pub(crate) fn take_token_value(value: Json) -> Option<Secret> {
    match value {
        Json::String(s) if !s.is_empty() && s.bytes().all(|b| (0x21..0x7f).contains(&b)) => {
            Some(Secret::new(s))
        }
        mut other => {
            wipe(&mut other);
            None
        }
    }
}

/// Zeroes every string left in a parsed document before it is dropped.
pub(crate) fn wipe(doc: &mut Json) {
    match doc {
        Json::String(s) => zero_string(s),
        Json::Array(items) => items.iter_mut().for_each(wipe),
        Json::Object(members) => members.iter_mut().for_each(|(k, v)| {
            zero_string(k);
            wipe(v);
        }),
        _ => {}
    }
}

/// What the refresh endpoint's answer means.
#[derive(Debug)]
pub enum RefreshOutcome {
    /// New tokens.
    Granted(Grant),
    /// The refresh token was refused: the session is over.
    Rejected(EndReason),
    /// The refresh did not work now; the session is kept. `retry_after_s` from the server.
    Failed {
        /// The error every waiter receives.
        error: Error,
        /// Seconds the server asked us to wait (`Retry-After`).
        retry_after_s: Option<f64>,
    },
}

impl RefreshOutcome {
    fn failed(error: Error) -> Self {
        RefreshOutcome::Failed { error, retry_after_s: None }
    }
}

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
    /// The body, when it was read (2xx, 400, 401 only; capped at [`MAX_BODY_BYTES`]). `None` when
    /// unread or larger than the cap.
    pub body: Option<String>,
}

/// Whether the refresh endpoint's body needs reading for this status.
pub fn body_needed(status: u16) -> bool {
    (200..300).contains(&status) || status == 400 || status == 401
}

/// Classifies a refresh endpoint answer (RELIABILITY.md §B).
///
/// Every body is zeroed once read, refused or not (a 400/401 answer may echo a token): it is
/// held as a `Secret` from here on, and `parse_grant` zeroes the one it is given.
pub fn classify(answer: RefreshAnswer, fields: &FieldNames) -> RefreshOutcome {
    let RefreshAnswer { status, content_type, retry_after_s, redirected, body } = answer;
    let mut body = body.map(Secret::new);
    if redirected || (300..400).contains(&status) || status == 0 {
        return RefreshOutcome::failed(Error::InvalidRefreshResponse(
            "the refresh endpoint redirected",
        ));
    }
    let text = body.as_ref().map(Secret::expose);
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
        401 => RefreshOutcome::Rejected(rejection_reason(text)),
        400 if error_code(text).is_some_and(|c| c.expose() == "invalid_grant") => {
            RefreshOutcome::Rejected(rejection_reason(text))
        }
        403 => RefreshOutcome::failed(Error::RefreshFailed(Transient::Forbidden)),
        _ => RefreshOutcome::Failed {
            error: Error::RefreshFailed(Transient::Status(status)),
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

/// Case-insensitive ASCII substring test on bytes (no `&str` pattern machinery).
fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// `revoked` when the server says the token or its family was revoked, blacklisted or reused;
/// otherwise `expired`.
fn rejection_reason(body: Option<&str>) -> EndReason {
    let revoked = error_code(body).is_some_and(|code| {
        ["revoked", "blacklist", "reuse"]
            .iter()
            .any(|word| contains_ignore_case(code.expose(), word))
    });
    if revoked {
        EndReason::Revoked
    } else {
        EndReason::Expired
    }
}

/// The machine-readable error code of an error body: `code`, else `error`. The rest of the
/// parsed document is zeroed, and so is the code when dropped (an error body may echo a token).
pub fn error_code(body: Option<&str>) -> Option<Secret> {
    let mut doc = json::parse(body?).ok()?;
    let code = ["code", "error"].iter().find_map(|k| match doc.take(k) {
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
