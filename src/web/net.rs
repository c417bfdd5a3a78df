//! Calling fetch and reading answers: the underlying fetch function, and POSTs to the auth
//! endpoints read under a deadline with their bodies capped in size. Every promise is wrapped in a `Settled` at once, which attaches its
//! handlers, so nothing we abandon can surface as an unhandled rejection.

use core::future::Future;
use core::pin::Pin;
use core::task::{ready, Context, Poll};

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Headers, Request, Response};

use super::abort::Controller;
use super::convert::{call_method, get, header, put, set};
use super::executor::Settled;
use super::options::Options;
use super::timer::Sleep;
use crate::grant::MAX_BODY_BYTES;
use crate::prelude::*;
use crate::refresh::answer::server_description;
use crate::text;
use crate::token::zero_string;

/// Calls the `fetch` option (or the `fetch` captured at creation, see `platform.rs`) with
/// `request` and awaits the `Response`. A rejection (network error, `AbortError`) is returned
/// as the JavaScript error it was.
pub async fn send(options: &Options, request: &Request) -> Result<Response, JsValue> {
    response(start(options, request)?.await?)
}

/// Calls fetch; the `Settled` has its answer.
fn start(options: &Options, request: &Request) -> Result<Settled, JsValue> {
    let result = options.platform.fetch(options.fetch.as_ref(), request)?;
    Ok(Settled::new(&js_sys::Promise::resolve(&result)))
}

/// What fetch resolved to, if it is a `Response`.
fn response(value: JsValue) -> Result<Response, JsValue> {
    value
        .dyn_into::<Response>()
        .map_err(|_| js_sys::TypeError::new("fetch did not return a Response").into())
}

/// A POST to one of the auth endpoints (refresh, login, logout).
pub struct Post<'a> {
    pub url: &'a str,
    /// `RequestInit.credentials`: `"include"` or `"same-origin"`.
    pub credentials: &'static str,
    /// Extra headers (copied; `Accept` and `Content-Type` are set on the copy).
    pub headers: Option<&'a Headers>,
    /// `(content type, body)`.
    pub body: Option<(&'static str, &'a str)>,
}

/// An answer read before the deadline.
pub struct Exchange {
    pub response: Response,
    /// The body, when `read_body(status)` asked for it and it fit the size cap.
    pub body: Option<String>,
}

/// Why no answer was read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No response (offline, CORS, DNS) or the request could not be built.
    Network,
    /// No answer within the deadline; the request was aborted.
    Timeout,
}

/// Sends `post` and reads the answer within the endpoint timeout (`refreshTimeoutMs`).
/// Redirects are not followed (an auth endpoint that redirects is misconfigured, and following
/// could send credentials elsewhere). The request is made now; the future reads the answer.
pub fn post_and_read<'a>(
    options: &'a Options,
    post: Post<'_>,
    read_body: fn(u16) -> bool,
) -> Exchanging<'a> {
    let controller = Controller::new();
    let sending = build(options, &post, &controller).and_then(|r| start(options, &r));
    Exchanging {
        options,
        read_body,
        timer: Sleep::new(options.endpoint_timeout_ms),
        controller,
        step: match sending {
            Ok(settled) => Step::Sending(settled),
            Err(_) => Step::Failed,
        },
    }
}

/// A POST in flight (see [`post_and_read`]): a hand-written state machine, smaller in Wasm
/// than the async block it replaces.
pub struct Exchanging<'a> {
    options: &'a Options,
    read_body: fn(u16) -> bool,
    timer: Sleep,
    /// Aborts the request when the timer wins.
    controller: Controller,
    step: Step,
}

enum Step {
    /// Waiting for the response.
    Sending(Settled),
    /// Reading the body, when `read_body(status)` asked for it.
    Reading(Response, Option<TextCapped>),
    /// No response, or the answer was returned.
    Failed,
}

