//! Small conversions between JavaScript values and Rust.

use crate::prelude::*;

use wasm_bindgen::prelude::*;

/// `obj[key]`, or `undefined` when `obj` is not an object.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() {
        return JsValue::UNDEFINED;
    }
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Sets `obj[key] = value` on a plain object we created.
pub fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Builds a plain object from numeric fields.
pub fn object_of_numbers(fields: &[(&str, f64)]) -> js_sys::Object {
    let obj = js_sys::Object::new();
    for (k, v) in fields {
        set(&obj, k, &JsValue::from_f64(*v));
    }
    obj
}

#[wasm_bindgen]
extern "C" {
    /// `globalThis`, read once. (`js_sys::global()` probes `globalThis`, `self`, `window` and
    /// `global` in turn, four imports for browsers that all have `globalThis`.)
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;
}

/// The global object (`window` or a worker's `self`).
pub fn global() -> JsValue {
    GLOBAL_THIS.with(JsValue::clone)
}

/// The page's own URL (`location.href`), used to resolve relative URLs.
pub fn location_href() -> Option<String> {
    get(&get(&global(), "location"), "href").as_string()
}
