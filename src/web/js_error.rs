//! The one place a crate `Error` becomes a JavaScript `Error`: stable `name`, actionable
//! `message`, never a token.

use wasm_bindgen::JsValue;

use super::convert::{put, set};
use super::options::{Options, OptionsError};
use crate::error::{Error, RefreshFailure};

/// Converts an error into a JavaScript `Error` with `name` set.
pub fn js_error(error: &Error) -> JsValue {
    described(error, "")
}

/// As [`js_error`], for errors that may come from the token endpoint: `RefreshMisconfigured`'s
/// message ends with what the server said (its `error_description`).
pub fn endpoint_error(options: &Options, error: &Error) -> JsValue {
    let said = options.server_text.borrow();
    described(error, if matches!(error, Error::RefreshMisconfigured(_)) { &said } else { "" })
}

fn described(error: &Error, server_said: &str) -> JsValue {
    let mut message = error.message();
    if !server_said.is_empty() {
        message.push_str(" Server: ");
        message.push_str(server_said);
    }
    let e = js_sys::Error::new(&message);
    // Through `Reflect.set` like the other fields: one JS import less than `set_name`.
    put(&e, "name", JsValue::from_str(error.name()));
    match error {
        Error::RefreshFailed(RefreshFailure::Status(status)) | Error::LoginFailed(Some(status)) => {
            put(&e, "status", JsValue::from(*status));
        }
        Error::RefreshFailed(RefreshFailure::Forbidden) => put(&e, "status", JsValue::from(403)),
        Error::SessionExpired(reason) => put(&e, "reason", JsValue::from_str(reason.as_str())),
        Error::RefreshMisconfigured(error) => put(&e, "oauthError", JsValue::from_str(error)),
        _ => {}
    }
    e.into()
}

/// The error for bad options, naming the option (or the `refreshParams` field).
pub fn options_error(error: OptionsError) -> JsValue {
    let e = js_sys::Error::new(&error.message());
    put(&e, "name", JsValue::from_str("InvalidOptions"));
    e.into()
}

/// `NonReplayableBody`, carrying the original 401 response for the app to inspect.
pub fn non_replayable(response: &JsValue) -> JsValue {
    let e = js_error(&Error::NonReplayableBody);
    set(&e, "response", response);
    e
}
