//! The platform functions a token is handed to, captured once when the manager is created.
//!
//! Looking `fetch`, `Request` or `Headers.prototype.set` up on every call would hand the access
//! token, a body-mode refresh token and the replay's new token to whatever script replaced them
//! later (an analytics or error-reporting wrapper that logs requests, or worse). Captured here,
//! a later replacement sees nothing; the `fetch` option remains the deliberate way to put a
//! function in the path. What is not captured: property getters (`request.headers`) and
//! `Function.prototype.call` / `Reflect`, which a script able to redefine can also read the
//! page's own variables, the manager included.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Headers, Request};

use super::convert::{get, global};

/// `fetch`, `Request` and `Headers.prototype.set` as they were at creation.
pub struct Platform {
    global: JsValue,
    fetch: JsValue,
    request: JsValue,
    set_header: JsValue,
}

impl Platform {
    /// Captures the functions from the global object now.
    pub fn capture() -> Platform {
        let global = global();
        let prototype = get(&get(&global, "Headers"), "prototype");
        Platform {
            fetch: get(&global, "fetch"),
            request: get(&global, "Request"),
            set_header: get(&prototype, "set"),
            global,
        }
    }

    /// Calls `custom` (the `fetch` option) or the captured `fetch` with `request`. A missing
    /// fetch throws a `TypeError`, returned as the error.
    pub fn fetch(
        &self,
        custom: Option<&js_sys::Function>,
        request: &Request,
    ) -> Result<JsValue, JsValue> {
        match custom {
            Some(f) => f.call1(&JsValue::UNDEFINED, request),
            None => self.fetch.unchecked_ref::<js_sys::Function>().call1(&self.global, request),
        }
    }

    /// `new Request(input, init)` with the captured constructor.
    pub fn request(&self, input: &JsValue, init: &JsValue) -> Result<Request, JsValue> {
        // `new Request(input, undefined)` is `new Request(input)` (WebIDL: an optional argument).
        let args = js_sys::Array::of2(input, init);
        let ctor: &js_sys::Function = self.request.unchecked_ref();
        js_sys::Reflect::construct(ctor, &args).map(JsCast::unchecked_into)
    }

    /// `headers.set(name, value)` with the captured method. (Called with a third, ignored
    /// argument: `call3` is imported anyway, and each `Function.call` arity is one import.)
    pub fn set_header(&self, headers: &Headers, name: &str, value: &str) -> Result<(), JsValue> {
        let set: &js_sys::Function = self.set_header.unchecked_ref();
        let (name, value) = (JsValue::from_str(name), JsValue::from_str(value));
        set.call3(headers, &name, &value, &JsValue::UNDEFINED).map(drop)
    }
}
