//! A caller's `AbortSignal`: its request ends as soon as the signal aborts, including while it
//! waits for a refresh. Only that request ends; the refresh belongs to the lock and runs on.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

use super::convert::callback;
use super::flag::Flag;
use crate::prelude::*;

type Work<'a> = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>> + 'a>>;

/// Runs `work` until it finishes or `signal` aborts; an abort rejects with the signal's reason
/// (an `AbortError` unless the caller gave another), exactly as `fetch` would.
pub async fn until_aborted(signal: &AbortSignal, work: Work<'_>) -> Result<JsValue, JsValue> {
    if signal.aborted() {
        return Err(signal.reason());
    }
    let aborted = Rc::new(Flag::default());
    let shared = Rc::clone(&aborted);
    let on_abort = callback(move |_| {
        shared.raise();
        JsValue::UNDEFINED
    });
    let callback: &js_sys::Function = on_abort.as_ref().unchecked_ref();
    let _ = signal.add_event_listener_with_callback("abort", callback);
    let outcome = Race { work, aborted }.await;
    let _ = signal.remove_event_listener_with_callback("abort", callback);
    outcome.unwrap_or_else(|| Err(signal.reason()))
}

/// The work's result, or `None` once the signal aborted (the work is then dropped).
struct Race<'a> {
    work: Work<'a>,
    aborted: Rc<Flag>,
}

impl Future for Race<'_> {
    type Output = Option<Result<JsValue, JsValue>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.aborted.poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        self.work.as_mut().poll(cx).map(Some)
    }
}
