//! Strict unpadded base64url (RFC 4648 §5), as JWS compact serialization requires (RFC 7515 §2).
//!
//! Written out rather than taken from the `base64` crate, which costs 2 KB of the 40 KB gzip
//! budget; native tests check this decoder against that crate on generated inputs.

use crate::prelude::*;

/// Decodes `input`, refusing padding, whitespace, the standard alphabet's `+` `/`, a length of
/// 1 (mod 4), and non-zero trailing bits (so every token has exactly one encoding).
pub fn decode(input: &[u8]) -> Option<Vec<u8>> {
    if input.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    for &c in input {
        let sextet = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (acc == 0).then_some(out)
}
