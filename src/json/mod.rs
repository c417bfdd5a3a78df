//! A strict RFC 8259 JSON parser for token responses and JWT payloads.
//!
//! Hand-written rather than serde_json to keep the Wasm small and to control what matters here:
//! a nesting cap (deep input is an error, never a stack overflow that poisons the instance),
//! duplicate keys rejected (RFC 7519 §4), no lone surrogates, and strings allocated once at their
//! final size so a secret inside them leaves no stray copy in freed memory.

mod number;

use crate::prelude::*;
use number::decimal_to_f64;

/// A parsed JSON value. Objects keep their keys in document order.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// Any finite number.
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, keys unique, in document order.
    Object(Vec<(String, Json)>),
}

/// Why a document was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonError {
    /// Not valid JSON syntax (or trailing data after the value).
    Syntax,
    /// Nested deeper than the cap.
    TooDeep,
    /// An object repeats a key.
    DuplicateKey,
    /// A number too large to be finite.
    NumberOutOfRange,
}

/// Nesting depth accepted by [`parse`]; token payloads are flat in practice.
pub const MAX_DEPTH: usize = 32;

impl Json {
    /// The member `key` of an object (`None` for other values or a missing key).
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Moves the member `key` out of an object, leaving `Null`; no copy of its bytes is made.
    pub fn take(&mut self, key: &str) -> Option<Json> {
        match self {
            Json::Object(members) => members
                .iter_mut()
                .find(|(k, _)| k == key)
                .map(|(_, v)| core::mem::replace(v, Json::Null)),
            _ => None,
        }
    }

    /// The value as a string slice, if it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Parses one complete JSON document.
pub fn parse(input: &str) -> Result<Json, JsonError> {
    let mut p = Parser { bytes: input.as_bytes(), src: input, pos: 0 };
    p.skip_ws();
    let value = p.value(0)?;
    p.skip_ws();
    if p.pos != p.bytes.len() {
        return Err(JsonError::Syntax);
    }
    Ok(value)
}

struct Parser<'a> {
    bytes: &'a [u8],
    src: &'a str,
    pos: usize,
}

