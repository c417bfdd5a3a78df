//! Timers that own their `setTimeout`: dropping one before it fires clears it.
//! (gloo-timers does the same but links std into the Wasm, which costs more than this file.)

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use wasm_bindgen::prelude::*;

use super::convert::{callback, Callback};
use super::flag::Flag;
use crate::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Calls `f` once after `ms` milliseconds, unless dropped first.
pub struct Timeout {
    id: JsValue,
    _callback: Callback,
}

impl Timeout {
    /// Starts the timer now. Delays are clamped to what `setTimeout` accepts. (`f` is shared
    /// rather than generic: one copy of this code serves every timer.)
    pub fn new(ms: f64, f: Rc<dyn Fn()>) -> Timeout {
        let callback = callback(move |_| {
            f();
            JsValue::UNDEFINED
        });
        let delay = ms.clamp(0.0, f64::from(i32::MAX)) as i32;
        let id = set_timeout(callback.as_ref().unchecked_ref(), delay);
        Timeout { id, _callback: callback }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        // Clearing a timer that already fired is a no-op.
        clear_timeout(&self.id);
    }
}

/// Resolves once `ms` milliseconds have passed.
pub struct Sleep {
    fired: Rc<Flag>,
    _timeout: Timeout,
}

impl Sleep {
    /// Starts the timer now.
    pub fn new(ms: u32) -> Sleep {
        let fired = Rc::new(Flag::default());
        let shared = Rc::clone(&fired);
        let timeout = Timeout::new(f64::from(ms), Rc::new(move || shared.raise()));
        Sleep { fired, _timeout: timeout }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.fired.poll(cx)
    }
}
