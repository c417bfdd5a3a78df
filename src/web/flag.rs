//! A one-shot flag that a JavaScript callback raises and a future waits for: the shared core of
//! `Sleep` (timer fired) and `until_aborted` (signal aborted). Cells rather than a `RefCell`: no
//! access can fail, so there is no borrow panic path.

use core::cell::Cell;
use core::task::{Context, Poll, Waker};

#[derive(Default)]
pub struct Flag {
    raised: Cell<bool>,
    waker: Cell<Option<Waker>>,
}

impl Flag {
    /// Raises the flag and wakes the future waiting for it, if any.
    pub fn raise(&self) {
        self.raised.set(true);
        if let Some(w) = self.waker.take() {
            w.wake();
        }
    }

    /// Ready once raised; until then remembers who to wake.
    pub fn poll(&self, cx: &mut Context<'_>) -> Poll<()> {
        if self.raised.get() {
            return Poll::Ready(());
        }
        self.waker.set(Some(cx.waker().clone()));
        Poll::Pending
    }
}