impl Parser<'_> {
    /// `src[start..end]` where both ends sit next to ASCII bytes (quotes, backslashes), so they
    /// are char boundaries; `get` avoids string slicing's panic machinery.
    fn slice(&self, start: usize, end: usize) -> &str {
        self.src.get(start..end).unwrap_or_default()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect_literal(&mut self, lit: &[u8], value: Json) -> Result<Json, JsonError> {
        if self.bytes.get(self.pos..).is_some_and(|rest| rest.starts_with(lit)) {
            self.pos += lit.len();
            Ok(value)
        } else {
            Err(JsonError::Syntax)
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        match self.peek().ok_or(JsonError::Syntax)? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => self.string().map(Json::String),
            b't' => self.expect_literal(b"true", Json::Bool(true)),
            b'f' => self.expect_literal(b"false", Json::Bool(false)),
            b'n' => self.expect_literal(b"null", Json::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(JsonError::Syntax),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(JsonError::TooDeep);
        }
        self.pos += 1; // '{'
        let mut members: Vec<(String, Json)> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(JsonError::Syntax);
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(JsonError::Syntax);
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth)?;
            members.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(JsonError::Syntax),
            }
        }
        // Quadratic, but objects are small (bodies are capped) and it needs no sort code.
        for (i, (key, _)) in members.iter().enumerate() {
            if members.iter().take(i).any(|(earlier, _)| earlier == key) {
                return Err(JsonError::DuplicateKey);
            }
        }
        Ok(Json::Object(members))
    }

    fn array(&mut self, depth: usize) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(JsonError::TooDeep);
        }
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(JsonError::Syntax),
            }
        }
    }

    fn number(&mut self) -> Result<Json, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(JsonError::Syntax),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.require_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.require_digits()?;
        }
        let n = decimal_to_f64(self.bytes.get(start..self.pos).unwrap_or_default());
        if n.is_finite() {
            Ok(Json::Number(n))
        } else {
            Err(JsonError::NumberOutOfRange)
        }
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn require_digits(&mut self) -> Result<(), JsonError> {
        let start = self.pos;
        self.digits();
        if self.pos == start {
            Err(JsonError::Syntax)
        } else {
            Ok(())
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // opening quote
                       // Find the closing quote first so the output is allocated once: the unescaped text is
                       // never longer than the raw text.
        let start = self.pos;
        let mut end = start;
        let mut escaped = false;
        loop {
            match self.bytes.get(end).copied().ok_or(JsonError::Syntax)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    end += 2;
                }
                0x00..=0x1f => return Err(JsonError::Syntax),
                _ => end += 1,
            }
        }
        if !escaped {
            self.pos = end + 1;
            return Ok(self.slice(start, end).to_owned());
        }
        let mut out = String::with_capacity(end - start);
        // `get` rather than indexing, here and below: no bounds-check panic (whose message
        // formatting would cost Wasm bytes) exists in the parser.
        while let Some(&b) = self.bytes.get(self.pos).filter(|_| self.pos < end) {
            if b != b'\\' {
                // Copy the run of plain characters up to the next escape.
                let run_end = self
                    .bytes
                    .get(self.pos..end)
                    .unwrap_or_default()
                    .iter()
                    .position(|&c| c == b'\\')
                    .map_or(end, |i| self.pos + i);
                out.push_str(self.slice(self.pos, run_end));
                self.pos = run_end;
                continue;
            }
            let esc = *self.bytes.get(self.pos + 1).ok_or(JsonError::Syntax)?;
            self.pos += 2;
            let c = match esc {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => self.unicode_escape()?,
                _ => return Err(JsonError::Syntax),
            };
            out.push(c);
        }
        self.pos = end + 1;
        Ok(out)
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self.bytes.get(self.pos..self.pos + 4).ok_or(JsonError::Syntax)?;
        let mut v = 0u32;
        for &d in digits {
            v = v * 16 + char::from(d).to_digit(16).ok_or(JsonError::Syntax)?;
        }
        self.pos += 4;
        Ok(v)
    }

    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let hi = self.hex4()?;
        let code = match hi {
            0xD800..=0xDBFF => {
                if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                    return Err(JsonError::Syntax);
                }
                self.pos += 2;
                let lo = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&lo) {
                    return Err(JsonError::Syntax);
                }
                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(JsonError::Syntax),
            _ => hi,
        };
        char::from_u32(code).ok_or(JsonError::Syntax)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_values_in_order() {
        let v = parse(r#" {"b":[1,-2.5e3,true,null],"a":"x\u00e9\ud83d\ude00\n"} "#).unwrap();
        assert_eq!(
            v,
            Json::Object(vec![
                (
                    "b".into(),
                    Json::Array(vec![
                        Json::Number(1.0),
                        Json::Number(-2500.0),
                        Json::Bool(true),
                        Json::Null
                    ])
                ),
                ("a".into(), Json::String("xé😀\n".into())),
            ])
        );
    }

    #[test]
    fn refuses_what_rfc_8259_refuses() {
        for bad in [
            "",
            " ",
            "{",
            "}",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "+1",
            "1e",
            "NaN",
            "'a'",
            "\"a",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\u{1}\"",
            "{a:1}",
            "1 2",
            "tru",
            "nul",
            "[1 2]",
            "{\"a\" 1}",
            "\"\\u12\"",
        ] {
            assert_eq!(parse(bad), Err(JsonError::Syntax), "{bad:?}");
        }
        assert_eq!(parse("1e999"), Err(JsonError::NumberOutOfRange));
        assert_eq!(parse(r#"{"a":1,"a":2}"#), Err(JsonError::DuplicateKey));
    }

    #[test]
    fn numbers_convert_exactly_where_it_matters() {
        let cases: [(&str, f64); 11] = [
            ("0", 0.0),
            ("-0", 0.0),
            ("1700000000", 1_700_000_000.0),
            ("1700000000.5", 1_700_000_000.5),
            ("9007199254740992", 9_007_199_254_740_992.0),
            ("300", 300.0),
            ("-2.5e3", -2500.0),
            ("1E2", 100.0),
            ("0.25", 0.25),
            ("1e-5", 1e-5),
            ("12345678901234567890123", 1.2345678901234568e22),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text), Ok(Json::Number(want)), "{text}");
        }
        // Far from anything a token carries: within a few ulps is the documented promise.
        for (text, want) in
            [("1e300", 1e300), ("-4.9e-300", -4.9e-300), ("1.7976931348623157e308", f64::MAX)]
        {
            match parse(text) {
                Ok(Json::Number(n)) => assert!(((n - want) / want).abs() < 1e-14, "{text}: {n}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        assert_eq!(parse("1e309"), Err(JsonError::NumberOutOfRange));
        assert_eq!(parse("1e-400"), Ok(Json::Number(0.0)));
    }

    #[test]
    fn depth_is_capped_without_recursing_past_it() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(parse(&deep), Err(JsonError::TooDeep));
        let very_deep = "[".repeat(1_000_000);
        assert_eq!(parse(&very_deep), Err(JsonError::TooDeep));
    }

    #[test]
    fn take_moves_without_copying() {
        let mut v = parse(r#"{"access":"tok"}"#).unwrap();
        assert_eq!(v.take("access"), Some(Json::String("tok".into())));
        assert_eq!(v.get("access"), Some(&Json::Null));
        assert_eq!(v.take("missing"), None);
    }
}