impl Future for Exchanging<'_> {
    type Output = Result<Exchange, Failure>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Step::Sending(settled) = &mut this.step {
            let Poll::Ready(value) = Pin::new(settled).poll(cx) else {
                return this.timeout(cx);
            };
            this.step = match value.and_then(response) {
                Ok(response) => {
                    let body = (this.read_body)(response.status())
                        .then(|| text_capped(&response, MAX_BODY_BYTES));
                    Step::Reading(response, body)
                }
                Err(_) => Step::Failed,
            };
        }
        let body = match &mut this.step {
            Step::Reading(_, Some(text)) => match Pin::new(text).poll(cx) {
                Poll::Ready(body) => body,
                Poll::Pending => return this.timeout(cx),
            },
            _ => None,
        };
        Poll::Ready(match core::mem::replace(&mut this.step, Step::Failed) {
            Step::Reading(response, _) => {
                // `Response.ok` is exactly a 2xx status (one JS import fewer).
                if !(200..300).contains(&response.status()) {
                    // Kept for `RefreshMisconfigured`'s message (see `js_error::endpoint_error`).
                    *this.options.server_text.borrow_mut() = server_description(body.as_deref());
                }
                Ok(Exchange { response, body })
            }
            _ => Err(Failure::Network),
        })
    }
}

impl Exchanging<'_> {
    /// While the answer is pending: once the timer fires, aborts the request.
    fn timeout(&mut self, cx: &mut Context<'_>) -> Poll<Result<Exchange, Failure>> {
        if Pin::new(&mut self.timer).poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.controller.abort();
        self.step = Step::Failed;
        Poll::Ready(Err(Failure::Timeout))
    }
}

fn build(options: &Options, post: &Post<'_>, controller: &Controller) -> Result<Request, JsValue> {
    let platform = &options.platform;
    // `new Headers(extra)`, or `new Headers(undefined)` (empty), through the one binding
    // options.rs uses too (each `Headers` constructor binding is one JS import).
    let extra = post.headers.map_or(JsValue::UNDEFINED, JsValue::from);
    let headers = Headers::new_with_record_from_str_to_str(extra.unchecked_ref())?;
    platform.set_header(&headers, "Accept", "application/json")?;
    // A plain object filled with `Reflect.set`: web-sys's RequestInit setters are one JS import
    // each, and its enum setters ship a table of every value.
    let init = js_sys::Object::new();
    put(&init, "method", JsValue::from_str("POST"));
    put(&init, "redirect", JsValue::from_str("manual"));
    put(&init, "credentials", JsValue::from_str(post.credentials));
    if let Some((content_type, body)) = post.body {
        platform.set_header(&headers, "Content-Type", content_type)?;
        put(&init, "body", JsValue::from_str(body));
    }
    set(&init, "headers", &headers);
    put(&init, "signal", get(controller, "signal"));
    // The body may carry the refresh token: the captured constructor, not the global.
    platform.request(&JsValue::from_str(post.url), &init)
}

/// The body of an error answer, read from a clone so the caller still gets a readable response.
pub fn error_body(response: &Response) -> TextCapped {
    match call_method(response, "clone", &JsValue::UNDEFINED) {
        Ok(copy) => text_capped(copy.unchecked_ref(), ERROR_BODY_BYTES),
        Err(_) => TextCapped { text: None, cap: 0 },
    }
}

/// Error bodies carry a code and a sentence; more is not read.
const ERROR_BODY_BYTES: usize = 16 * 1024;

/// Reads a response body as text when it is at most `cap` bytes; `None` when larger or unreadable.
/// A body refused for its size (sent without `Content-Length`) is zeroed before it is dropped:
/// it may hold a token.
fn text_capped(response: &Response, cap: usize) -> TextCapped {
    let too_large = header(response, "content-length").is_some_and(|l| declares_more(&l, cap));
    let text =
        if too_large { None } else { call_method(response, "text", &JsValue::UNDEFINED).ok() };
    TextCapped { text: text.map(|p| Settled::new(p.unchecked_ref())), cap }
}

/// Whether a `Content-Length` value declares more than `cap` bytes. Only digits count (a value
/// that is not a number declares nothing: the length read decides).
fn declares_more(value: &str, cap: usize) -> bool {
    text::decimal(value).is_some_and(|length| length > cap as u64)
}

/// A body being read (see [`text_capped`]).
pub struct TextCapped {
    /// `None`: refused for its declared size, or unreadable.
    text: Option<Settled>,
    cap: usize,
}

impl Future for TextCapped {
    type Output = Option<String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<String>> {
        let cap = self.cap;
        let Some(text) = self.text.as_mut() else {
            return Poll::Ready(None);
        };
        let value = ready!(Pin::new(text).poll(cx));
        Poll::Ready(match value.ok().and_then(|v| v.as_string()) {
            Some(mut text) if text.len() > cap => {
                zero_string(&mut text);
                None
            }
            text => text,
        })
    }
}
