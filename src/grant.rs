//! What a token endpoint grants: the tokens of a login or refresh (parsed from a token response
//! body, RFC 6749 §5.1) and what a refresh call came to. Below the session and the refresh core,
//! which both use these types.

use crate::error::{EndReason, Error};
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
    /// The granted scope (RFC 6749 §5.1), when the server states it.
    pub scope: Option<String>,
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
            return Err("token_type is not Bearer (DPoP is not supported)");
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
    // Not a secret: the scope names what the token may do.
    let scope = doc.get("scope").and_then(Json::as_str).map(str::to_owned);
    Ok(Grant { access, refresh, id_token, expires_in_s, scope })
}

/// Moves the token out of the first present member; it must be a non-empty string of visible
/// ASCII (anything else cannot be sent in an `Authorization` header).
fn take_token(doc: &mut Json, configured: Option<&str>, defaults: &[&str]) -> Option<Secret> {
    let value = match configured {
        Some(name) => doc.take(name),
        None => defaults.iter().find_map(|name| doc.take(name)),
    };
    take_token_value(value?)
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
    /// A failure without a server-requested delay.
    pub fn failed(error: Error) -> Self {
        RefreshOutcome::Failed { error, retry_after_s: None }
    }
}
