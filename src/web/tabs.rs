//! Cross-tab coordination in the browser: the Web Locks API serializes the refreshes of every
//! tab, iframe and manager of the origin, and a BroadcastChannel carries the messages of
//! `crate::crosstab` between them. Both are reached through `Reflect` (web-sys bindings would
//! cost more Wasm than these few calls).
//!
//! Where either API is missing (old browsers, non-secure contexts) the manager runs without
//! them: single flight per tab, reported as `stats().crossTab === "unavailable"`.

use core::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::convert::{get, global, set};
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

/// How long a tab without a token waits for a sibling's answer before refreshing itself.
const ASK_WAIT_MS: u32 = 250;

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
    name: String,
    channel: JsValue,
    /// This manager's presence: a shared lock held while it holds a token.
    presence: Rc<RefCell<Presence>>,
    on_message: RefCell<Option<MessageHandler>>,
}

type MessageHandler = Closure<dyn FnMut(JsValue)>;

impl Tabs {
    /// Opens the origin's channel for `refresh_url`; `None` when the browser lacks Web Locks
    /// or BroadcastChannel.
    pub fn open(refresh_url: &str) -> Option<Rc<Tabs>> {
        let g = global();
        let locks = get(&get(&g, "navigator"), "locks");
        let constructor = get(&g, "BroadcastChannel").dyn_into::<js_sys::Function>().ok()?;
        if !get(&locks, "request").is_function() || !get(&locks, "query").is_function() {
            return None;
        }
        // One name per refresh endpoint: managers of other endpoints never wait for each other.
        let mut name = String::from("tokenflight ");
        name.push_str(refresh_url);
        // `Array.of` with two items is already imported for `Request` (one JS import less); the
        // constructor ignores the second.
        let args = js_sys::Array::of2(&JsValue::from_str(&name), &JsValue::UNDEFINED);
        let channel = js_sys::Reflect::construct(&constructor, &args).ok()?;
        Some(Rc::new(Tabs {
            locks,
            name,
            channel,
            presence: Rc::new(RefCell::new(Presence::Absent)),
            on_message: RefCell::default(),
        }))
    }

    /// Delivers the channel's messages to `core` (text only, at most `MAX_MESSAGE_BYTES`).
    pub fn attach<H: crate::refresh::coordinator::Host + 'static>(
        &self,
        core: Weak<Coordinator<H>>,
    ) {
        let callback = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            receive(&core, &get(&event, "data"));
        });
        let _ =
            js_sys::Reflect::set(&self.channel, &JsValue::from_str("onmessage"), callback.as_ref());
        *self.on_message.borrow_mut() = Some(callback);
    }

    /// Sends a message text to the other managers of the origin (never to this one).
    pub fn post(&self, text: &str) {
        if let Ok(post) = get(&self.channel, "postMessage").dyn_into::<js_sys::Function>() {
            let _ = post.call1(&self.channel, &JsValue::from_str(text));
        }
    }

    /// Takes the refresh lock within `timeout_ms`. When another tab held it, waits
    /// [`SETTLE_MS`] after the grant for that tab's message.
    pub async fn lock(&self, timeout_ms: u32) -> Result<LockGuard, Error> {
        let options = js_sys::Object::new();
        set(&options, "ifAvailable", &JsValue::TRUE);
        if let Ok(release) = JsFuture::from(request(&self.locks, &self.name, &options)).await {
            if let Ok(release) = release.dyn_into::<js_sys::Function>() {
                return Ok(Box::new(Held(release)));
            }
        }
        let controller = web_sys::AbortController::new().ok();
        let options = js_sys::Object::new();
        if let Some(c) = &controller {
            set(&options, "signal", &c.signal());
        }
        let deadline = controller.map(|c| Timeout::new(f64::from(timeout_ms), move || c.abort()));
        let granted = JsFuture::from(request(&self.locks, &self.name, &options)).await;
        drop(deadline);
        match granted.ok().and_then(|r| r.dyn_into::<js_sys::Function>().ok()) {
            Some(release) => {
                let held = Held(release);
                Sleep::new(SETTLE_MS).await;
                Ok(Box::new(held))
            }
            None => Err(Error::RefreshFailed(RefreshFailure::CrossTabLock)),
        }
    }

    /// Asks the other managers for their token, unless none holds one. An answer is adopted
    /// when it arrives (releasing the requests that wait for it); the caller, the refresh
    /// leader, goes on after [`ASK_WAIT_MS`] and finds the token there.
    pub async fn ask(&self, ask_text: &str) {
        // An exclusive request for the presence lock succeeds only when no manager holds a
        // token (each holds the lock shared while it does).
        let options = js_sys::Object::new();
        set(&options, "ifAvailable", &JsValue::TRUE);
        let probe = JsFuture::from(request(&self.locks, &self.presence_name(), &options)).await;
        if let Ok(release) = probe.and_then(|r| r.dyn_into::<js_sys::Function>()) {
            let _ = release.call0(&JsValue::NULL);
            return;
        }
        self.post(ask_text);
        Sleep::new(ASK_WAIT_MS).await;
    }

    /// Holds the presence lock (shared) while this manager holds a token, so that a new tab
    /// knows whether asking is worth it.
    pub fn set_present(&self, present: bool) {
        let mut presence = self.presence.borrow_mut();
        match (&*presence, present) {
            (Presence::Absent, true) => {
                *presence = Presence::Requested;
                let options = js_sys::Object::new();
                set(&options, "mode", &JsValue::from_str("shared"));
                let request = request(&self.locks, &self.presence_name(), &options);
                let slot = Rc::clone(&self.presence);
                wasm_bindgen_futures::spawn_local(async move {
                    let granted =
                        JsFuture::from(request).await.ok().and_then(|r| r.dyn_into().ok());
                    let mut presence = slot.borrow_mut();
                    match (granted, &*presence) {
                        (Some(release), Presence::Requested) => *presence = Presence::Held(release),
                        // Signed out meanwhile: let go at once.
                        (Some(release), _) => drop(Presence::Held(release)),
                        (None, _) => *presence = Presence::Absent,
                    }
                });
            }
            (Presence::Requested | Presence::Held(_), false) => *presence = Presence::Absent,
            _ => {}
        }
    }

    fn presence_name(&self) -> String {
        let mut name = self.name.clone();
        name.push_str(" token");
        name
    }
}

