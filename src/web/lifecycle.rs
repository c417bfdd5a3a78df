//! Proactive renewal in the browser: one timer for the next renewal, and the page events after
//! which timers cannot be trusted (visible again, focus, back online, shown from the
//! back/forward cache) running the same check. The check renews at most once through the single
//! flight, so a burst of events after an hour in the background makes one refresh, not a storm.

use core::cell::RefCell;

use wasm_bindgen::prelude::*;

use super::convert::{callback, get, global, listen};
use super::timer::Timeout;
use crate::prelude::*;

/// The page events after which timers cannot be trusted, and where they are sent (`document`
/// for `visibilitychange`, the global object for the others).
const EVENTS: [(&str, bool); 4] =
    [("focus", false), ("online", false), ("pageshow", false), ("visibilitychange", true)];

/// The renewal timer and page listeners of one manager. Both run `check`, which the manager
/// supplies (it renews if due and re-arms the timer), so this file knows nothing of the core.
/// Dropping it removes the listeners and clears the timer.
pub struct Lifecycle {
    check: Rc<dyn Fn()>,
    timer: RefCell<Option<Timeout>>,
    /// The global object, `document`, and the listener added to them.
    targets: [JsValue; 2],
    listener: JsValue,
}

impl Lifecycle {
    /// Starts listening to the page events after which timers cannot be trusted.
    pub fn new(check: Rc<dyn Fn()>) -> Lifecycle {
        let on_event = Rc::clone(&check);
        let listener = callback(move |_| {
            on_event();
            JsValue::UNDEFINED
        })
        .into_js_value();
        let g = global();
        let targets = [get(&g, "document"), g];
        let lifecycle = Lifecycle { check, timer: RefCell::default(), targets, listener };
        lifecycle.listen(true);
        lifecycle
    }

    fn listen(&self, add: bool) {
        for (name, on_document) in EVENTS {
            let target = &self.targets[usize::from(!on_document)];
            listen(target, add, name, &self.listener);
        }
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

impl Drop for Lifecycle {
    fn drop(&mut self) {
        self.listen(false);
    }
}
