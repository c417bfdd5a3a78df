//! Small conversions between JavaScript values and Rust.

use crate::prelude::*;

use wasm_bindgen::prelude::*;

/// `obj[key]`, or `undefined` when `obj` is neither an object nor a function.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() && !obj.is_function() {
        return JsValue::UNDEFINED;
    }
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key]` when it is a string.
pub fn string(obj: &JsValue, key: &str) -> Option<String> {
    get(obj, key).as_string()
}

/// `obj[key]` when it is a string, else the empty string.
pub fn string_or_empty(obj: &JsValue, key: &str) -> String {
    string(obj, key).unwrap_or_default()
}

/// `message.headers[method](name)` of a `Request` or `Response`. Through `call_method`:
/// web-sys's `headers` getters and `Headers.get` / `has` are one import each.
fn headers_call(message: &JsValue, method: &str, name: &str) -> Option<JsValue> {
    call_method(&get(message, "headers"), method, &JsValue::from_str(name)).ok()
}

/// `message.headers.get(name)` (`None`: absent).
pub fn header(message: &JsValue, name: &str) -> Option<String> {
    headers_call(message, "get", name)?.as_string()
}

/// `message.headers.has(name)`, without copying the value into Wasm memory (the caller's own
/// `Authorization` is a credential, and a copy here would be left unzeroed).
pub fn has_header(message: &JsValue, name: &str) -> bool {
    headers_call(message, "has", name).is_some_and(|v| v.is_truthy())
}

/// `obj[name](arg)`; `Err` when it is not a function or throws. (One `Function.call` import
/// serves every method called this way; a binding per method is one import each.)
pub fn call_method(obj: &JsValue, name: &str, arg: &JsValue) -> Result<JsValue, JsValue> {
    let method = get(obj, name).dyn_into::<js_sys::Function>()?;
    method.call1(obj, arg)
}

/// `target.addEventListener(name, listener)`, or `removeEventListener` when not `add`; nothing
/// when `target` has no such method (no `document` in a worker). Through `call3` with an
/// ignored third argument, as `Platform` calls: no import of its own.
pub fn listen(target: &JsValue, add: bool, name: &str, listener: &JsValue) {
    let method = if add { "addEventListener" } else { "removeEventListener" };
    if let Ok(f) = get(target, method).dyn_into::<js_sys::Function>() {
        let _ = f.call3(target, &JsValue::from_str(name), listener, &JsValue::UNDEFINED);
    }
}

/// A JavaScript function running `f` with its first argument. Every callback handed to
/// JavaScript has this one type, so wasm-bindgen emits one closure adapter for all of them.
pub type Callback = Closure<dyn FnMut(JsValue) -> JsValue>;

/// Makes a [`Callback`].
pub fn callback(f: impl FnMut(JsValue) -> JsValue + 'static) -> Callback {
    Closure::new(f)
}

/// Sets `obj[key] = value` on an object we created (a plain object, an `Error`, our channel).
pub fn set(obj: &JsValue, key: &str, value: &JsValue) {
    reflect_set(obj, &JsValue::from_str(key), value);
}

/// [`set`] with a value made for it (taken, so that it is released here, in one place).
pub fn put(obj: &JsValue, key: &str, value: JsValue) {
    set(obj, key, &value);
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
    /// `Reflect.set`, without js-sys's exception check: setting a property of an object this
    /// crate made cannot throw (no setter or proxy of anyone else's is involved).
    #[wasm_bindgen(js_namespace = Reflect, js_name = set)]
    fn reflect_set(target: &JsValue, key: &JsValue, value: &JsValue) -> bool;

    /// `globalThis`, as the getter `globalThis.globalThis`. (`js_sys::global()` probes
    /// `globalThis`, `self`, `window` and `global` in turn, four imports for browsers that all
    /// have `globalThis`; a `static` import adds a lazily initialized cell.)
    #[wasm_bindgen(js_name = globalThis)]
    type Global;
    #[wasm_bindgen(static_method_of = Global, getter = globalThis)]
    fn global_this() -> JsValue;
}

/// The global object (`window` or a worker's `self`).
pub fn global() -> JsValue {
    Global::global_this()
}

/// The page's own URL (`location.href`), used to resolve relative URLs.
pub fn location_href() -> Option<String> {
    string(&get(&global(), "location"), "href")
}
