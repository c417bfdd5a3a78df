//! One function per parser that sees outside bytes: it generates an input, runs the parser under
//! the allocation meter and checks the parser's properties against a reference (panicking on a
//! disagreement). Adding a target is adding one such function to [`TARGETS`].

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use tokenflight::crosstab::{Message, SharedTokens, MAX_MESSAGE_BYTES};
use tokenflight::grant::{parse_grant, FieldNames};
use tokenflight::json::{self, Json};
use tokenflight::refresh::answer::{classify, RefreshAnswer};
use tokenflight::refresh::policy::bearer_error;
use tokenflight::session::backoff::parse_retry_after;
use tokenflight::token::Secret;
use tokenflight::{base64url, claims, EndReason};

use super::alloc_meter::measure;
use super::gen::{self, Rng};

/// A fuzz target: draws an input from the generator, checks the parser on it, and returns the
/// input (so a failure can print it).
pub type Target = fn(&mut Rng, &mut Vec<u8>);

/// Every target, by name.
pub const TARGETS: &[(&str, Target)] = &[
    ("base64url", base64url_target),
    ("json", json_target),
    ("jwt_claims", jwt_claims_target),
    ("token_response", token_response_target),
    ("www_authenticate", www_authenticate_target),
    ("retry_after", retry_after_target),
    ("crosstab_message", crosstab_message_target),
];

/// Heap a parser may use for an input of `len` bytes: a parsed JSON value costs at most a few
/// dozen bytes per input byte (a one-byte array element becomes a 32-byte value, vectors double).
fn cap(len: usize) -> usize {
    64 * len + 4096
}

fn metered<T>(input_len: usize, f: impl FnOnce() -> T) -> T {
    let (out, peak) = measure(f);
    assert!(peak <= cap(input_len), "allocated {peak} B for an input of {input_len} B");
    out
}

fn base64url_target(rng: &mut Rng, input: &mut Vec<u8>) {
    *input = gen::base64_bytes(rng);
    let ours = metered(input.len(), || base64url::decode(input));
    assert_eq!(ours, URL_SAFE_NO_PAD.decode(&*input).ok(), "disagrees with the base64 crate");
}

/// Our parser is stricter than serde_json (depth 32, duplicate keys refused), never looser: what
/// it accepts, serde_json accepts with the same value.
fn check_json_against_serde(text: &str, ours: &Result<Json, json::JsonError>) {
    if let Ok(value) = ours {
        let reference: serde_json::Value =
            serde_json::from_str(text).expect("we accepted what serde_json refuses");
        assert!(same(value, &reference), "value differs from serde_json's: {value:?}");
    }
}

/// Deep equality; numbers within the few ulps `json::number` documents (exact for integers).
fn same(ours: &Json, reference: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (ours, reference) {
        (Json::Null, V::Null) => true,
        (Json::Bool(a), V::Bool(b)) => a == b,
        (Json::Number(a), V::Number(b)) => {
            let b = b.as_f64().expect("finite");
            a == &b || ((a - b) / b).abs() < 1e-13 || (a.abs() < 1e-290 && b.abs() < 1e-290)
        }
        (Json::String(a), V::String(b)) => a == b,
        (Json::Array(a), V::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Json::Object(a), V::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|r| same(v, r)))
        }
        _ => false,
    }
}

fn json_target(rng: &mut Rng, input: &mut Vec<u8>) {
    *input = gen::json_bytes(rng);
    let text = String::from_utf8_lossy(input).into_owned();
    let ours = metered(text.len(), || json::parse(&text));
    check_json_against_serde(&text, &ours);
    // A document serde_json accepts within our limits (no duplicate keys, shallow) we accept.
    if ours.is_err() {
        if let Ok(reference) = serde_json::from_str::<serde_json::Value>(&text) {
            let duplicate = ours == Err(json::JsonError::DuplicateKey);
            let too_deep = ours == Err(json::JsonError::TooDeep);
            assert!(duplicate || too_deep, "refused valid JSON {reference:?}: {ours:?}");
        }
    }
}

fn jwt_claims_target(rng: &mut Rng, input: &mut Vec<u8>) {
    *input = gen::jwt_bytes(rng);
    let Ok(token) = std::str::from_utf8(input) else { return }; // callers hold a JS string
    let ours =
        metered(token.len().min(claims::MAX_TOKEN_BYTES), || claims::decode_with_text(token));
    if token.len() > claims::MAX_TOKEN_BYTES {
        assert_eq!(ours, Err(claims::ClaimsError::TooLarge));
        return;
    }
    let segments: Vec<&str> = token.split('.').collect();
    match &ours {
        Ok(Some((value, text))) => {
            assert_eq!(segments.len(), 3);
            let payload = URL_SAFE_NO_PAD.decode(segments[1]).expect("base64 crate refuses it");
            assert_eq!(payload, text.as_bytes(), "payload text differs from the base64 crate's");
            assert!(matches!(value, Json::Object(_)));
            check_json_against_serde(text, &Ok(value.clone()));
        }
        Ok(None) => assert_eq!(segments.len(), 5),
        Err(claims::ClaimsError::Base64) => {
            let refused = |s: &str| URL_SAFE_NO_PAD.decode(s).is_err();
            assert!(refused(segments[0]) || refused(segments[1]), "base64 crate accepts it");
        }
        Err(_) => {}
    }
}

