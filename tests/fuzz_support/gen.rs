//! Structure-aware input generation: a seeded PRNG, valid documents of each format, and byte
//! mutations of them. Deterministic for a seed, so every failure is reproducible.

/// splitmix64: tiny, fast, and good enough to spread inputs; the seed is printed on failure.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability 1/n.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Fragments that tend to break parsers: structure, escapes, surrogates (escaped and raw CESU-8),
/// invalid UTF-8, huge exponents, base64 padding and alphabet edges.
const SPLICES: &[&[u8]] = &[
    b"\"",
    b"\\",
    b"\\u",
    b"\\ud800",
    b"\\udc00",
    b"\\ud83d\\ude00",
    b"\\u0000",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"e",
    b"E",
    b"-",
    b"+",
    b".",
    b"0",
    b"1e999",
    b"1e-999",
    b"null",
    b"true",
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xf0\x9f\x98",
    b"\x00",
    b"\n",
    b" ",
    b"=",
    b"==",
    b"/",
    b"_",
    b"A",
    b"..",
    b",,",
    b"\"a\":1",
    b"[[[[[[[[",
    b"]]]]]]]]",
    b"99999999999999999999",
];

/// Mutates `bytes` in place with 1–4 random edits.
pub fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        let len = bytes.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                bytes[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                bytes[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                bytes.insert(i, rng.next() as u8);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(8));
                bytes.drain(i..i + n);
            }
            4 => {
                let i = rng.below(len + 1);
                let s = rng.pick(SPLICES);
                bytes.splice(i..i, s.iter().copied());
            }
            5 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(16));
                let copy: Vec<u8> = bytes[i..i + n].to_vec();
                let at = rng.below(len + 1);
                bytes.splice(at..at, copy);
            }
            6 if len > 0 => bytes.truncate(rng.below(len)),
            _ => {
                let i = rng.below(len + 1);
                let s = rng.pick(SPLICES);
                bytes.splice(i..i, s.iter().copied());
            }
        }
    }
}

/// A JSON number: small and huge integers, fractions, extreme exponents, long digit runs.
pub fn number(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => "0".into(),
        1 => format!("-{}", rng.below(1000)),
        2 => format!("{}", rng.next() >> rng.below(64)),
        3 => format!("{}.{}", rng.below(2_000_000_000), rng.below(1000)),
        4 => format!("{}e{}{}", 1 + rng.below(9), rng.pick(&["", "+", "-"]), rng.below(400)),
        5 => format!("{}E-{}", rng.below(100), rng.below(330)),
        6 => "9".repeat(1 + rng.below(400)),
        7 => format!("0.{}1", "0".repeat(rng.below(400))),
        8 => format!("1{}", "0".repeat(rng.below(330))),
        _ => format!("{}", 1_700_000_000 + rng.below(100_000_000)),
    }
}

/// A JSON string literal with escapes, non-ASCII and surrogate pairs; rarely a lone surrogate.
pub fn string(rng: &mut Rng) -> String {
    let mut s = String::from("\"");
    for _ in 0..rng.below(12) {
        match rng.below(12) {
            0 => s.push_str(rng.pick(&["\\n", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\r", "\\t"])),
            1 => s.push_str(&format!("\\u{:04x}", rng.below(0xd800))),
            2 => s.push_str(&format!(
                "\\u{:04X}\\u{:04x}",
                0xd800 + rng.below(0x400),
                0xdc00 + rng.below(0x400)
            )),
            3 if rng.one_in(8) => s.push_str(&format!("\\u{:04x}", 0xd800 + rng.below(0x800))),
            4 => s.push(rng.pick(&['é', '😀', '中', '\u{7f}', '\u{2028}'])),
            5 => s.push_str(&"x".repeat(rng.below(200))),
            _ => s.push(char::from(b'a' + rng.below(26) as u8)),
        }
    }
    s.push('"');
    s
}

/// A key from a small set, so objects often repeat one (duplicate keys).
fn key(rng: &mut Rng) -> String {
    if rng.one_in(4) {
        string(rng)
    } else {
        format!("\"{}\"", rng.pick(&["a", "b", "exp", "iat", "sub", "code", "error", "x"]))
    }
}

/// A valid JSON value, nested up to `depth` more levels.
pub fn value(rng: &mut Rng, depth: usize) -> String {
    let kind = if depth == 0 { rng.below(5) } else { rng.below(7) };
    match kind {
        0 => rng.pick(&["null", "true", "false"]).to_string(),
        1 | 2 => number(rng),
        3 | 4 => string(rng),
        5 => {
            let items: Vec<String> = (0..rng.below(5)).map(|_| value(rng, depth - 1)).collect();
            format!("[{}]", items.join(rng.pick(&[",", " , ", ",\n"])))
        }
        _ => object(rng, depth - 1),
    }
}

/// A valid JSON object (keys may repeat).
pub fn object(rng: &mut Rng, depth: usize) -> String {
    let members: Vec<String> =
        (0..rng.below(6)).map(|_| format!("{}:{}", key(rng), value(rng, depth))).collect();
    format!("{{{}}}", members.join(","))
}

/// A JSON document: usually a small object, sometimes nested far beyond any cap.
pub fn document(rng: &mut Rng) -> String {
    match rng.below(12) {
        0 => {
            let n = rng.below(80);
            format!("{}{}{}", "[".repeat(n), value(rng, 1), "]".repeat(n))
        }
        1 => {
            let n = rng.below(60);
            format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n))
        }
        2 => value(rng, 3),
        _ => object(rng, 3),
    }
}

/// A JSON document, mutated byte-wise half of the time.
pub fn json_bytes(rng: &mut Rng) -> Vec<u8> {
    let mut bytes = document(rng).into_bytes();
    if rng.one_in(2) {
        mutate(rng, &mut bytes);
    }
    bytes
}

/// A compact JWS whose header and payload are (possibly mutated) JSON, the token itself possibly
/// mutated after encoding; sometimes five segments (a JWE) or a size beyond the cap.
pub fn jwt_bytes(rng: &mut Rng) -> Vec<u8> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let header = br#"{"alg":"HS256","typ":"JWT"}"#.to_vec();
    let mut payload = format!(
        r#"{{"sub":{},"exp":{},"iat":{},"name":{},"x":{}}}"#,
        string(rng),
        number(rng),
        number(rng),
        string(rng),
        value(rng, 2)
    )
    .into_bytes();
    if rng.one_in(3) {
        payload = document(rng).into_bytes();
    }
    if rng.one_in(3) {
        mutate(rng, &mut payload);
    }
    let mut token = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(&header),
        URL_SAFE_NO_PAD.encode(&payload),
        URL_SAFE_NO_PAD.encode(rng.next().to_le_bytes())
    )
    .into_bytes();
    match rng.below(20) {
        0 => token.extend_from_slice(b".a.b"),
        1 => token.resize(16 * 1024 + rng.below(3), b'A'),
        _ => {}
    }
    if rng.one_in(3) {
        mutate(rng, &mut token);
    }
    token
}

