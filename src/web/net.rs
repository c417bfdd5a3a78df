//! Calling fetch and reading answers: the underlying fetch function, a timeout race, and body
//! reads capped in size. Every promise is wrapped in a `JsFuture` at once, which attaches its
//! handlers, so nothing we abandon can surface as an unhandled rejection.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, Response};

use super::convert::{get, global};
use super::timer::Sleep;
use crate::prelude::*;

/// Calls `fetch_fn` (or the global `fetch`) with `request` and awaits the `Response`.
/// A rejection (network error, `AbortError`) is returned as the JavaScript error it was.
pub async fn send(fetch_fn: Option<&js_sys::Function>, request: &Request) -> Result<Response, JsValue> {
    let promise = start(fetch_fn, request)?;
    let value = JsFuture::from(promise).await?;
    value.dyn_into::<Response>().map_err(|_| js_sys::TypeError::new("fetch did not return a Response").into())
}

fn start(fetch_fn: Option<&js_sys::Function>, request: &Request) -> Result<js_sys::Promise, JsValue> {
    let g = global();
    let result = match fetch_fn {
        Some(f) => f.call1(&JsValue::UNDEFINED, request)?,
        None => {
            let f: js_sys::Function = get(&g, "fetch").dyn_into().map_err(|_| js_sys::TypeError::new("fetch is not available"))?;
            f.call1(&g, request)?
        }
    };
    Ok(js_sys::Promise::resolve(&result))
}

/// Reads a response body as text when it is at most `cap` bytes; `None` when larger or unreadable.
pub async fn text_capped(response: &Response, cap: usize) -> Option<String> {
    let declared = response.headers().get("content-length").ok().flatten();
    if declared.and_then(|l| l.trim_ascii().parse::<u64>().ok()).is_some_and(|l| l > cap as u64) {
        return None;
    }
    let text = JsFuture::from(response.text().ok()?).await.ok()?.as_string()?;
    (text.len() <= cap).then_some(text)
}

/// Resolves to `Some(output)` if `work` finishes within `ms`, else `None` (and drops `work`).
pub async fn within<F: Future>(ms: u32, work: F) -> Option<F::Output> {
    Race { work: Box::pin(work), timer: Sleep::new(ms) }.await
}

struct Race<F: Future> {
    work: Pin<Box<F>>,
    timer: Sleep,
}

impl<F: Future> Future for Race<F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(v) = self.work.as_mut().poll(cx) {
            return Poll::Ready(Some(v));
        }
        match Pin::new(&mut self.timer).poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}
