//! A strict RFC 8259 JSON parser for token responses and JWT payloads.
//!
//! Hand-written rather than serde_json to keep the Wasm small and to control what matters here:
//! a nesting cap (deep input is an error, never a stack overflow that poisons the instance),
//! duplicate keys rejected (RFC 7519 §4), no lone surrogates, and strings allocated once at their
//! final size so a secret inside them leaves no stray copy in freed memory.

mod number;

use crate::prelude::*;

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
    let mut p = Parser { src: input, pos: 0 };
    let value = p.value(0)?;
    p.skip_ws();
    if p.pos == input.len() {
        Ok(value)
    } else {
        Err(JsonError::Syntax)
    }
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

// `get` rather than indexing throughout: no bounds-check panic (whose message formatting would
// cost Wasm bytes) exists in the parser.
impl Parser<'_> {
    /// The next byte, 0 past the end (NUL is valid only escaped, so never where this is asked).
    fn peek(&self) -> u8 {
        self.src.as_bytes().get(self.pos).copied().unwrap_or(0)
    }

    /// Skips whitespace and returns the next byte, not consumed.
    fn skip_ws(&mut self) -> u8 {
        loop {
            match self.peek() {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                b => return b,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, JsonError> {
        let (literal, value) = match self.skip_ws() {
            open @ (b'{' | b'[') => return self.container(depth + 1, open == b'{'),
            b'"' => return self.string().map(Json::String),
            b'-' | b'0'..=b'9' => return self.number(),
            b't' => ("true", Json::Bool(true)),
            b'f' => ("false", Json::Bool(false)),
            b'n' => ("null", Json::Null),
            _ => return Err(JsonError::Syntax),
        };
        if self.src.get(self.pos..).is_some_and(|rest| rest.starts_with(literal)) {
            self.pos += literal.len();
            Ok(value)
        } else {
            Err(JsonError::Syntax)
        }
    }

    /// An object or an array, `pos` at its opening bracket.
    #[inline(never)] // measured: smaller after gzip than inlined into `value`
    fn container(&mut self, depth: usize, object: bool) -> Result<Json, JsonError> {
        if depth > MAX_DEPTH {
            return Err(JsonError::TooDeep);
        }
        self.pos += 1;
        let close = if object { b'}' } else { b']' };
        let mut members: Vec<(String, Json)> = Vec::new();
        let mut items = Vec::new();
        if self.skip_ws() == close {
            self.pos += 1;
        } else {
            loop {
                if object {
                    if self.skip_ws() != b'"' {
                        return Err(JsonError::Syntax);
                    }
                    let key = self.string()?;
                    if self.skip_ws() != b':' {
                        return Err(JsonError::Syntax);
                    }
                    self.pos += 1;
                    let value = self.value(depth)?;
                    // Quadratic, but objects are small (bodies are capped) and it needs no
                    // sort code.
                    if members.iter().any(|(earlier, _)| *earlier == key) {
                        return Err(JsonError::DuplicateKey);
                    }
                    members.push((key, value));
                } else {
                    items.push(self.value(depth)?);
                }
                let next = self.skip_ws();
                self.pos += 1;
                match next {
                    b',' => {}
                    b if b == close => break,
                    _ => return Err(JsonError::Syntax),
                }
            }
        }
        Ok(if object { Json::Object(members) } else { Json::Array(items) })
    }

    /// A string, `pos` at its opening quote, in one allocation of its exact size: a first pass
    /// checks it and measures it, a second copies it (no reallocation leaves a stray copy).
    fn string(&mut self) -> Result<String, JsonError> {
        let start = self.pos + 1;
        let len = self.unescape(start, None)?;
        let mut out = String::with_capacity(len);
        self.unescape(start, Some(&mut out))?;
        Ok(out)
    }

    /// Reads the string's text from `start` to its closing quote, appending it to `out` when
    /// there is one; returns its unescaped length in bytes.
    fn unescape(&mut self, start: usize, mut out: Option<&mut String>) -> Result<usize, JsonError> {
        self.pos = start;
        let mut len = 0;
        loop {
            // The run of plain characters up to the next quote, backslash or control character;
            // both its ends sit next to ASCII bytes, so they are char boundaries.
            let rest = self.src.as_bytes().get(self.pos..).unwrap_or_default();
            let run = rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            let run = run.ok_or(JsonError::Syntax)?;
            if let Some(out) = out.as_deref_mut() {
                out.push_str(self.src.get(self.pos..self.pos + run).unwrap_or_default());
            }
            len += run;
            self.pos += run + 1;
            let c = match rest.get(run..).unwrap_or_default() {
                [b'"', ..] => return Ok(len),
                [b'\\', b'u', ..] => {
                    self.pos -= 1;
                    self.unicode()?
                }
                [b'\\', esc, ..] => {
                    self.pos += 1;
                    match esc {
                        b'"' | b'\\' | b'/' => char::from(*esc),
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        _ => return Err(JsonError::Syntax),
                    }
                }
                _ => return Err(JsonError::Syntax),
            };
            len += c.len_utf8();
            if let Some(out) = out.as_deref_mut() {
                out.push(c);
            }
        }
    }

    /// `\uXXXX`, or a surrogate pair of two, `pos` at the backslash.
    fn unicode(&mut self) -> Result<char, JsonError> {
        let mut code = self.hex_escape()?;
        if (0xD800..0xDC00).contains(&code) {
            let low = self.hex_escape()?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(JsonError::Syntax);
            }
            code = 0x1_0000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        }
        // A lone low surrogate is not a char.
        char::from_u32(code).ok_or(JsonError::Syntax)
    }

    /// The four hex digits of one `\uXXXX`, `pos` at the backslash.
    fn hex_escape(&mut self) -> Result<u32, JsonError> {
        let text = self.src.as_bytes().get(self.pos..self.pos + 6);
        let Some([b'\\', b'u', digits @ ..]) = text else {
            return Err(JsonError::Syntax);
        };
        let mut code = 0;
        for &d in digits {
            let value = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(JsonError::Syntax),
            };
            code = code << 4 | u32::from(value);
        }
        self.pos += 6;
        Ok(code)
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
            "\"\\u00g0\"",
            "\"\\u\u{10}000\"",
            "\"\\ud800\\u0041\"",
            "\"\\ud800\\\"\"",
            "-",
            "-01",
            "1e+",
            "1.e5",
            "[1,2",
            "{\"a\":1 \"b\":2}",
            "1\u{0}",
            "\u{0}",
            "[\u{0}]",
        ] {
            assert_eq!(parse(bad), Err(JsonError::Syntax), "{bad:?}");
        }
        assert_eq!(parse("1e999"), Err(JsonError::NumberOutOfRange));
        assert_eq!(parse(" \t\n\r\"\\u00E9\\u00e9\" "), Ok(Json::String("éé".into())));
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
