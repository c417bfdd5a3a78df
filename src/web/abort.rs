//! A caller's `AbortSignal`: its request ends as soon as the signal aborts, including while it
//! waits for a refresh. Only that request ends; the refresh belongs to the lock and runs on.
//! Also the `AbortController` this crate aborts its own requests with.

use core::future::{poll_fn, Future};
use core::pin::pin;
use core::task::Poll;

use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::convert::{callback, get, listen};
use super::flag::Flag;
use crate::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// An `AbortController`. (web-sys's constructor checks for an exception that cannot come:
    /// every engine that runs this Wasm has `AbortController`.)
    #[wasm_bindgen(js_name = AbortController)]
    pub type Controller;
    #[wasm_bindgen(constructor, js_class = "AbortController")]
    pub fn new() -> Controller;
    #[wasm_bindgen(method)]
    pub fn abort(this: &Controller);
}

/// Runs `work` until it finishes or `signal` aborts; an abort rejects with the signal's reason
/// (an `AbortError` unless the caller gave another), exactly as `fetch` would. Once the signal
/// aborts, the work is dropped.
pub async fn until_aborted(
    signal: &AbortSignal,
    work: impl Future<Output = Result<JsValue, JsValue>>,
) -> Result<JsValue, JsValue> {
    // Read through `get`: web-sys's `aborted` and `reason` getters are one JS import each.
    if get(signal, "aborted").is_truthy() {
        return Err(get(signal, "reason"));
    }
    let aborted = Rc::new(Flag::default());
    let shared = Rc::clone(&aborted);
    let on_abort = callback(move |_| {
        shared.raise();
        JsValue::UNDEFINED
    });
    listen(signal, true, "abort", on_abort.as_ref());
    let mut work = pin!(work);
    let outcome = poll_fn(|cx| {
        if aborted.poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        work.as_mut().poll(cx).map(Some)
    })
    .await;
    listen(signal, false, "abort", on_abort.as_ref());
    outcome.unwrap_or_else(|| Err(get(signal, "reason")))
}
