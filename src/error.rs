//! The one error type of the crate. It is converted to a JavaScript `Error` in exactly one place
//! (`web::js_error`); its `name` is a stable contract and its message never contains a token.

use crate::prelude::*;
use crate::text::push_u32;

/// Why a session ended; carried by the `sessionEnd` event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// The refresh endpoint rejected the refresh (401, 400 `invalid_grant`).
    Expired,
    /// The server said the token or its family is revoked or blacklisted.
    Revoked,
    /// The app called `logout()`.
    Logout,
    /// Another tab logged out or ended the session.
    OtherTab,
}

impl EndReason {
    /// The string the JavaScript API uses for this reason.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Expired => "expired",
            EndReason::Revoked => "revoked",
            EndReason::Logout => "logout",
            EndReason::OtherTab => "otherTab",
        }
    }
}

/// Why a refresh failed while the session is kept. Most causes pass (a later call may
/// succeed); `Forbidden` is a configuration problem, reported and never retried in a loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshFailure {
    /// The request never got a response (offline, DNS, CORS).
    Network,
    /// No answer within `refreshTimeoutMs`.
    Timeout,
    /// A 5xx (or other unexpected) status.
    Status(u16),
    /// 403 from the refresh endpoint: a configuration problem (CSRF header, credentials), not
    /// a reason to end the session, and never retried in a loop.
    Forbidden,
    /// The refresh was abandoned before it finished (its task was dropped).
    Abandoned,
    /// Another tab held the cross-tab refresh lock for too long (2 × `refreshTimeoutMs`).
    CrossTabLock,
}

/// Every failure tokenflight reports to the app.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Error {
    /// The refresh was rejected: the session is over and the token wiped.
    SessionExpired(EndReason),
    /// The refresh could not be completed now; the session is kept.
    RefreshFailed(RefreshFailure),
    /// The refresh endpoint answered 2xx with something that is not a usable token response.
    InvalidRefreshResponse(&'static str),
    /// The token endpoint refused the client's configuration (RFC 6749 §5.2 `invalid_client`,
    /// `unauthorized_client`, `unsupported_grant_type`, `invalid_request`, `invalid_scope`):
    /// not retried until it changes; the session is kept.
    /// Carries the server's `error` (one of the five); its `error_description` is added to the
    /// message at the JavaScript edge, so this type stays small and `Copy`.
    RefreshMisconfigured(&'static str),
    /// A 401 arrived for a request whose body is a stream, which cannot be sent twice.
    NonReplayableBody,
    /// `logout()` was called (in this or another tab) while the request waited.
    LoggedOut,
    /// The loop breaker stopped refreshing after too many refreshes in a short window.
    TooManyRefreshes,
    /// `login()` was answered with an error status (`None`: no usable answer at all).
    LoginFailed(Option<u16>),
    /// The login endpoint answered 2xx with something that is not a usable token response.
    InvalidLoginResponse(&'static str),
    /// A method was called with an unusable argument.
    InvalidArgument {
        /// The argument or field, as the app wrote it.
        argument: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// An option passed to `createTokenManager` is missing or malformed.
    InvalidOptions {
        /// The option's name.
        option: &'static str,
        /// What is wrong with it, for a person to act on.
        problem: &'static str,
    },
}

/// The wording of every `InvalidOptions` message: "createTokenManager: option `NAME` PROBLEM."
pub fn option_message(option: &str, problem: &str) -> String {
    let mut m = String::from("createTokenManager: option `");
    m.push_str(option);
    m.push_str("` ");
    m.push_str(problem);
    m.push('.');
    m
}

/// Result alias used across the crate.
pub type Result<T> = core::result::Result<T, Error>;

impl Error {
    /// The error a request of a session that ended for `reason` receives.
    pub fn for_end(reason: EndReason) -> Error {
        match reason {
            EndReason::Logout | EndReason::OtherTab => Error::LoggedOut,
            EndReason::Expired | EndReason::Revoked => Error::SessionExpired(reason),
        }
    }

    /// Stable name seen by JavaScript as `error.name`.
    pub fn name(&self) -> &'static str {
        match self {
            Error::SessionExpired(_) => "SessionExpired",
            Error::RefreshFailed(_) => "RefreshFailed",
            Error::InvalidRefreshResponse(_) => "InvalidRefreshResponse",
            Error::RefreshMisconfigured(_) => "RefreshMisconfigured",
            Error::NonReplayableBody => "NonReplayableBody",
            Error::LoggedOut => "LoggedOut",
            Error::TooManyRefreshes => "TooManyRefreshes",
            Error::LoginFailed(_) => "LoginFailed",
            Error::InvalidLoginResponse(_) => "InvalidLoginResponse",
            Error::InvalidArgument { .. } => "InvalidArgument",
            Error::InvalidOptions { .. } => "InvalidOptions",
        }
    }

    /// A message a person can act on. Built without `format!` to keep the Wasm small.
    pub fn message(&self) -> String {
        let mut m = String::new();
        match self {
            Error::SessionExpired(reason) => {
                m.push_str("Session ended (");
                m.push_str(reason.as_str());
                m.push_str("); sign in again.");
            }
            Error::RefreshFailed(t) => match t {
                RefreshFailure::Network => m.push_str(
                    "Refresh failed: refreshUrl unreachable. Session kept; retry.",
                ),
                RefreshFailure::Timeout => m.push_str(
                    "Refresh timed out (refreshTimeoutMs). Session kept; retry.",
                ),
                RefreshFailure::Status(code) => {
                    m.push_str("Refresh failed: refreshUrl answered HTTP ");
                    push_u32(&mut m, u32::from(*code));
                    m.push_str(". Session kept; retry.");
                }
                RefreshFailure::Forbidden => m.push_str(
                    "Refresh got HTTP 403: check refreshHeaders (CSRF) and the cookie's Path.",
                ),
                RefreshFailure::Abandoned => {
                    m.push_str("Refresh abandoned; retry.")
                }
                RefreshFailure::CrossTabLock => m.push_str(
                    "Refresh waited too long for another tab (crossTab lock). Session kept; retry.",
                ),
            },
            Error::InvalidRefreshResponse(why) => {
                m.push_str("refreshUrl gave no usable tokens: ");
                m.push_str(why);
                m.push('.');
            }
            Error::RefreshMisconfigured(error) => {
                m.push_str("Token endpoint refused the client: ");
                m.push_str(error);
                m.push_str(". Check refreshParams and the client registration; session kept.");
            }
            Error::NonReplayableBody => m.push_str(
                "401 for a stream body, which cannot be resent; token renewed: send a new body (error.response is the 401).",
            ),
            Error::LoggedOut => m.push_str("Logged out while this request waited for a token."),
            Error::TooManyRefreshes => m.push_str(
                "Too many refreshes; paused. Does the server accept its own tokens?",
            ),
            Error::LoginFailed(status) => match status {
                Some(code) => {
                    m.push_str("Login failed: loginUrl answered HTTP ");
                    push_u32(&mut m, u32::from(*code));
                    m.push('.');
                }
                None => m.push_str("Login failed: loginUrl unreachable."),
            },
            Error::InvalidLoginResponse(why) => {
                m.push_str("loginUrl gave no usable tokens: ");
                m.push_str(why);
                m.push('.');
            }
            Error::InvalidArgument { argument, problem } => {
                m.push_str(argument);
                m.push(' ');
                m.push_str(problem);
                m.push('.');
            }
            Error::InvalidOptions { option, problem } => return option_message(option, problem),
        }
        m
    }
}
