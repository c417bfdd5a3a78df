//! What one tab tells the other tabs of its origin (over a BroadcastChannel in the browser).
//!
//! Messages are small JSON texts read with the crate's strict parser. Anything that is not
//! exactly a message of this version is ignored: unknown keys (`__proto__` included), duplicate
//! keys, wrong types, a wrong version, or more than [`MAX_MESSAGE_BYTES`] of text. Every string
//! of a parsed message is zeroed before it is dropped; the tokens are moved out, not copied.

use crate::error::EndReason;
use crate::json::{self, Json};
use crate::prelude::*;
use crate::refresh::grant::{take_token_value, wipe, Grant};
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
        let mut s = String::with_capacity(64 + self.token_bytes());
        s.push_str("{\"v\":");
        push_u32(&mut s, VERSION);
        let (kind, session) = match self {
            Message::Token { session, .. } => ("token", Some(*session)),
            Message::Login { session, .. } => ("login", Some(*session)),
            Message::End { session, .. } => ("end", Some(*session)),
            Message::Ask => ("ask", None),
        };
        s.push_str(",\"k\":\"");
        s.push_str(kind);
        s.push('"');
        if let Some(id) = session {
            s.push_str(",\"s\":");
            push_u32(&mut s, id);
        }
        match self {
            Message::Token { tokens, .. } | Message::Login { tokens: Some(tokens), .. } => {
                s.push_str(",\"a\":");
                push_json_string(&mut s, tokens.access.expose());
                if let Some(ms) = tokens.expires_in_ms {
                    s.push_str(",\"e\":");
                    push_u32(&mut s, ms);
                }
                if let Some(id) = &tokens.id_token {
                    s.push_str(",\"i\":");
                    push_json_string(&mut s, id.expose());
                }
            }
            Message::End { reason, .. } => {
                s.push_str(",\"r\":\"");
                s.push_str(reason.as_str());
                s.push('"');
            }
            _ => {}
        }
        s.push('}');
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
        let message = read(&mut doc);
        wipe(&mut doc);
        message
    }
}

/// Reads the members of a parsed message. Every member must be consumed: a key this version
/// does not define (or one that does not belong to the message's kind) refuses the message.
fn read(doc: &mut Json) -> Option<Message> {
    let Json::Object(members) = &*doc else {
        return None;
    };
    let count = members.len();
    if doc.get("v") != Some(&Json::Number(f64::from(VERSION))) {
        return None;
    }
    // The kind as a number, so no borrow of `doc` outlives this line.
    let kind = doc.get("k")?.as_str()?;
    let kind = ["ask", "end", "token", "login"].iter().position(|k| *k == kind)?;
    let (message, used) = match kind {
        0 => (Message::Ask, 2),
        1 => {
            let reason = match doc.get("r")?.as_str()? {
                "logout" => EndReason::Logout,
                "expired" => EndReason::Expired,
                "revoked" => EndReason::Revoked,
                _ => return None,
            };
            (Message::End { session: session(doc)?, reason }, 4)
        }
        _ => {
            let is_login = kind == 3;
            let session = session(doc)?;
            let (tokens, used) = match doc.get("a") {
                None if is_login => (None, 3),
                None => return None,
                Some(_) => tokens(doc)?,
            };
            let message = match (is_login, tokens) {
                (true, tokens) => Message::Login { session, tokens },
                (false, Some(tokens)) => Message::Token { session, tokens },
                (false, None) => return None,
            };
            (message, used)
        }
    };
    (used == count).then_some(message)
}

fn session(doc: &Json) -> Option<u32> {
    whole_u32(doc.get("s")?)
}

/// The shared tokens, and how many members they (plus `v`, `k`, `s`) account for.
fn tokens(doc: &mut Json) -> Option<(Option<SharedTokens>, usize)> {
    let mut used = 4;
    let expires_in_ms = match doc.get("e") {
        Some(value) => {
            used += 1;
            Some(whole_u32(value)?)
        }
        None => None,
    };
    let id_token = match doc.take("i") {
        Some(value) => {
            used += 1;
            Some(take_token_value(value)?)
        }
        None => None,
    };
    let access = take_token_value(doc.take("a")?)?;
    Some((Some(SharedTokens { access, expires_in_ms, id_token }), used))
}

/// A JSON number that is a whole `u32`.
fn whole_u32(value: &Json) -> Option<u32> {
    match value {
        Json::Number(n) if *n >= 0.0 && *n <= f64::from(u32::MAX) && *n == (*n as u32) as f64 => {
            Some(*n as u32)
        }
        _ => None,
    }
}
