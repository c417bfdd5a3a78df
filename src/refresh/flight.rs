//! Single-flight: the first caller leads the refresh, everyone arriving while it runs waits for
//! its result, and all waiters are released together when the leader finishes.
//!
//! Decided up front (as the async_singleflight crate does):
//! - Leader failure: the leader's `Err` value is what every waiter receives.
//! - Leader abandoned (its `Leader` handle dropped unfinished): waiters receive `None`, and the
//!   caller maps that to a "refresh abandoned" error. Nobody hangs.
//! - `cancel(value)`: releases the current waiters with `value` at once (logout, a new login);
//!   the old leader's later `finish` is then ignored.
//! - A waiter dropped before release (its request aborted) leaves the queue; others are unaffected.
//!
//! Single-threaded by design (Wasm has one thread): shared state is `Rc<RefCell<_>>`, and a
//! waker is always taken out of its borrow before it is woken.

use crate::prelude::*;
use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

/// A lock that lets one refresh run at a time and queues everyone else behind it.
pub struct SingleFlight<T: Clone> {
    inner: Rc<RefCell<Inner<T>>>,
}

struct Inner<T> {
    running: Option<Running<T>>,
    next_id: u64,
    max_waiting: usize,
}

struct Running<T> {
    id: u64,
    waiters: Vec<Rc<Slot<T>>>,
}

struct Slot<T> {
    state: RefCell<SlotState<T>>,
}

enum SlotState<T> {
    Waiting(Option<Waker>),
    /// Released: `Some(value)`, or `None` when the leader was abandoned.
    Released(Option<T>),
    Taken,
}

/// What `join` made of the caller: always a waiter for the flight's result, and the leader's
/// handle when nothing was running (the caller must then get the work done and call
/// [`Leader::finish`], typically from a task of its own so that it outlives the caller).
pub struct Join<T: Clone> {
    /// Present when this call started the flight.
    pub leader: Option<Leader<T>>,
    /// Resolves to the flight's result.
    pub waiter: Waiter<T>,
}

impl<T: Clone> Default for SingleFlight<T> {
    fn default() -> Self {
        SingleFlight {
            inner: Rc::new(RefCell::new(Inner { running: None, next_id: 1, max_waiting: 0 })),
        }
    }
}

impl<T: Clone> SingleFlight<T> {
    /// Queues behind the running flight, starting one (and handing out its leader) if none runs.
    pub fn join(&self) -> Join<T> {
        let mut inner = self.inner.borrow_mut();
        let Inner { running, next_id, max_waiting } = &mut *inner;
        let mut leader = None;
        let running = running.get_or_insert_with(|| {
            let id = *next_id;
            *next_id += 1;
            leader = Some(Leader { inner: Rc::clone(&self.inner), id, finished: false });
            Running { id, waiters: Vec::new() }
        });
        let waiter = self.queue(running, max_waiting);
        Join { leader, waiter }
    }

    /// Queues behind the running flight, if there is one; never starts one.
    pub fn wait_current(&self) -> Option<Waiter<T>> {
        let mut inner = self.inner.borrow_mut();
        let Inner { running, max_waiting, .. } = &mut *inner;
        Some(self.queue(running.as_mut()?, max_waiting))
    }

    /// A new waiter at the end of `running`'s queue.
    fn queue(&self, running: &mut Running<T>, max_waiting: &mut usize) -> Waiter<T> {
        let slot = Rc::new(Slot { state: RefCell::new(SlotState::Waiting(None)) });
        running.waiters.push(Rc::clone(&slot));
        *max_waiting = (*max_waiting).max(running.waiters.len());
        Waiter { inner: Rc::clone(&self.inner), slot }
    }

    /// Whether a flight is running now.
    pub fn is_running(&self) -> bool {
        self.inner.borrow().running.is_some()
    }

    /// How many callers wait for the running flight.
    pub fn waiting(&self) -> usize {
        self.inner.borrow().running.as_ref().map_or(0, |r| r.waiters.len())
    }

    /// The largest queue seen so far.
    pub fn max_waiting(&self) -> usize {
        self.inner.borrow().max_waiting
    }

    /// Releases the current waiters with `value` now; the running leader's result is ignored.
    /// Returns how many were released.
    pub fn cancel(&self, value: T) -> usize {
        let id = match &self.inner.borrow().running {
            Some(r) => r.id,
            None => return 0,
        };
        release(&self.inner, id, Some(value))
    }
}

/// The caller that performs the work. Dropping it unfinished releases waiters with `None`.
pub struct Leader<T: Clone> {
    inner: Rc<RefCell<Inner<T>>>,
    id: u64,
    finished: bool,
}

impl<T: Clone> Leader<T> {
    /// Publishes the result to every waiter and frees the lock. Returns how many were released
    /// (0 if the flight was cancelled meanwhile).
    pub fn finish(mut self, value: T) -> usize {
        self.finished = true;
        release(&self.inner, self.id, Some(value))
    }
}

impl<T: Clone> Drop for Leader<T> {
    fn drop(&mut self) {
        if !self.finished {
            release(&self.inner, self.id, None);
        }
    }
}

fn release<T: Clone>(inner: &Rc<RefCell<Inner<T>>>, id: u64, value: Option<T>) -> usize {
    // Take the waiters out and end the borrow before waking anyone.
    let waiters = {
        let mut inner = inner.borrow_mut();
        match &inner.running {
            Some(r) if r.id == id => inner.running.take().map(|r| r.waiters).unwrap_or_default(),
            _ => return 0,
        }
    };
    for slot in &waiters {
        let waker = {
            let mut state = slot.state.borrow_mut();
            match core::mem::replace(&mut *state, SlotState::Released(value.clone())) {
                SlotState::Waiting(waker) => waker,
                other => {
                    *state = other;
                    None
                }
            }
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
    waiters.len()
}

/// A queued caller. Resolves to the leader's value, or `None` if the leader was abandoned.
pub struct Waiter<T: Clone> {
    inner: Rc<RefCell<Inner<T>>>,
    slot: Rc<Slot<T>>,
}

impl<T: Clone> Future for Waiter<T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut state = self.slot.state.borrow_mut();
        match core::mem::replace(&mut *state, SlotState::Taken) {
            SlotState::Released(value) => Poll::Ready(value),
            SlotState::Waiting(_) => {
                *state = SlotState::Waiting(Some(cx.waker().clone()));
                Poll::Pending
            }
            SlotState::Taken => Poll::Ready(None),
        }
    }
}

impl<T: Clone> Drop for Waiter<T> {
    fn drop(&mut self) {
        let still_waiting = matches!(*self.slot.state.borrow(), SlotState::Waiting(_));
        if still_waiting {
            if let Some(running) = self.inner.borrow_mut().running.as_mut() {
                running.waiters.retain(|s| !Rc::ptr_eq(s, &self.slot));
            }
        }
    }
}
