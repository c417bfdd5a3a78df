//! One request through `auth.fetch`, prepared once and sent once or twice (the replay) with only
//! the `Authorization` header differing. Two forms:
//! - the common call, `fetch("/path", init?)` with a plain init whose body is absent or a string
//!   (both immutable, so they replay byte-identical): sent as `fetch(url, copy)`, where `copy` is
//!   the caller's init with our own `Headers`. No `Request` is built and no URL parsed.
//! - anything else (a `Request`, a `URL`, another origin, a mutable or stream body, an init that
//!   is not a plain object): built once exactly as `window.fetch` would build it, then sent as
//!   clones, so the body is sent again byte-identical (clone before the first send).

use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, Headers, ReadableStream, Request};

use super::convert::global;
use super::options::Options;
use crate::origin::{http_origin, keeps_base_origin};
use crate::prelude::*;
use crate::token::Secret;

#[wasm_bindgen]
extern "C" {
    /// `fetch`'s second argument as the caller passed it, read through getters (the property
    /// names live in the glue: no key string crosses into JavaScript per call).
    type Init;
    #[wasm_bindgen(method, getter)]
    fn headers(this: &Init) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn body(this: &Init) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn mode(this: &Init) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &Init) -> JsValue;
    #[wasm_bindgen(method, setter)]
    fn set_headers(this: &Init, headers: &Headers);

    /// The global object, for its `document` (absent in workers), whose base URL relative
    /// URLs resolve against.
    type Global;
    #[wasm_bindgen(method, getter)]
    fn document(this: &Global) -> JsValue;
    type Document;
    #[wasm_bindgen(method, getter, js_name = baseURI)]
    fn base_uri(this: &Document) -> String;

    /// `new Request(input, init)` (`init` undefined is `new Request(input)`): one call, where
    /// `Reflect.construct` needed the constructor looked up and an arguments array built.
    #[wasm_bindgen(js_name = Request)]
    type NewRequest;
    #[wasm_bindgen(catch, constructor, js_class = "Request")]
    fn new(input: &JsValue, init: &JsValue) -> Result<NewRequest, JsValue>;
}

/// `fetch(input)` or `fetch(input, init)`.
pub type Args = (JsValue, Option<JsValue>);

/// A request ready to send.
pub struct Outgoing {
    form: Form,
    /// Ours to manage: an allowed origin, no `Authorization` set by the caller, not `no-cors`.
    pub managed: bool,
    /// False when the body is a stream: it can be sent only once.
    pub replayable: bool,
    /// The caller's abort signal, if it may abort.
    signal: Option<AbortSignal>,
}

enum Form {
    /// `fetch(url, init)`: `init` is our copy of the caller's, carrying our `headers`.
    Args { url: JsValue, init: js_sys::Object, headers: Headers },
    /// Built once; cloned per attempt.
    Built(Request),
}

impl Outgoing {
    /// Prepares the request from fetch's own arguments (string, URL or Request; any init).
    /// Throws what `new Request` throws, as `fetch` would.
    pub fn new(input: &JsValue, init: &JsValue, options: &Options) -> Result<Outgoing, JsValue> {
        match simple(input, init, options) {
            Some(outgoing) => Ok(outgoing),
            None => built(input, init, options),
        }
    }

    /// `fetch`'s arguments for the next attempt, carrying `bearer` when given.
    pub fn attempt(&self, bearer: Option<&Secret>) -> Result<Args, JsValue> {
        match &self.form {
            Form::Args { url, init, headers } => {
                // fetch copies the headers when called, so ours can change for the replay. Only
                // the first attempt can go without a token, and nothing was set before it.
                if let Some(value) = bearer {
                    headers.set("Authorization", value.expose())?;
                }
                Ok((url.clone(), Some(init.into())))
            }
            Form::Built(base) => {
                // `Request::clone` is the JS method (tees the body); `Clone::clone` copies the handle.
                let request =
                    if self.replayable { Request::clone(base)? } else { Clone::clone(base) };
                if let Some(value) = bearer {
                    request.headers().set("Authorization", value.expose())?;
                }
                Ok((request.into(), None))
            }
        }
    }

