//! Every malformed-token case (docs/reliability.md, claims decoding), decoded natively. Nothing here may panic.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use tokenflight::claims::{decode, usable_exp, ClaimsError, MAX_TOKEN_BYTES};
use tokenflight::json::Json;

fn b64(s: &str) -> String {
    URL_SAFE_NO_PAD.encode(s)
}

fn jwt(payload: &str) -> String {
    format!("{}.{}.c2ln", b64(r#"{"alg":"HS256","typ":"JWT"}"#), b64(payload))
}

fn claims_of(payload: &str) -> Json {
    decode(&jwt(payload)).expect("decodes").expect("is a JWS")
}

#[test]
fn a_well_formed_jwt_decodes_to_its_payload_object() {
    let c = claims_of(r#"{"sub":"42","name":"Ada","exp":1700000000}"#);
    assert_eq!(c.get("sub").and_then(Json::as_str), Some("42"));
    assert_eq!(usable_exp(&c), Some(1_700_000_000.0));
}

#[test]
fn empty_and_wrong_segment_counts_are_clear_errors() {
    assert_eq!(decode(""), Err(ClaimsError::Empty));
    let h = b64("{}");
    for token in [
        h.clone(),
        format!("{h}.{h}"),
        format!("{h}.{h}.{h}.{h}"),
        format!("{h}.{h}.{h}.{h}.{h}.{h}"),
    ] {
        assert_eq!(decode(&token), Err(ClaimsError::SegmentCount), "{token}");
    }
    assert_eq!(decode(&format!(".{h}.sig")), Err(ClaimsError::EmptySegment));
    assert_eq!(decode(&format!("{h}..sig")), Err(ClaimsError::EmptySegment));
}

#[test]
fn an_encrypted_jwt_has_no_claims_and_is_not_an_error() {
    assert_eq!(decode("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"), Ok(None));
}

#[test]
fn an_opaque_token_has_no_claims() {
    assert_eq!(decode("2YotnFZFEjr1zCsicMWpAA"), Err(ClaimsError::SegmentCount));
    assert_eq!(decode("ghp_abc.def"), Err(ClaimsError::SegmentCount));
}

#[test]
fn base64_is_strict_unpadded_url_safe() {
    let payload = r#"{"a":"??>>"}"#; // standard alphabet would use + and /
    let std_b64 = STANDARD.encode(payload).trim_end_matches('=').to_string();
    assert!(std_b64.contains('+') || std_b64.contains('/'));
    let h = b64("{}");
    let bad_segments = [
        std_b64,
        format!("{}=", b64("{\"a\":1}")),
        format!("{}==", b64("{}")),
        format!("{} {}", &b64("{\"a\":1}")[..4], &b64("{\"a\":1}")[4..]),
        format!("{}\n{}", &b64("{\"a\":1}")[..4], &b64("{\"a\":1}")[4..]),
        "eyJhIjoxfQx".to_string()[..9].to_string(), // length 9 ≡ 1 (mod 4)
        "A".into(),
    ];
    for seg in bad_segments {
        assert_eq!(decode(&format!("{h}.{seg}.sig")), Err(ClaimsError::Base64), "{seg:?}");
    }
}

#[test]
fn unpadded_lengths_two_and_three_mod_four_decode() {
    // {"a":1} is 7 bytes → 10 chars (≡ 2); {"ab":1} is 8 bytes → 11 chars (≡ 3).
    for payload in [r#"{"a":1}"#, r#"{"ab":1}"#] {
        let seg = b64(payload);
        assert!(matches!(seg.len() % 4, 2 | 3));
        assert!(decode(&jwt(payload)).unwrap().is_some());
    }
}

#[test]
fn payload_must_be_utf8_json_object() {
    let h = b64("{}");
    let not_utf8 = URL_SAFE_NO_PAD.encode([0xff, 0xfe, 0x7b, 0x7d]);
    assert_eq!(decode(&format!("{h}.{not_utf8}.s")), Err(ClaimsError::Utf8));
    assert_eq!(decode(&jwt("not json")), Err(ClaimsError::Json));
    assert_eq!(decode(&jwt("[1,2]")), Err(ClaimsError::NotAnObject));
    assert_eq!(decode(&jwt("\"s\"")), Err(ClaimsError::NotAnObject));
    assert_eq!(decode(&jwt("{\"a\":1,\"a\":2}")), Err(ClaimsError::Json));
    let bad_header = format!("{}.{}.s", b64("[]"), b64("{}"));
    assert_eq!(decode(&bad_header), Err(ClaimsError::NotAnObject));
}

#[test]
fn huge_tokens_are_refused_by_the_size_cap_before_decoding() {
    for size in [64 * 1024, 1024 * 1024, 16 * 1024 * 1024] {
        let huge = "A".repeat(size);
        let token = format!("{huge}.{huge}.{huge}");
        assert_eq!(decode(&token), Err(ClaimsError::TooLarge), "{size}");
    }
    assert_eq!(decode(&"a".repeat(MAX_TOKEN_BYTES + 1)), Err(ClaimsError::TooLarge));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 5_000; // fits the size cap once base64-encoded
    let payload = format!("{{\"a\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
    assert_eq!(decode(&jwt(&payload)), Err(ClaimsError::Json));
}

#[test]
fn unicode_emoji_and_markup_come_back_as_plain_strings() {
    let c = claims_of(r#"{"name":"Zoë 😀 <script>alert(1)</script>","bio":"\u003cb\u003e"}"#);
    assert_eq!(c.get("name").and_then(Json::as_str), Some("Zoë 😀 <script>alert(1)</script>"));
    assert_eq!(c.get("bio").and_then(Json::as_str), Some("<b>"));
}

#[test]
fn exp_is_usable_only_as_a_plausible_number() {
    assert_eq!(usable_exp(&claims_of(r#"{"exp":1700000000}"#)), Some(1_700_000_000.0));
    assert_eq!(usable_exp(&claims_of(r#"{"exp":1700000000.5}"#)), Some(1_700_000_000.5));
    for bad in [
        r#"{"exp":"1700000000"}"#,
        r#"{"exp":true}"#,
        r#"{"exp":null}"#,
        r#"{"exp":-5}"#,
        r#"{"exp":0}"#,
        r#"{"exp":1e300}"#,
        r#"{"sub":"x"}"#,
        r#"{"exp":[1]}"#,
    ] {
        assert_eq!(usable_exp(&claims_of(bad)), None, "{bad}");
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    // A cheap deterministic fuzz: every prefix and mutation of a real token must return, not panic.
    let token = jwt(r#"{"sub":"1","exp":1700000000,"n":[1,{"x":"y"}]}"#);
    let bytes = token.as_bytes();
    for i in 0..bytes.len() {
        let _ = decode(&token[..i]);
        for replacement in [b'.', b'=', b'+', b' ', b'A', b'_'] {
            let mut m = bytes.to_vec();
            m[i] = replacement;
            if let Ok(s) = String::from_utf8(m) {
                let _ = decode(&s);
            }
        }
    }
}

#[test]
fn our_base64url_decoder_agrees_with_the_base64_crate() {
    use tokenflight::base64url;
    // Every string up to length 4 over an alphabet of valid, invalid and edge characters, plus
    // encodings of random byte strings: same accept/reject decision, same bytes.
    let alphabet = b"AQgw_-+/=. \nzZ09";
    let mut inputs: Vec<Vec<u8>> = vec![Vec::new()];
    let mut frontier: Vec<Vec<u8>> = vec![Vec::new()];
    for _ in 0..4 {
        let mut next = Vec::new();
        for prefix in &frontier {
            for &c in alphabet {
                let mut s = prefix.clone();
                s.push(c);
                next.push(s);
            }
        }
        inputs.extend(next.iter().cloned());
        frontier = next;
    }
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for len in 0..200 {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        inputs.push(URL_SAFE_NO_PAD.encode(&bytes).into_bytes());
    }
    for input in &inputs {
        assert_eq!(
            base64url::decode(input),
            URL_SAFE_NO_PAD.decode(input).ok(),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
    assert!(inputs.len() > 70_000);
}

#[test]
fn personal_data_keys_are_named_in_a_fixed_order_and_nothing_else_is() {
    let keys = |payload: &str| {
        let mut out = String::new();
        tokenflight::claims::personal_keys(&claims_of(payload), &mut out);
        out
    };
    let some = r#"{"sub":"42","name":"Ada","birthdate":"1815-12-10","email":"a@x.org","exp":1}"#;
    assert_eq!(keys(some), "email birthdate ");
    let all = r#"{"address":{"country":"UK"},"phone_number":"+44","email":null,"birthdate":0}"#;
    assert_eq!(keys(all), "email phone_number address birthdate ");
    assert_eq!(keys(r#"{"sub":"42","name":"Ada","emails":[],"Email":"x"}"#), "");
    // Only the top level: a nested key is not a claim of the token.
    assert_eq!(keys(r#"{"profile":{"email":"a@x.org"}}"#), "");
}
