//! A `setTimeout` future. It owns its timer: dropping it before it fires clears the timeout.
//! (gloo-timers does the same but links std into the Wasm, which costs more than this file.)

use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use wasm_bindgen::prelude::*;

use crate::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

#[derive(Default)]
struct State {
    fired: bool,
    waker: Option<Waker>,
}

/// Resolves once `ms` milliseconds have passed.
pub struct Sleep {
    state: Rc<RefCell<State>>,
    id: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl Sleep {
    /// Starts the timer now.
    pub fn new(ms: u32) -> Sleep {
        let state = Rc::new(RefCell::new(State::default()));
        let shared = Rc::clone(&state);
        let callback = Closure::<dyn FnMut()>::new(move || {
            // Take the waker out and end the borrow before waking.
            let waker = {
                let mut s = shared.borrow_mut();
                s.fired = true;
                s.waker.take()
            };
            if let Some(w) = waker {
                w.wake();
            }
        });
        let id = set_timeout(callback.as_ref().unchecked_ref(), ms.min(i32::MAX as u32) as i32);
        Sleep { state, id, _callback: callback }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut s = self.state.borrow_mut();
        if s.fired {
            Poll::Ready(())
        } else {
            s.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if !self.state.borrow().fired {
            clear_timeout(&self.id);
        }
    }
}