/// Whether this manager holds the presence lock.
enum Presence {
    Absent,
    Requested,
    /// Held; dropping the function's owner releases it.
    Held(js_sys::Function),
}

impl Drop for Presence {
    fn drop(&mut self) {
        if let Presence::Held(release) = self {
            let _ = release.call0(&JsValue::NULL);
        }
    }
}

impl Drop for Tabs {
    fn drop(&mut self) {
        if let Ok(close) = get(&self.channel, "close").dyn_into::<js_sys::Function>() {
            let _ = close.call0(&self.channel);
        }
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
        let _ = self.0.call0(&JsValue::NULL);
    }
}

/// `navigator.locks.request(name, options, callback)`, as a promise of the function that
/// releases the lock once granted (`null` when `ifAvailable` found it taken, or when the request
/// could not be made). It rejects when the request is aborted. The lock is held until that function is called.
fn request(locks: &JsValue, name: &str, options: &js_sys::Object) -> js_sys::Promise {
    let mut grant = JsValue::UNDEFINED;
    let granted = js_sys::Promise::new(&mut |resolve, _| grant = resolve.into());
    let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        let grant: js_sys::Function = grant.unchecked_into();
        if lock.is_null() {
            let _ = grant.call1(&JsValue::NULL, &JsValue::NULL);
            return JsValue::UNDEFINED;
        }
        let mut release = JsValue::UNDEFINED;
        let hold = js_sys::Promise::new(&mut |resolve, _| release = resolve.into());
        let _ = grant.call1(&JsValue::NULL, &release);
        hold.into()
    });
    let call = get(locks, "request")
        .dyn_into::<js_sys::Function>()
        .and_then(|f| f.call3(locks, &JsValue::from_str(name), options, &callback));
    match call.and_then(|p| p.dyn_into::<js_sys::Promise>()) {
        // Whichever settles first: the grant, or the request's rejection (aborted).
        Ok(requested) => js_sys::Promise::race(&js_sys::Array::of2(&granted, &requested)),
        // The request could not even be made: as if not granted.
        Err(_) => js_sys::Promise::resolve(&JsValue::NULL),
    }
}
