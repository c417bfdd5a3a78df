//! The personal-data warning: a JWT payload is readable by anyone who holds the token, so when
//! the claims of a token the library receives name personal data (`claims::PERSONAL_KEYS`), the
//! console is told once per manager, naming the keys only: never a value, never the token.
//! `warnings: false` turns it off.

use crate::prelude::*;

use wasm_bindgen::{JsCast, JsValue};

use super::convert::{get, global};
use super::options::Options;
use crate::claims;
use crate::refresh::grant::Grant;

/// Checks the access and ID tokens of a grant, before the session keeps it.
pub fn check(options: &Options, grant: &Grant) {
    if !options.warnings.get() {
        return;
    }
    let mut message = String::from("tokenflight: personal data in token claims: ");
    let start = message.len();
    for token in [Some(&grant.access), grant.id_token.as_ref()].into_iter().flatten() {
        if let Ok(Some(c)) = claims::decode(token.expose()) {
            claims::personal_keys(&c, &mut message);
        }
    }
    if message.len() == start {
        return;
    }
    options.warnings.set(false);
    message.push_str("(readable by anyone holding the token; option warnings: false mutes this)");
    // Through the global `console`: no binding is imported for one call.
    let console = get(&global(), "console");
    if let Ok(warn) = get(&console, "warn").dyn_into::<js_sys::Function>() {
        let _ = warn.call1(&console, &JsValue::from_str(&message));
    }
}