    /// `fetch`'s arguments as the caller made them, for requests we do not manage (those are
    /// always built: the prepared path takes only managed ones).
    pub fn untouched(&self) -> Args {
        match &self.form {
            Form::Args { url, init, .. } => (url.clone(), Some(init.into())),
            Form::Built(base) => (base.into(), None),
        }
    }

    /// The caller's abort signal, if it gave one.
    pub fn signal(&self) -> Option<&AbortSignal> {
        self.signal.as_ref()
    }
}

/// The common call, prepared without building a `Request`: a path-absolute URL string in an
/// http(s) document, to an allowed origin, with an init that is absent or a plain object whose body is
/// absent or a string, whose signal (if any) is an `AbortSignal`, that sets no `Authorization` and
/// is not `no-cors`. `None`: the other path (which also throws the right error for anything
/// invalid, and sends what we do not manage untouched).
fn simple(input: &JsValue, init: &JsValue, options: &Options) -> Option<Outgoing> {
    if !input.as_string().is_some_and(|url| keeps_base_origin(&url)) {
        return None;
    }
    // Our copy of the init: the one we send, and the one we read (so the caller's getters run
    // once). A plain object's own properties are all fetch reads; a class instance's getters
    // are not, so it goes the other way.
    let copy = js_sys::Object::new();
    if !init.is_undefined() {
        let prototype = js_sys::Object::get_prototype_of(init);
        if !(prototype.is_null() || js_sys::Object::get_prototype_of(&prototype).is_null()) {
            return None;
        }
        js_sys::Object::assign(&copy, init.unchecked_ref());
    }
    let fields: &Init = copy.unchecked_ref();
    let signal = match fields.signal() {
        s if s.is_undefined() || s.is_null() => None,
        s => Some(s.dyn_into::<AbortSignal>().ok()?),
    };
    // Our own headers (as `new Request` copies them); `new Headers(undefined)` is empty.
    let headers =
        Headers::new_with_record_from_str_to_str(fields.headers().unchecked_ref()).ok()?;
    // Relative URLs resolve against the document's base URL (a `<base>` element moves it).
    // Workers have no document: they take the other path.
    let document = global().unchecked_into::<Global>().document();
    if !document.is_object() {
        return None;
    }
    let base = document.unchecked_into::<Document>().base_uri();
    let body = fields.body();
    let managed = (body.is_undefined() || body.is_null() || body.is_string())
        && http_origin(&base).is_some_and(|origin| options.allows(origin))
        && !headers.has("authorization").unwrap_or(true)
        && fields.mode().as_string().as_deref() != Some("no-cors");
    if !managed {
        return None;
    }
    fields.set_headers(&headers);
    let form = Form::Args { url: input.clone(), init: copy, headers };
    Some(Outgoing { form, managed, replayable: true, signal })
}

/// Builds the `Request` exactly as `fetch` would.
fn built(input: &JsValue, init: &JsValue, options: &Options) -> Result<Outgoing, JsValue> {
    let base: Request = NewRequest::new(input, init)?.unchecked_into();
    // `Request.url` is serialized and never carries credentials: its origin is its prefix.
    let url = base.url();
    let origin = http_origin(&url);
    let caller_authorized = base.headers().has("authorization").unwrap_or(false);
    // `mode` through the same getter as an init's (a Request has one too): web-sys's enum getter
    // ships a table of every value.
    let no_cors = base.unchecked_ref::<Init>().mode().as_string().as_deref() == Some("no-cors");
    let managed = origin.is_some_and(|o| options.allows(o)) && !caller_authorized && !no_cors;
    let stream_body =
        init.is_object() && init.unchecked_ref::<Init>().body().is_instance_of::<ReadableStream>();
    let replayable = !stream_body;
    let signal = Some(base.signal());
    Ok(Outgoing { form: Form::Built(base), managed, replayable, signal })
}
