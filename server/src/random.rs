//! Random identifiers and keys from the OS generator.
//!
//! Everything secret or guessable-if-predictable (signing key, refresh tokens, jti, family
//! ids) comes from here, so there is a single place that can fail, and it fails with an error
//! instead of a panic.

use std::fmt;

/// The OS random generator failed; callers answer 500 instead of panicking.
#[derive(Debug, Clone, Copy)]
pub struct RandomUnavailable;

impl fmt::Display for RandomUnavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the operating system's random generator is unavailable")
    }
}

impl std::error::Error for RandomUnavailable {}

/// A fresh 32-byte HS256 key.
pub fn key() -> Result<[u8; 32], RandomUnavailable> {
    let mut key = [0u8; 32];
    getrandom::getrandom(&mut key).map_err(|_| RandomUnavailable)?;
    Ok(key)
}

/// `N` random bytes as lowercase hex: URL-, cookie- and header-safe without escaping.
pub fn hex_id<const N: usize>() -> Result<String, RandomUnavailable> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).map_err(|_| RandomUnavailable)?;
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(N * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    Ok(out)
}

/// The ids a login or a rotation may need, drawn before the store is locked so the lock is
/// never held while talking to the OS.
pub struct FreshIds {
    pub family: String,
    pub refresh: String,
    pub jti: String,
}

impl FreshIds {
    pub fn new() -> Result<Self, RandomUnavailable> {
        Ok(FreshIds { family: hex_id::<16>()?, refresh: hex_id::<32>()?, jti: hex_id::<16>()? })
    }
}
