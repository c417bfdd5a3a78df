//! What one tab tells the other tabs of its origin (over a BroadcastChannel in the browser).
//!
//! Messages are small JSON arrays read with the crate's strict parser, positional so that no
//! key can be smuggled in (`__proto__` or any other):
//!
//! ```text
//! [1, "ask"]                                   a tab without a token asks for one
//! [1, "end", session, "logout"|"expired"|"revoked"]
//! [1, "login", session]                        body mode: no token is shared
//! [1, "login"|"token", session, access, expires_in_ms|null, id_token|null]
//! ```
//!
//! Anything that is not exactly a message of this version is ignored: another length, a wrong
//! type, a wrong version, an object, or more than [`MAX_MESSAGE_BYTES`] of text. Every string of
//! a parsed message is zeroed before it is dropped; the tokens are moved out, not copied.

use crate::error::EndReason;
use crate::grant::{take_token_value, wipe, Grant};
use crate::json::{self, Json};
use crate::prelude::*;
use crate::text::{push_json_string, push_u32};
use crate::token::{usable_expires_in, Secret};

/// The message format's version; a tab ignores every other version.
pub const VERSION: u32 = 1;

/// Largest message text read: two tokens of 8 KiB and the framing.
pub const MAX_MESSAGE_BYTES: usize = 17 * 1024;

/// Tokens one tab hands to the others (cookie mode only: in body mode no token is shared).
#[derive(Debug)]
pub struct SharedTokens {
    /// The access token.
    pub access: Secret,
    /// Milliseconds of validity left when it was sent (a duration, so clocks need not agree).
    pub expires_in_ms: Option<u32>,
    /// The ID token, for `claims()`.
    pub id_token: Option<Secret>,
}

impl SharedTokens {
    /// The tokens as a grant to install (no refresh token: none is shared).
    pub fn into_grant(self) -> Grant {
        let SharedTokens { access, expires_in_ms, id_token } = self;
        Grant {
            access,
            refresh: None,
            id_token,
            expires_in_s: expires_in_ms
                .map(|ms| f64::from(ms) / 1000.0)
                .and_then(usable_expires_in),
            // Not shared: cookie-mode tabs keep the scope they knew.
            scope: None,
        }
    }
}

/// One cross-tab message. `session` tags the session it belongs to (random per session, not a
/// secret), so a renewal that raced a logout is not adopted by the tab that logged out.
#[derive(Debug)]
pub enum Message {
    /// A token renewed or restored in `session`: the receiver adopts it.
    Token {
        /// The session it belongs to.
        session: u32,
        /// The tokens.
        tokens: SharedTokens,
    },
    /// A new session started (login, `setTokens`): the receiver ends its own (the user may have
    /// changed) and adopts the tokens when there are any.
    Login {
        /// The new session.
        session: u32,
        /// The tokens (cookie mode).
        tokens: Option<SharedTokens>,
    },
    /// `session` ended (logout ends every tab's session, whatever its tag).
    End {
        /// The session that ended.
        session: u32,
        /// Why.
        reason: EndReason,
    },
    /// A tab without a token asks whoever holds one to share it (`restore()` in a new tab).
    Ask,
}

impl Message {
    /// The message as JSON text, in one buffer that is zeroed on drop (it may hold tokens).
    pub fn encode(&self) -> Secret {
        let mut s = String::with_capacity(48 + self.token_bytes());
        s.push('[');
        push_u32(&mut s, VERSION);
        let (kind, session) = match self {
            Message::Token { session, .. } => ("token", Some(*session)),
            Message::Login { session, .. } => ("login", Some(*session)),
            Message::End { session, .. } => ("end", Some(*session)),
            Message::Ask => ("ask", None),
        };
        s.push_str(",\"");
        s.push_str(kind);
        s.push('"');
        if let Some(id) = session {
            s.push(',');
            push_u32(&mut s, id);
        }
        match self {
            Message::Token { tokens, .. } | Message::Login { tokens: Some(tokens), .. } => {
                s.push(',');
                push_json_string(&mut s, tokens.access.expose());
                s.push(',');
                match tokens.expires_in_ms {
                    Some(ms) => push_u32(&mut s, ms),
                    None => s.push_str("null"),
                }
                s.push(',');
                match &tokens.id_token {
                    Some(id) => push_json_string(&mut s, id.expose()),
                    None => s.push_str("null"),
                }
            }
            Message::End { reason, .. } => {
                s.push_str(",\"");
                s.push_str(reason.as_str());
                s.push('"');
            }
            _ => {}
        }
        s.push(']');
        Secret::new(s)
    }

    fn token_bytes(&self) -> usize {
        match self {
            Message::Token { tokens, .. } | Message::Login { tokens: Some(tokens), .. } => {
                tokens.access.expose().len()
                    + tokens.id_token.as_ref().map_or(0, |t| t.expose().len())
            }
            _ => 0,
        }
    }

    /// Reads a message; `None` for anything that is not exactly a message of this version.
    pub fn decode(text: &str) -> Option<Message> {
        if text.len() > MAX_MESSAGE_BYTES {
            return None;
        }
        let mut doc = json::parse(text).ok()?;
        let message = match &mut doc {
            Json::Array(items) => read(items),
            _ => None,
        };
        wipe(&mut doc);
        message
    }
}

/// Reads the items of a parsed message (the version first, then the kind and the session).
fn read(items: &mut [Json]) -> Option<Message> {
    let [version, kind, rest @ ..] = items else {
        return None;
    };
    if whole_u32(version)? != VERSION {
        return None;
    }
    let kind = kind.as_str()?;
    let [session, rest @ ..] = rest else {
        return (kind == "ask").then_some(Message::Ask);
    };
    let session = whole_u32(session)?;
    Some(match (kind, rest) {
        ("end", [reason]) => Message::End {
            session,
            reason: match reason.as_str()? {
                "logout" => EndReason::Logout,
                "expired" => EndReason::Expired,
                "revoked" => EndReason::Revoked,
                _ => return None,
            },
        },
        ("login", []) => Message::Login { session, tokens: None },
        ("login", [access, expires, id]) => {
            Message::Login { session, tokens: Some(tokens(access, expires, id)?) }
        }
        ("token", [access, expires, id]) => {
            Message::Token { session, tokens: tokens(access, expires, id)? }
        }
        _ => return None,
    })
}

/// The shared tokens, moved out of their items.
fn tokens(access: &mut Json, expires: &Json, id: &mut Json) -> Option<SharedTokens> {
    let expires_in_ms = match expires {
        Json::Null => None,
        value => Some(whole_u32(value)?),
    };
    let id_token = match core::mem::replace(id, Json::Null) {
        Json::Null => None,
        value => Some(take_token_value(value)?),
    };
    let access = take_token_value(core::mem::replace(access, Json::Null))?;
    Some(SharedTokens { access, expires_in_ms, id_token })
}

/// A JSON number that is a whole `u32` (the cast saturates, so only such a number survives the
/// round trip).
fn whole_u32(value: &Json) -> Option<u32> {
    match *value {
        Json::Number(n) if f64::from(n as u32) == n => Some(n as u32),
        _ => None,
    }
}
