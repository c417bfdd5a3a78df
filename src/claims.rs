//! Display-only decoding of JWT claims.
//!
//! The payload of a JWS is base64url JSON, not encrypted and not verified here. Claims are shown
//! to people; they never decide anything (RFC 9068 §6: access tokens are opaque to clients).

use crate::base64url;
use crate::json::{self, Json};
use crate::prelude::*;
use crate::text;

/// Largest token we attempt to decode. Real JWTs are a few KiB; bigger input is refused before
/// any decoding work is done.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Why a token's claims could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimsError {
    /// The token is empty.
    Empty,
    /// Longer than [`MAX_TOKEN_BYTES`].
    TooLarge,
    /// Not three dot-separated segments (a JWS) nor five (a JWE).
    SegmentCount,
    /// The header or payload segment is empty.
    EmptySegment,
    /// A segment is not strict unpadded base64url.
    Base64,
    /// The decoded bytes are not UTF-8.
    Utf8,
    /// The decoded text is not JSON (or nested too deep, or repeats a key).
    Json,
    /// The JSON is valid but not an object.
    NotAnObject,
}

/// Decodes the claims of a compact JWS for display.
///
/// `Ok(None)` means "a JWE (five segments): encrypted, nothing to show", which is not an error
/// for the app. Anything else malformed is an error the caller turns into "no claims".
pub fn decode(token: &str) -> Result<Option<Json>, ClaimsError> {
    Ok(decode_with_text(token)?.map(|(claims, _)| claims))
}

/// Like [`decode`], also returning the payload's JSON text (already validated as a strict JSON
/// object), so the browser layer can hand it to `JSON.parse` instead of rebuilding it.
pub fn decode_with_text(token: &str) -> Result<Option<(Json, String)>, ClaimsError> {
    if token.is_empty() {
        return Err(ClaimsError::Empty);
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(ClaimsError::TooLarge);
    }
    // Three segments (two dots), or five for a JWE.
    match token.bytes().filter(|&b| b == b'.').count() {
        2 => {}
        4 => return Ok(None),
        _ => return Err(ClaimsError::SegmentCount),
    }
    let (header, rest) = split_at_dot(token.as_bytes());
    let (payload, _signature) = split_at_dot(rest);
    if header.is_empty() || payload.is_empty() {
        return Err(ClaimsError::EmptySegment);
    }
    decode_object(header)?;
    decode_object(payload).map(Some)
}

/// The text before the first dot and the text after it.
fn split_at_dot(text: &[u8]) -> (&[u8], &[u8]) {
    let dot = text.iter().position(|&b| b == b'.').unwrap_or(text.len());
    (text.get(..dot).unwrap_or_default(), text.get(dot + 1..).unwrap_or_default())
}

fn decode_object(segment: &[u8]) -> Result<(Json, String), ClaimsError> {
    let bytes = base64url::decode(segment).ok_or(ClaimsError::Base64)?;
    let text = text::utf8(bytes).ok_or(ClaimsError::Utf8)?;
    match json::parse(&text).map_err(|_| ClaimsError::Json)? {
        object @ Json::Object(_) => Ok((object, text)),
        _ => Err(ClaimsError::NotAnObject),
    }
}

/// Latest `exp` we consider meaningful (year 9999); beyond it the claim is "no usable exp".
const MAX_EXP_S: f64 = 253_402_300_799.0;

/// The `exp` claim as seconds since the epoch, when it is a positive, plausible number.
///
/// Strings, booleans, null, negatives and absurd values all mean "no usable exp": the claim is
/// only a scheduling hint and must never be able to drive behaviour by itself.
pub fn usable_exp(claims: &Json) -> Option<f64> {
    usable_time(claims, "exp")
}

/// The `iat` claim, under the same rules as `exp`.
pub fn usable_iat(claims: &Json) -> Option<f64> {
    usable_time(claims, "iat")
}

fn usable_time(claims: &Json, name: &str) -> Option<f64> {
    match claims.get(name) {
        Some(Json::Number(n)) if *n > 0.0 && *n <= MAX_EXP_S => Some(*n),
        _ => None,
    }
}

/// Claim names that carry personal data: OpenID Connect's standard claims for reaching or
/// identifying a person. A JWT payload is readable by anyone who holds the token (logs, proxies,
/// browser extensions), so these belong behind an API call, not in a token. `name` is left out:
/// a display name is what `claims()` is for.
pub const PERSONAL_KEYS: [&str; 4] = ["email", "phone_number", "address", "birthdate"];

/// Appends to `out` the [`PERSONAL_KEYS`] present at the top level of `claims`, each followed
/// by a space (names only: the values are never looked at). A `String` rather than a `Vec`
/// keeps the Wasm small.
pub fn personal_keys(claims: &Json, out: &mut String) {
    for key in &PERSONAL_KEYS {
        if claims.get(key).is_some() {
            out.push_str(key);
            out.push(' ');
        }
    }
}
