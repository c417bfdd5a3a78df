//! Tiny string helpers that replace `format!`, whose machinery costs kilobytes of Wasm.

use crate::prelude::*;

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

/// Appends `s` as a JSON string literal (quotes included).
pub fn push_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(char::from(HEX[(c as usize) >> 4]));
                out.push(char::from(HEX[(c as usize) & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `s` percent-encoded for `application/x-www-form-urlencoded`.
pub fn push_form_encoded(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_escapes() {
        let mut s = String::new();
        push_u32(&mut s, 0);
        s.push(' ');
        push_u32(&mut s, 4_294_967_295);
        assert_eq!(s, "0 4294967295");
        let mut j = String::new();
        push_json_string(&mut j, "a\"b\\c\n");
        assert_eq!(j, r#""a\"b\\c\u000a""#);
        let mut f = String::new();
        push_form_encoded(&mut f, "a b+c/=~");
        assert_eq!(f, "a+b%2Bc%2F%3D%7E");
    }
}