/// A base64url segment (encoded random bytes), possibly mutated.
pub fn base64_bytes(rng: &mut Rng) -> Vec<u8> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let raw: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
    let mut seg = URL_SAFE_NO_PAD.encode(raw).into_bytes();
    if rng.one_in(2) {
        mutate(rng, &mut seg);
    }
    seg
}

/// A token endpoint response body: the usual members with valid and invalid values.
pub fn token_response_bytes(rng: &mut Rng) -> Vec<u8> {
    let token = |rng: &mut Rng| match rng.below(6) {
        0 => value(rng, 1),
        1 => "\"\"".to_string(),
        2 => string(rng),
        _ => format!("\"tok-{}\"", rng.next()),
    };
    let mut members = Vec::new();
    for name in ["access_token", "access", "accessToken", "refresh_token", "refresh", "id_token"] {
        if rng.one_in(2) {
            members.push(format!("\"{name}\":{}", token(rng)));
        }
    }
    if rng.one_in(2) {
        let kind = rng.pick(&["\"Bearer\"", "\"bearer\"", "\"DPoP\"", "1", "null"]);
        members.push(format!("\"token_type\":{kind}"));
    }
    if rng.one_in(2) {
        members.push(format!("\"expires_in\":{}", number(rng)));
    }
    if rng.one_in(4) {
        members.push(format!("{}:{}", key(rng), value(rng, 2)));
    }
    let mut body = format!("{{{}}}", members.join(",")).into_bytes();
    if rng.one_in(3) {
        mutate(rng, &mut body);
    }
    body
}

/// A `WWW-Authenticate` value: a list of challenges, and the `error` of the first Bearer one
/// (what a correct parser must return), or `None` when the generator mutated the text.
pub fn www_authenticate(rng: &mut Rng) -> (Vec<u8>, Option<Option<String>>) {
    let mut challenges = Vec::new();
    let mut expected: Option<String> = None;
    let mut bearer_seen = false;
    for _ in 0..1 + rng.below(3) {
        // At most one Bearer challenge: which of two would count is not what this checks.
        let schemes: &[&str] = if bearer_seen {
            &["Basic", "DPoP", "Negotiate"]
        } else {
            &["Bearer", "bearer", "BEARER", "Basic", "DPoP", "Negotiate"]
        };
        let scheme = rng.pick(schemes);
        let is_bearer = scheme.eq_ignore_ascii_case("bearer");
        let mut params = Vec::new();
        let mut error_here: Option<String> = None;
        for _ in 0..rng.below(4) {
            let name = rng.pick(&["realm", "error", "error_description", "scope", "errorx"]);
            let raw = rng.pick(&["invalid_token", "insufficient_scope", "a b", "x,y", "", "api"]);
            let quoted = rng.one_in(2) || raw.is_empty() || raw.contains([' ', ',']);
            let v = if quoted { format!("\"{raw}\"") } else { raw.to_string() };
            let sep = rng.pick(&["=", "=", " = ", "= "]);
            let sep = if quoted { sep } else { sep.trim_end() };
            if name == "error" && error_here.is_none() {
                error_here = Some(raw.to_string());
            }
            params.push(format!("{name}{sep}{v}"));
        }
        if is_bearer && !bearer_seen {
            bearer_seen = true;
            expected = error_here;
        }
        let joined = params.join(rng.pick(&[", ", ",", " ,  "]));
        challenges.push(if joined.is_empty() {
            scheme.to_string()
        } else {
            format!("{scheme} {joined}")
        });
    }
    let mut bytes = challenges.join(", ").into_bytes();
    if rng.one_in(2) {
        mutate(rng, &mut bytes);
        return (bytes, None);
    }
    (bytes, Some(expected))
}

/// A `Retry-After` value: delay-seconds, HTTP dates, signs, spaces, overflowing numbers.
pub fn retry_after_bytes(rng: &mut Rng) -> Vec<u8> {
    let mut v = match rng.below(6) {
        0 => format!("{}", rng.below(1000)),
        1 => format!(" {} ", rng.next() >> rng.below(64)),
        2 => "Wed, 21 Oct 2015 07:28:00 GMT".into(),
        3 => format!("-{}", rng.below(100)),
        4 => format!("{}.5", rng.below(100)),
        _ => "9".repeat(rng.below(20)),
    }
    .into_bytes();
    if rng.one_in(2) {
        mutate(rng, &mut v);
    }
    v
}
