//! Cross-tab coordination in the browser: the Web Locks API serializes the refreshes of every
//! tab, iframe and manager of the origin, and a BroadcastChannel carries the messages of
//! `crate::crosstab` between them. Both are reached through `Reflect` (web-sys bindings would
//! cost more Wasm than these few calls).
//!
//! Where either API is missing (old browsers, non-secure contexts) the manager runs without
//! them: single flight per tab, reported as `stats().crossTab === "unavailable"`.

use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::abort::Controller;
use super::convert::{call_method, callback, get, global, set, Callback};
use super::executor::{deferred, Settled};
use super::timer::{Sleep, Timeout};
use crate::crosstab::MAX_MESSAGE_BYTES;
use crate::error::{Error, RefreshFailure};
use crate::prelude::*;
use crate::refresh::coordinator::{Coordinator, LockGuard};
use crate::token::zero_string;
use alloc::rc::Weak;

/// After a lock that had to be waited for is granted, the previous holder's message (sent
/// before it released the lock) is given this long to arrive: lock grants and channel messages
/// travel separately, and a tab must not refresh again for a token that is on its way.
const SETTLE_MS: u32 = 20;

/// How long a tab without a token waits for a sibling's answer before refreshing itself (a
/// round trip between tabs takes a few milliseconds; a lone tab pays this once, on restore).
const ASK_WAIT_MS: u32 = 50;

/// What `stats().crossTab` reports.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Web Locks and BroadcastChannel in use.
    Active,
    /// `crossTab: false`.
    Off,
    /// The browser lacks one of them: per-tab single flight.
    Unavailable,
}

impl Status {
    /// The string `stats()` reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Off => "off",
            Status::Unavailable => "unavailable",
        }
    }
}

/// The origin's lock and channel, as one manager uses them.
pub struct Tabs {
    locks: JsValue,
    /// The lock's and the channel's name.
    name: JsValue,
    channel: JsValue,
    on_message: RefCell<Option<Callback>>,
}

impl Tabs {
    /// Opens the origin's channel for `refresh_url`; `None` when the browser lacks Web Locks
    /// or BroadcastChannel.
    pub fn open(refresh_url: &str) -> Option<Rc<Tabs>> {
        let g = global();
        let locks = get(&get(&g, "navigator"), "locks");
        let constructor = get(&g, "BroadcastChannel");
        if !get(&locks, "request").is_function() {
            return None;
        }
        // One name per refresh endpoint: managers of other endpoints never wait for each other.
        let mut text = String::from("tokenflight ");
        text.push_str(refresh_url);
        let name = JsValue::from_str(&text);
        // `Array.of` with two items is already imported for `Request` (one JS import less); the
        // constructor ignores the second. Without `BroadcastChannel`, `construct` throws.
        let args = js_sys::Array::of2(&name, &JsValue::UNDEFINED);
        let channel =
            js_sys::Reflect::construct(constructor.unchecked_ref::<js_sys::Function>(), &args)
                .ok()?;
        Some(Rc::new(Tabs { locks, name, channel, on_message: RefCell::default() }))
    }

    /// Delivers the channel's messages to `core` (text only, at most `MAX_MESSAGE_BYTES`).
    pub fn attach<H: crate::refresh::coordinator::Host + 'static>(
        &self,
        core: Weak<Coordinator<H>>,
    ) {
        let callback = callback(move |event| {
            receive(&core, &get(&event, "data"));
            JsValue::UNDEFINED
        });
        set(&self.channel, "onmessage", callback.as_ref());
        *self.on_message.borrow_mut() = Some(callback);
    }

    /// Sends a message text to the other managers of the origin (never to this one).
    pub fn post(&self, text: &str) {
        let _ = call_method(&self.channel, "postMessage", &JsValue::from_str(text));
    }

    /// Takes the refresh lock within `timeout_ms`. When another tab held it, waits
    /// [`SETTLE_MS`] after the grant for that tab's message.
    pub async fn lock(&self, timeout_ms: u32) -> Result<LockGuard, Error> {
        let available = options("ifAvailable", &JsValue::TRUE);
        if let Some(held) = acquire(&self.locks, &self.name, &available).await {
            return Ok(Box::new(held));
        }
        let controller = Controller::new();
        let waiting = options("signal", &get(&controller, "signal"));
        let deadline = Timeout::new(f64::from(timeout_ms), Rc::new(move || controller.abort()));
        let held = acquire(&self.locks, &self.name, &waiting).await;
        drop(deadline);
        let held = held.ok_or(Error::RefreshFailed(RefreshFailure::CrossTabLock))?;
        Sleep::new(SETTLE_MS).await;
        Ok(Box::new(held))
    }

    /// Asks the other managers for their token. An answer is adopted when it arrives
    /// (releasing the requests that wait for it at once); the caller, the refresh leader, goes
    /// on after [`ASK_WAIT_MS`] and finds the token there, or refreshes when none came.
    pub fn ask(&self, ask_text: &str) -> Sleep {
        self.post(ask_text);
        Sleep::new(ASK_WAIT_MS)
    }
}

