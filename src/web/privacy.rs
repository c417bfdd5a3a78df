//! The personal-data warning: a JWT payload is readable by anyone who holds the token, so when
//! the claims `claims()` decodes name personal data (`claims::PERSONAL_KEYS`), the console is
//! told once per manager, naming the keys only: never a value, never the token. `warnings: false`
//! turns it off. (Checked where `claims()` already decodes: checking every arriving token too
//! would decode it a second time and cost ~130 B gzip more.)

use crate::prelude::*;

use wasm_bindgen::JsValue;

use super::convert::{call_method, get, global};
use super::options::Options;
use crate::claims;
use crate::json::Json;

/// Warns (once) when `claims` name personal data.
pub fn check(options: &Options, claims: &Json) {
    if !options.warnings.get() {
        return;
    }
    let mut message = String::from("tokenflight: token claims hold personal data: ");
    let start = message.len();
    claims::personal_keys(claims, &mut message);
    if message.len() == start {
        return;
    }
    options.warnings.set(false);
    message.push_str("(anyone with the token reads them; see option warnings)");
    // Through the global `console`: no binding is imported for one call. A missing or failing
    // `console.warn` is ignored.
    let _ = call_method(&get(&global(), "console"), "warn", &JsValue::from_str(&message));
}
