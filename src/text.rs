//! Tiny string helpers that replace `format!`, whose machinery costs kilobytes of Wasm.

use crate::prelude::*;

/// `bytes` as a string when they are UTF-8 (RFC 3629: shortest form, no surrogates, nothing
/// above U+10FFFF). A small loop instead of core's `str::from_utf8`, whose word-at-a-time fast
/// path and lookup tables cost Wasm bytes; native tests check that both agree.
pub fn utf8(bytes: Vec<u8>) -> Option<String> {
    let mut rest = bytes.iter();
    while let Some(&lead) = rest.next() {
        // Continuation bytes that follow, the lead's payload bits, the smallest code point of
        // that length (anything smaller is an overlong form).
        let (extra, c, min) = match lead {
            0x00..=0x7f => continue,
            0xc2..=0xdf => (1, lead & 0x1f, 0x80),
            0xe0..=0xef => (2, lead & 0x0f, 0x800),
            0xf0..=0xf4 => (3, lead & 0x07, 0x1_0000),
            _ => return None,
        };
        let mut c = u32::from(c);
        for _ in 0..extra {
            match rest.next() {
                Some(&b) if b & 0xc0 == 0x80 => c = c << 6 | u32::from(b & 0x3f),
                _ => return None,
            }
        }
        if c < min || (0xd800..0xe000).contains(&c) || c > 0x10_ffff {
            return None;
        }
    }
    // SAFETY: the loop above returned `None` for every byte sequence that is not UTF-8.
    Some(unsafe { String::from_utf8_unchecked(bytes) })
}

/// The number a decimal header value (`Content-Length`, `Retry-After`) states: ASCII digits
/// only, surrounding whitespace ignored, saturating at `u64::MAX` (core's integer parser would
/// add its own code for one use).
pub fn decimal(value: &str) -> Option<u64> {
    let digits = value.trim_ascii();
    let mut n: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.saturating_mul(10).saturating_add(u64::from(b - b'0'));
    }
    (!digits.is_empty()).then_some(n)
}

/// Appends the decimal form of `n`.
pub fn push_u32(out: &mut String, n: u32) {
    // Highest power of ten first; no indexing, so no bounds-check panic path.
    let mut divisor = 1_000_000_000;
    while divisor > 1 && n / divisor == 0 {
        divisor /= 10;
    }
    while divisor > 0 {
        out.push(char::from(b'0' + (n / divisor % 10) as u8));
        divisor /= 10;
    }
}

/// Appends `s` as a JSON string literal (quotes included): runs of plain text are copied as
/// they are; `"`, `\` and control characters are escaped as `\u00XX`, one rule for all.
pub fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if b < 0x20 || b == b'"' || b == b'\\' {
            // Both ends of the run sit next to ASCII bytes, so they are char boundaries.
            out.push_str(s.get(start..i).unwrap_or_default());
            out.push_str("\\u00");
            push_hex(out, b, b"0123456789abcdef");
            start = i + 1;
        }
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// Appends `s` percent-encoded for `application/x-www-form-urlencoded`.
pub fn push_form_encoded(out: &mut String, s: &str) {
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                push_hex(out, b, b"0123456789ABCDEF");
            }
        }
    }
}

/// Appends `b` as two hex digits taken from `digits` (JSON escapes are written in lower case,
/// percent-encoding in upper case, as RFC 3986 recommends).
fn push_hex(out: &mut String, b: u8, digits: &[u8; 16]) {
    out.push(char::from(digits[usize::from(b >> 4)]));
    out.push(char::from(digits[usize::from(b & 15)]));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_reads_digits_only_and_saturates() {
        assert_eq!(decimal(" 120\t"), Some(120));
        assert_eq!(decimal("0"), Some(0));
        assert_eq!(decimal("99999999999999999999999"), Some(u64::MAX));
        for refused in ["", "  ", "+5", "-1", "1.5", "1e3", "12a", "1 2"] {
            assert_eq!(decimal(refused), None, "{refused:?}");
        }
    }

    #[test]
    fn numbers_and_escapes() {
        let mut s = String::new();
        push_u32(&mut s, 0);
        s.push(' ');
        push_u32(&mut s, 4_294_967_295);
        assert_eq!(s, "0 4294967295");
        let mut j = String::new();
        push_json_string(&mut j, "a\"b\\c\n");
        assert_eq!(j, r#""a\u0022b\u005cc\u000a""#);
        let mut f = String::new();
        push_form_encoded(&mut f, "a b+c/=~");
        assert_eq!(f, "a+b%2Bc%2F%3D%7E");
    }

    fn agrees_with_core(bytes: &[u8]) {
        let core = core::str::from_utf8(bytes).ok().map(str::to_owned);
        assert_eq!(utf8(bytes.to_vec()), core, "{bytes:02x?}");
    }

    #[test]
    fn utf8_agrees_with_core() {
        // Every sequence of one and two bytes.
        for a in 0..=255u8 {
            agrees_with_core(&[a]);
            for b in 0..=255u8 {
                agrees_with_core(&[a, b]);
            }
        }
        // Three and four bytes from the boundaries that matter: ASCII, the continuation range's
        // ends (0x80, 0x8f/0x90, 0x9f/0xa0, 0xbf), every lead byte, and bytes never valid.
        let edges: Vec<u8> = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xfe, 0xff]
            .into_iter()
            .chain(0xc0..=0xf7)
            .collect();
        for &a in &edges {
            for &b in &edges {
                for &c in &edges {
                    agrees_with_core(&[a, b, c]);
                }
            }
        }
        for a in 0xe0..=0xf7 {
            for &b in &edges {
                for &c in &edges {
                    for &d in &edges {
                        agrees_with_core(&[a, b, c, d]);
                    }
                }
            }
        }
        // Named cases: overlongs, surrogates, beyond U+10FFFF, truncation, valid extremes.
        for case in [
            &b"\xc0\x80"[..],
            b"\xe0\x80\x80",
            b"\xf0\x80\x80\x80",
            b"\xed\xa0\x80",
            b"\xed\xbf\xbf",
            b"\xf4\x90\x80\x80",
            b"\xf4\x8f\xbf\xbf",
            b"\xef\xbf\xbf",
            b"\xe2\x82",
            b"a\xe2\x82\xacb",
            "x\u{e9}\u{1f600}\u{10ffff}".as_bytes(),
        ] {
            agrees_with_core(case);
        }
        // Random text, every second string with one byte replaced.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = next() % 24;
            let mut text = String::new();
            for _ in 0..len {
                let limit = [0x80, 0x800, 0x1_0000, 0x11_0000][(next() % 4) as usize];
                text.push(char::from_u32((next() % limit) as u32).unwrap_or('\u{fffd}'));
            }
            let mut bytes = text.into_bytes();
            if next() % 2 == 0 && !bytes.is_empty() {
                let i = (next() % bytes.len() as u64) as usize;
                bytes[i] = next() as u8;
            }
            agrees_with_core(&bytes);
        }
    }
}
