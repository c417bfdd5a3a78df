//! Decides what a response means for the session. A policy decides; it never waits or sends.

/// How a request was sent, remembered so its response can be judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The request went to an allowed origin (it is ours to manage).
    pub allowed_origin: bool,
    /// Generation of the token it carried; 0 when it carried none.
    pub generation: u64,
    /// This was already the replay: it is never replayed again.
    pub replayed: bool,
}

/// What to do with an API response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Hand the response to the caller unchanged.
    PassThrough,
    /// A newer token already exists: send again with it, no refresh.
    Replay,
    /// Refresh (single flight), then send again once.
    RefreshThenReplay,
}

/// Judges an API response. `current` is the generation of the token held now, if any.
///
/// Only 401 can lead to a refresh (never 403: `401 || 403` loops are incident #2). A Bearer
/// challenge with `insufficient_scope` is about permissions, which a new token cannot fix.
pub fn judge(
    status: u16,
    www_authenticate: Option<&str>,
    sent: Sent,
    current: Option<u64>,
) -> Verdict {
    if status != 401 || !sent.allowed_origin || sent.replayed {
        return Verdict::PassThrough;
    }
    if www_authenticate.and_then(bearer_error) == Some("insufficient_scope") {
        return Verdict::PassThrough;
    }
    match current {
        Some(generation) if generation > sent.generation => Verdict::Replay,
        _ => Verdict::RefreshThenReplay,
    }
}

/// The `error` parameter of a `Bearer` challenge (RFC 6750 §3), if present.
///
/// Works on bytes with `get` rather than string slicing and `&str` patterns: their panic and
/// search machinery would cost kilobytes of Wasm for a header of a few dozen bytes.
pub fn bearer_error(header: &str) -> Option<&str> {
    let h = header.as_bytes();
    let is_space = |b: u8| b == b' ' || b == b'\t';
    let skip = |mut i: usize, also_comma: bool| {
        while i < h.len() && (is_space(h[i]) || (also_comma && h[i] == b',')) {
            i += 1;
        }
        i
    };
    // Find the Bearer scheme: "bearer" followed by a space or the end (other challenges may
    // come first, separated by commas).
    let mut i = skip(0, true);
    loop {
        let word = h.get(i..i + 6)?;
        if word.eq_ignore_ascii_case(b"bearer") && h.get(i + 6).is_none_or(|&b| is_space(b)) {
            i += 6;
            break;
        }
        i = skip(i + h.get(i..)?.iter().position(|&b| b == b',')? + 1, true);
    }
    // Walk auth-params: name=value or name="quoted", separated by commas.
    loop {
        i = skip(i, true);
        let name_start = i;
        while i < h.len() && h[i] != b'=' {
            if is_space(h[i]) || h[i] == b',' {
                return None; // "Scheme param=...": the next challenge began, or junk
            }
            i += 1;
        }
        let name = h.get(name_start..i)?;
        i = skip(i + 1, false);
        let (value_start, value_end) = if h.get(i) == Some(&b'"') {
            let len = h.get(i + 1..)?.iter().position(|&b| b == b'"')?;
            (i + 1, i + 1 + len)
        } else {
            let len =
                h.get(i..)?.iter().position(|&b| is_space(b) || b == b',').unwrap_or(h.len() - i);
            (i, i + len)
        };
        if name.eq_ignore_ascii_case(b"error") {
            return header.get(value_start..value_end);
        }
        i = value_end + usize::from(h.get(value_end) == Some(&b'"'));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRESH: Sent = Sent { allowed_origin: true, generation: 1, replayed: false };

    #[test]
    fn only_401_refreshes() {
        assert_eq!(judge(401, None, FRESH, Some(1)), Verdict::RefreshThenReplay);
        for status in [200, 400, 403, 404, 500] {
            assert_eq!(judge(status, None, FRESH, Some(1)), Verdict::PassThrough, "{status}");
        }
    }

    #[test]
    fn foreign_origins_and_replays_pass_through() {
        let foreign = Sent { allowed_origin: false, ..FRESH };
        assert_eq!(judge(401, None, foreign, Some(1)), Verdict::PassThrough);
        let replayed = Sent { replayed: true, ..FRESH };
        assert_eq!(judge(401, None, replayed, Some(2)), Verdict::PassThrough);
    }

    #[test]
    fn stale_generation_replays_without_refresh() {
        assert_eq!(judge(401, None, FRESH, Some(2)), Verdict::Replay);
        let tokenless = Sent { generation: 0, ..FRESH };
        assert_eq!(judge(401, None, tokenless, Some(1)), Verdict::Replay);
        assert_eq!(judge(401, None, tokenless, None), Verdict::RefreshThenReplay);
    }

    #[test]
    fn www_authenticate_is_honoured() {
        let scope = r#"Bearer realm="api", error="insufficient_scope", scope="admin""#;
        assert_eq!(judge(401, Some(scope), FRESH, Some(1)), Verdict::PassThrough);
        let invalid = r#"Bearer error="invalid_token", error_description="expired""#;
        assert_eq!(judge(401, Some(invalid), FRESH, Some(1)), Verdict::RefreshThenReplay);
    }

    #[test]
    fn bearer_error_parsing() {
        assert_eq!(bearer_error(r#"Bearer error="invalid_token""#), Some("invalid_token"));
        assert_eq!(bearer_error("bearer error=invalid_token"), Some("invalid_token"));
        assert_eq!(
            bearer_error(r#"Basic realm="x", Bearer realm="y", error="insufficient_scope""#),
            Some("insufficient_scope")
        );
        assert_eq!(bearer_error(r#"Bearer error_description="e", error="x""#), Some("x"));
        assert_eq!(bearer_error(r#"Bearer realm="api""#), None);
        assert_eq!(bearer_error("Bearer"), None);
        assert_eq!(bearer_error(r#"Basic error="invalid_token""#), None);
        assert_eq!(bearer_error(""), None);
        assert_eq!(bearer_error(r#"Bearer error="unterminated"#), None);
        assert_eq!(bearer_error(r#"Bearer realm="a", Basic error="x""#), None);
    }
}