impl Drop for Tabs {
    fn drop(&mut self) {
        let _ = call_method(&self.channel, "close", &JsValue::UNDEFINED);
    }
}

fn receive<H: crate::refresh::coordinator::Host + 'static>(
    core: &Weak<Coordinator<H>>,
    data: &JsValue,
) {
    let (Some(core), Some(text)) = (core.upgrade(), data.dyn_ref::<js_sys::JsString>()) else {
        return;
    };
    // Measured before copying into Wasm memory: an oversized text is never copied.
    if text.length() as usize > MAX_MESSAGE_BYTES {
        return;
    }
    let mut text = String::from(text);
    core.receive(&text);
    zero_string(&mut text);
}

/// A held Web Lock: released when dropped (and by the browser if the tab goes away).
struct Held(js_sys::Function);

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.0.call1(&JsValue::NULL, &JsValue::UNDEFINED);
    }
}

/// `{ key: value }` for a lock request.
fn options(key: &str, value: &JsValue) -> js_sys::Object {
    let o = js_sys::Object::new();
    set(&o, key, value);
    o
}

/// The lock `name`, once granted (`None`: not available, aborted, or no Web Locks).
fn acquire(locks: &JsValue, name: &JsValue, options: &js_sys::Object) -> Acquire {
    let (requested, callback) = request(locks, name, options);
    Acquire { granted: Settled::new(&requested), _callback: callback }
}

/// A lock request under way. Its callback lives as long as it: once the request settled, the
/// browser has called the callback or never will (not granted). (Were this dropped first and
/// the lock granted later, the freed callback throws, and the browser releases the lock.)
struct Acquire {
    granted: Settled,
    _callback: Callback,
}

impl Future for Acquire {
    type Output = Option<Held>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Held>> {
        Pin::new(&mut self.granted)
            .poll(cx)
            .map(|granted| granted.ok()?.dyn_into::<js_sys::Function>().ok().map(Held))
    }
}

/// `navigator.locks.request(name, options, callback)`, as a promise of the function that
/// releases the lock once granted (`null` when `ifAvailable` found it taken, or when the request
/// could not be made), and the callback, which must live until the browser has called it. The
/// promise rejects when the request is aborted. The lock is held until that function is called.
fn request(
    locks: &JsValue,
    name: &JsValue,
    options: &js_sys::Object,
) -> (js_sys::Promise, Callback) {
    let (granted, grant) = deferred();
    let callback = callback(move |lock| {
        if lock.is_null() {
            let _ = grant.call1(&JsValue::NULL, &JsValue::NULL);
            return JsValue::UNDEFINED;
        }
        let (hold, release) = deferred();
        let _ = grant.call1(&JsValue::NULL, &release);
        hold.into()
    });
    let call = get(locks, "request")
        .dyn_into::<js_sys::Function>()
        .and_then(|f| f.call3(locks, name, options, callback.as_ref()));
    let requested = match call {
        // Whichever settles first: the grant, or the request's rejection (aborted). (Were the
        // answer no promise, it would win the race and not be a release function: not granted.)
        Ok(requested) => js_sys::Promise::race(&js_sys::Array::of2(&granted, &requested)),
        // The request could not even be made: as if not granted.
        Err(_) => js_sys::Promise::resolve(&JsValue::NULL),
    };
    (requested, callback)
}
