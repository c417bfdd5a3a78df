//! Proactive renewal in the browser: one timer for the next renewal, and the page events after
//! which timers cannot be trusted (visible again, focus, back online, shown from the
//! back/forward cache) running the same check. The check renews at most once through the single
//! flight, so a burst of events after an hour in the background makes one refresh, not a storm.

use core::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;

use super::convert::{get, global};
use super::host::WebHost;
use super::timer::Timeout;
use crate::error::{Error, Transient};
use crate::prelude::*;
use crate::refresh::coordinator::Coordinator;
use alloc::rc::Weak;

type Core = Coordinator<WebHost>;

/// The renewal timer and page listeners of one manager.
#[derive(Default)]
pub struct Lifecycle {
    core: RefCell<Weak<Core>>,
    timer: RefCell<Option<Timeout>>,
    listeners: RefCell<Vec<Listener>>,
}

impl Lifecycle {
    /// Connects to the manager's core and starts listening to page events.
    pub fn attach(&self, core: &Rc<Core>) {
        *self.core.borrow_mut() = Rc::downgrade(core);
        let weak = Rc::downgrade(core);
        let callback = Closure::<dyn FnMut()>::new(move || check(&weak)).into_js_value();
        let mut listeners = self.listeners.borrow_mut();
        let g = global();
        for name in ["focus", "online", "pageshow"] {
            listeners.extend(Listener::add(&g, name, &callback));
        }
        listeners.extend(Listener::add(&get(&g, "document"), "visibilitychange", &callback));
    }

    /// Replaces the renewal timer (`None`: no token, or one of unknown lifetime).
    pub fn reschedule(&self, renew_at_ms: Option<f64>) {
        let timer = renew_at_ms.map(|at| {
            let weak = self.core.borrow().clone();
            // 2 ms later: setTimeout truncates the delay, and must not fire before the due time.
            Timeout::new(at - js_sys::Date::now() + 2.0, move || check(&weak))
        });
        // The old timer is dropped (cleared) outside the borrow.
        let old = core::mem::replace(&mut *self.timer.borrow_mut(), timer);
        drop(old);
    }
}

/// Renews if due, in a task of its own (a timer or event callback cannot await). When nothing
/// is due the timer is re-armed for what is left: timers run on another clock than `Date.now()`
/// and may fire a little early, which must not lose the renewal. When the renewal failed
/// transiently (5xx, 429, offline, timeout) the token is still due: the timer is re-armed for
/// the end of the backoff (the `online` event also runs this check). The loop breaker bounds
/// the retries: once it refuses (`TooManyRefreshes`) nothing is re-armed.
fn check(weak: &Weak<Core>) {
    if let Some(core) = weak.upgrade() {
        spawn_local(async move {
            let lifecycle = &core.host().lifecycle;
            match core.renew_if_due().await {
                None => lifecycle.reschedule(core.renewal_at_ms()),
                Some(Err(Error::RefreshFailed(reason))) if transient(reason) => {
                    let retry_at = core.session().retry_at_ms();
                    lifecycle.reschedule(Some(retry_at));
                }
                Some(_) => {}
            }
        });
    }
}

/// A failure that may pass by itself; a 403 (CSRF, cookie path) or other 4xx will not.
fn transient(reason: Transient) -> bool {
    match reason {
        Transient::Network | Transient::Timeout | Transient::Abandoned => true,
        Transient::CrossTabLock => true,
        Transient::Status(status) => status >= 500 || status == 429,
        Transient::Forbidden => false,
    }
}

/// An event listener removed when dropped.
struct Listener {
    target: web_sys::EventTarget,
    name: &'static str,
    callback: js_sys::Function,
}

impl Listener {
    fn add(target: &JsValue, name: &'static str, callback: &JsValue) -> Option<Listener> {
        let target: web_sys::EventTarget = target.clone().dyn_into().ok()?;
        let callback: js_sys::Function = callback.clone().unchecked_into();
        target.add_event_listener_with_callback(name, &callback).ok()?;
        Some(Listener { target, name, callback })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(self.name, &self.callback);
    }
}
