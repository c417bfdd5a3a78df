//! One request through `auth.fetch`: built once exactly as `window.fetch` would build it, then
//! sent as clones so the body can be sent again byte-identical on replay (clone before the first
//! send). Only the `Authorization` header differs between attempts.

use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, ReadableStream, Request};

use super::convert::{call_method, get, has_header, string_or_empty};
use super::options::Options;
use super::platform::Platform;
use crate::token::Secret;

/// A request ready to send.
pub struct Outgoing {
    base: Request,
    /// Ours to manage: an allowed origin, no `Authorization` set by the caller, not `no-cors`.
    pub managed: bool,
    /// False when the body is a stream: it can be sent only once.
    pub replayable: bool,
}

impl Outgoing {
    /// Builds the request from fetch's own arguments (string, URL or Request; any init). Throws
    /// what `new Request` throws, as `fetch` would.
    pub fn new(input: &JsValue, init: &JsValue, options: &Options) -> Result<Outgoing, JsValue> {
        let base = options.platform.request(input, init)?;
        // `Request.url` is serialized: its origin is its prefix (no URL object to parse it).
        let managed = options.allows(&string_or_empty(&base, "url"))
            && !has_header(&base, "authorization")
            // `mode` read as a string: web-sys's enum getter ships a table of every value.
            && get(&base, "mode").as_string().as_deref() != Some("no-cors");
        let replayable = !get(init, "body").is_instance_of::<ReadableStream>();
        Ok(Outgoing { base, managed, replayable })
    }

    /// The request to send now, carrying `bearer` when given.
    pub fn attempt(
        &self,
        platform: &Platform,
        bearer: Option<&Secret>,
    ) -> Result<Request, JsValue> {
        // The JS method `clone` tees the body; `Clone::clone` copies the handle.
        let request = if self.replayable {
            call_method(&self.base, "clone", &JsValue::UNDEFINED)?.unchecked_into()
        } else {
            Clone::clone(&self.base)
        };
        if let Some(value) = bearer {
            // The captured `Headers.prototype.set`: a replaced one must not see the token.
            platform.set_header(
                get(&request, "headers").unchecked_ref(),
                "Authorization",
                value.expose(),
            )?;
        }
        Ok(request)
    }

    /// The caller's abort signal (a request always has one).
    pub fn signal(&self) -> AbortSignal {
        get(&self.base, "signal").unchecked_into()
    }

    /// The request as the caller built it, for requests we do not manage.
    pub fn untouched(&self) -> &Request {
        &self.base
    }
}
