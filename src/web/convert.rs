//! Small conversions between JavaScript values and Rust.

use crate::prelude::*;

use wasm_bindgen::{JsCast, JsValue};

use crate::json::Json;

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

/// Converts parsed JSON into plain JavaScript values (strings stay strings: no HTML is built).
pub fn json_to_js(value: &Json) -> JsValue {
    match value {
        Json::Null => JsValue::NULL,
        Json::Bool(b) => JsValue::from_bool(*b),
        Json::Number(n) => JsValue::from_f64(*n),
        Json::String(s) => JsValue::from_str(s),
        Json::Array(items) => items.iter().map(json_to_js).collect::<js_sys::Array>().into(),
        Json::Object(members) => {
            // A null-prototype object: a claim named `__proto__` stays an ordinary key.
            let obj = js_sys::Object::create(JsValue::NULL.unchecked_ref::<js_sys::Object>());
            for (k, v) in members {
                let _ = js_sys::Reflect::define_property(&obj, &JsValue::from_str(k), &data_property(&json_to_js(v)));
            }
            obj.into()
        }
    }
}

fn data_property(value: &JsValue) -> js_sys::Object {
    let d = js_sys::Object::new();
    set(&d, "value", value);
    set(&d, "enumerable", &JsValue::TRUE);
    set(&d, "writable", &JsValue::TRUE);
    set(&d, "configurable", &JsValue::TRUE);
    d
}

/// The global object (`window` or a worker's `self`).
pub fn global() -> JsValue {
    js_sys::global().into()
}

/// The page's own URL (`location.href`), used to resolve relative URLs.
pub fn location_href() -> Option<String> {
    get(&get(&global(), "location"), "href").as_string()
}