fn token_response_target(rng: &mut Rng, input: &mut Vec<u8>) {
    *input = gen::token_response_bytes(rng);
    let body = String::from_utf8_lossy(input).into_owned();
    let fields = FieldNames::default();
    let reference: Option<serde_json::Value> = serde_json::from_str(&body).ok();
    let grant = metered(body.len(), || parse_grant(body.clone(), &fields));
    if let Ok(grant) = &grant {
        let doc = reference.expect("granted from a body serde_json refuses");
        let access = ["access_token", "access", "accessToken"]
            .iter()
            .find_map(|k| doc.get(k))
            .and_then(|v| v.as_str())
            .expect("granted without an access member");
        assert_eq!(grant.access.expose(), access);
        assert!(access.bytes().all(|b| (0x21..0x7f).contains(&b)) && !access.is_empty());
    }
    // The whole answer classifier, on the same body with a random status and content type.
    let status = rng.pick(&[200u16, 201, 204, 302, 400, 401, 403, 429, 500, 503, 0]);
    let content_type =
        rng.pick(&[None, Some("application/json"), Some("text/html"), Some("x+json")]);
    let answer = RefreshAnswer {
        status,
        content_type: content_type.map(str::to_owned),
        retry_after_s: None,
        redirected: rng.one_in(10),
        body: (!rng.one_in(10)).then_some(body.clone()),
    };
    metered(body.len(), || classify(answer, &fields));
}

fn www_authenticate_target(rng: &mut Rng, input: &mut Vec<u8>) {
    let (bytes, expected) = gen::www_authenticate(rng);
    *input = bytes;
    let header = String::from_utf8_lossy(input).into_owned();
    let found = metered(header.len(), || bearer_error(&header));
    if let Some(v) = found {
        // A slice of the header itself, never text from elsewhere.
        let range = header.as_bytes().as_ptr_range();
        assert!(range.contains(&v.as_ptr()) || v.is_empty());
    }
    if let Some(expected) = expected {
        assert_eq!(found, expected.as_deref(), "wrong error parameter in {header:?}");
    }
}

fn retry_after_target(rng: &mut Rng, input: &mut Vec<u8>) {
    *input = gen::retry_after_bytes(rng);
    let value = String::from_utf8_lossy(input).into_owned();
    let ours = metered(value.len(), || parse_retry_after(&value));
    // Reference: RFC 9110 §10.2.3 delay-seconds (1*DIGIT) within optional whitespace, through
    // std's integer parser; we additionally cap at 9 digits (over 31 years).
    let v = value.trim_matches([' ', '\t', '\n', '\r', '\x0c']);
    let reference = (v.len() <= 9 && v.bytes().all(|b| b.is_ascii_digit()))
        .then(|| v.parse::<u64>().ok())
        .flatten()
        .map(|n| n as f64);
    assert_eq!(ours, reference, "Retry-After {value:?}");
}

/// A valid cross-tab message of each kind, then (most of the time) mutated byte-wise. Whatever
/// decodes must be a message of this version that encodes back to the same text (the format is
/// positional and canonical), and decoding never allocates beyond the cap.
fn crosstab_message_target(rng: &mut Rng, input: &mut Vec<u8>) {
    let token = |rng: &mut Rng| {
        let text: String = gen::string(rng)
            .chars()
            .filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\')
            .collect();
        Secret::new(if text.is_empty() { "t".into() } else { text })
    };
    let session = (rng.next() % 5_000_000_000) as u32;
    let tokens = |rng: &mut Rng| SharedTokens {
        access: token(rng),
        expires_in_ms: rng.one_in(2).then(|| rng.next() as u32),
        id_token: rng.one_in(2).then(|| token(rng)),
    };
    let message = match rng.below(5) {
        0 => Message::Ask,
        1 => Message::End {
            session,
            reason: rng.pick(&[EndReason::Logout, EndReason::Expired, EndReason::Revoked]),
        },
        2 => Message::Login { session, tokens: None },
        3 => Message::Login { session, tokens: Some(tokens(rng)) },
        _ => Message::Token { session, tokens: tokens(rng) },
    };
    *input = message.encode().expose().as_bytes().to_vec();
    if !rng.one_in(4) {
        gen::mutate(rng, input);
    }
    let Ok(text) = std::str::from_utf8(input) else { return }; // channel data is a JS string
    let decoded = metered(text.len(), || Message::decode(text));
    if let Some(message) = decoded {
        assert!(text.len() <= MAX_MESSAGE_BYTES);
        let again = message.encode();
        let reparsed = Message::decode(again.expose()).expect("our own encoding decodes");
        assert_eq!(reparsed.encode().expose(), again.expose(), "encoding is not stable");
    }
}
