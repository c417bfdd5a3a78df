//! Decides what a response means for the session. A policy decides; it never waits or sends.

use crate::prelude::*;
use crate::refresh::answer::error_code;

/// How a request was sent, remembered so its response can be judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The request went to an allowed origin (it is ours to manage).
    pub allowed_origin: bool,
    /// Generation of the token it carried; `None` when it carried none.
    pub generation: Option<u64>,
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
    /// The server said the token is revoked: end the session once, reason `revoked`.
    EndSession,
}

/// What the app mapped a server error code to (option `errorCodes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeAction {
    /// Refresh and replay (e.g. `TOKEN_EXPIRED`).
    Refresh,
    /// End the session (e.g. `TOKEN_REVOKED`, `TOKEN_BLACKLISTED`).
    EndSession,
    /// Hand the response to the caller (e.g. `INVALID_SIGNATURE`).
    PassThrough,
}

impl CodeAction {
    /// Parses the option value: `"refresh"`, `"endSession"` or `"passThrough"`.
    pub fn parse(text: &str) -> Option<CodeAction> {
        match text {
            "refresh" => Some(CodeAction::Refresh),
            "endSession" => Some(CodeAction::EndSession),
            "passThrough" => Some(CodeAction::PassThrough),
            _ => None,
        }
    }
}

/// The action mapped to the error code in `body` (its `code`, else `error` member), if any.
pub fn code_action(map: &[(String, CodeAction)], body: Option<&str>) -> Option<CodeAction> {
    let code = error_code(body)?;
    map.iter().find(|(c, _)| c == code.expose()).map(|(_, action)| *action)
}

/// An API response as far as the policy cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer<'a> {
    /// HTTP status.
    pub status: u16,
    /// The `WWW-Authenticate` header.
    pub www_authenticate: Option<&'a str>,
    /// What the app mapped the body's error code to, for 401 and 403 answers.
    pub code_action: Option<CodeAction>,
}

/// Judges an API response. `current` is the generation of the token held now, if any.
///
/// By default only 401 can lead to a refresh (never 403: `401 || 403` loops are incident #2),
/// and a Bearer challenge with `insufficient_scope` never does: a new token cannot grant a
/// permission. A mapped error code decides for 401 and 403. Whatever the code says, a response
/// to an older token is replayed with the newer one: the verdict was about the old token.
pub fn judge(answer: Answer<'_>, sent: Sent, current: Option<u64>) -> Verdict {
    if !sent.allowed_origin || sent.replayed {
        return Verdict::PassThrough;
    }
    let newer_token = current.is_some_and(|g| sent.generation.is_none_or(|s| g > s));
    let retry = if newer_token { Verdict::Replay } else { Verdict::RefreshThenReplay };
    let auth_failure = answer.status == 401 || answer.status == 403;
    match answer.code_action {
        Some(CodeAction::PassThrough) if auth_failure => Verdict::PassThrough,
        Some(CodeAction::EndSession) if auth_failure && !newer_token => Verdict::EndSession,
        Some(CodeAction::EndSession | CodeAction::Refresh) if auth_failure => retry,
        _ if answer.status != 401 => Verdict::PassThrough,
        _ if answer.www_authenticate.and_then(bearer_error) == Some("insufficient_scope") => {
            Verdict::PassThrough
        }
        _ => retry,
    }
}

