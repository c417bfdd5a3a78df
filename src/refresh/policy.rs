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
pub fn judge(status: u16, www_authenticate: Option<&str>, sent: Sent, current: Option<u64>) -> Verdict {
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
pub fn bearer_error(header: &str) -> Option<&str> {
    let lower_starts = |s: &str, p: &str| s.len() >= p.len() && s[..p.len()].eq_ignore_ascii_case(p);
    let mut rest = header.trim_start();
    // Find the Bearer scheme (other challenges may come first).
    loop {
        if lower_starts(rest, "bearer") && rest[6..].starts_with([' ', '\t']) || rest.eq_ignore_ascii_case("bearer") {
            rest = &rest[6..];
            break;
        }
        let next = rest.find(',')?;
        rest = rest[next + 1..].trim_start();
    }
    // Walk auth-params: name=value or name="quoted", separated by commas.
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return None;
        }
        let eq = rest.find('=')?;
        let name = rest[..eq].trim_end();
        if name.contains([' ', '\t', ',']) {
            return None; // "Scheme param=..." : the next challenge began
        }
        let after = rest[eq + 1..].trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"')?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find([',', ' ', '\t']).unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        if name.eq_ignore_ascii_case("error") {
            return Some(value);
        }
        rest = remaining;
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
