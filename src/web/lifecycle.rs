//! Proactive renewal in the browser: one timer for the next renewal, and the page events after
//! which timers cannot be trusted (visible again, focus, back online, shown from the
//! back/forward cache) running the same check. The check renews at most once through the single
//! flight, so a burst of events after an hour in the background makes one refresh, not a storm.

use core::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{callback, get, global};
use super::timer::Timeout;
use crate::prelude::*;

/// The renewal timer and page listeners of one manager. Both run `check`, which the manager
/// supplies (it renews if due and re-arms the timer), so this file knows nothing of the core.
pub struct Lifecycle {
    check: Rc<dyn Fn()>,
    timer: RefCell<Option<Timeout>>,
    _listeners: Vec<Listener>,
}

impl Lifecycle {
    /// Starts listening to the page events after which timers cannot be trusted.
    pub fn new(check: Rc<dyn Fn()>) -> Lifecycle {
        let on_event = Rc::clone(&check);
        let callback = callback(move |_| {
            on_event();
            JsValue::UNDEFINED
        })
        .into_js_value();
        let g = global();
        let mut listeners = Vec::new();
        for name in ["focus", "online", "pageshow"] {
            listeners.extend(Listener::add(&g, name, &callback));
        }
        listeners.extend(Listener::add(&get(&g, "document"), "visibilitychange", &callback));
        Lifecycle { check, timer: RefCell::default(), _listeners: listeners }
    }

    /// Replaces the renewal timer (`None`: no token, or one of unknown lifetime).
    pub fn reschedule(&self, renew_at_ms: Option<f64>) {
        // 2 ms later: setTimeout truncates the delay, and must not fire before the due time.
        let timer = renew_at_ms
            .map(|at| Timeout::new(at - js_sys::Date::now() + 2.0, Rc::clone(&self.check)));
        // The old timer is dropped (cleared) outside the borrow.
        let old = core::mem::replace(&mut *self.timer.borrow_mut(), timer);
        drop(old);
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