/// The `error` parameter of a `Bearer` challenge (RFC 6750 §3), if present.
///
/// Reads the header as RFC 9110 §11.6.1 writes it: comma-separated challenges and auth-params,
/// optional whitespace around `=` (BWS), quoted values that may contain commas and `\"`. A token
/// not followed by `=` starts a new challenge (or is a token68, which never names Bearer). Works on
/// bytes with `get` rather than string slicing and `&str` patterns: their panic and search
/// machinery would cost kilobytes of Wasm for a header of a few dozen bytes.
pub fn bearer_error(header: &str) -> Option<&str> {
    let h = header.as_bytes();
    let at = |i: usize| h.get(i).copied();
    let is_space = |b: u8| b == b' ' || b == b'\t';
    let is_token = |b: u8| b > b' ' && !matches!(b, b',' | b'=' | b'"' | 0x7f);
    let skip = |mut i: usize, also_comma: bool| {
        while at(i).is_some_and(|b| is_space(b) || (also_comma && b == b',')) {
            i += 1;
        }
        i
    };
    let token_end = |mut i: usize| {
        while at(i).is_some_and(is_token) {
            i += 1;
        }
        i
    };
    let mut in_bearer = false;
    let mut i = 0;
    loop {
        i = skip(i, true);
        at(i)?;
        let start = i;
        i = token_end(i);
        let name = h.get(start..i)?;
        let equals = skip(i, false);
        if at(equals) != Some(b'=') {
            if name.is_empty() {
                i += 1; // a stray quote or control byte: step over it
            } else {
                in_bearer = name.eq_ignore_ascii_case(b"bearer");
            }
            continue;
        }
        i = skip(equals + 1, false);
        let (value_start, value_end) = if at(i) == Some(b'"') {
            let mut end = i + 1;
            loop {
                match at(end)? {
                    b'"' => break,
                    b'\\' => end += 2,
                    _ => end += 1,
                }
            }
            let value = (i + 1, end);
            i = end + 1;
            value
        } else {
            let value_start = i;
            i = token_end(i);
            (value_start, i)
        };
        if in_bearer && name.eq_ignore_ascii_case(b"error") {
            return header.get(value_start..value_end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRESH: Sent = Sent { allowed_origin: true, generation: Some(1), replayed: false };

    fn plain(status: u16) -> Answer<'static> {
        Answer { status, www_authenticate: None, code_action: None }
    }

    #[test]
    fn only_401_refreshes() {
        assert_eq!(judge(plain(401), FRESH, Some(1)), Verdict::RefreshThenReplay);
        for status in [200, 400, 403, 404, 500] {
            assert_eq!(judge(plain(status), FRESH, Some(1)), Verdict::PassThrough, "{status}");
        }
    }

    #[test]
    fn foreign_origins_and_replays_pass_through() {
        let foreign = Sent { allowed_origin: false, ..FRESH };
        assert_eq!(judge(plain(401), foreign, Some(1)), Verdict::PassThrough);
        let replayed = Sent { replayed: true, ..FRESH };
        assert_eq!(judge(plain(401), replayed, Some(2)), Verdict::PassThrough);
    }

    #[test]
    fn stale_generation_replays_without_refresh() {
        assert_eq!(judge(plain(401), FRESH, Some(2)), Verdict::Replay);
        let tokenless = Sent { generation: None, ..FRESH };
        assert_eq!(judge(plain(401), tokenless, Some(1)), Verdict::Replay);
        assert_eq!(judge(plain(401), tokenless, None), Verdict::RefreshThenReplay);
    }

    #[test]
    fn www_authenticate_is_honoured() {
        let scope = r#"Bearer realm="api", error="insufficient_scope", scope="admin""#;
        let answer = Answer { www_authenticate: Some(scope), ..plain(401) };
        assert_eq!(judge(answer, FRESH, Some(1)), Verdict::PassThrough);
        let invalid = r#"Bearer error="invalid_token", error_description="expired""#;
        let answer = Answer { www_authenticate: Some(invalid), ..plain(401) };
        assert_eq!(judge(answer, FRESH, Some(1)), Verdict::RefreshThenReplay);
    }

    #[test]
    fn mapped_error_codes_decide_for_401_and_403() {
        let with = |status, action| Answer { code_action: Some(action), ..plain(status) };
        assert_eq!(judge(with(401, CodeAction::EndSession), FRESH, Some(1)), Verdict::EndSession);
        assert_eq!(judge(with(403, CodeAction::EndSession), FRESH, Some(1)), Verdict::EndSession);
        assert_eq!(judge(with(401, CodeAction::PassThrough), FRESH, Some(1)), Verdict::PassThrough);
        assert_eq!(
            judge(with(403, CodeAction::Refresh), FRESH, Some(1)),
            Verdict::RefreshThenReplay
        );
        assert_eq!(judge(with(500, CodeAction::EndSession), FRESH, Some(1)), Verdict::PassThrough);
        // A verdict about an older token is settled by replaying with the newer one.
        assert_eq!(judge(with(401, CodeAction::EndSession), FRESH, Some(2)), Verdict::Replay);
        let map = vec![("TOKEN_REVOKED".to_owned(), CodeAction::EndSession)];
        assert_eq!(
            code_action(&map, Some(r#"{"code":"TOKEN_REVOKED"}"#)),
            Some(CodeAction::EndSession)
        );
        assert_eq!(
            code_action(&map, Some(r#"{"error":"TOKEN_REVOKED"}"#)),
            Some(CodeAction::EndSession)
        );
        assert_eq!(code_action(&map, Some(r#"{"code":"OTHER"}"#)), None);
        assert_eq!(code_action(&map, Some("not json")), None);
        assert_eq!(CodeAction::parse("endSession"), Some(CodeAction::EndSession));
        assert_eq!(CodeAction::parse("logout"), None);
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
        // Found by tests/fuzz.rs: whitespace around '=' (RFC 9110 BWS), commas inside quotes.
        assert_eq!(
            bearer_error(r#"Bearer error = "insufficient_scope""#),
            Some("insufficient_scope")
        );
        assert_eq!(bearer_error("Bearer scope=a,error =x, DPoP"), Some("x"));
        assert_eq!(bearer_error(r#"Basic realm="x, Bearer error=y""#), None);
        assert_eq!(bearer_error(r#"Bearer realm="a\"b, c", error=z"#), Some("z"));
    }
}
