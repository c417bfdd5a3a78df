//! Futures and promises: runs the library's futures on the browser's microtask queue (`spawn`),
//! turns one into the `Promise` an API method returns (`promise`), and awaits a JavaScript
//! promise (`Settled`).
//!
//! wasm-bindgen-futures does the same in ~3 KB more Wasm (raw): it also carries JS Promise
//! Integration support, a double-ended queue, a global-object probe for `queueMicrotask`, one
//! copy of its spawn code per future type, and promise handlers of a closure type nothing else
//! here uses. Here every future is boxed to one type, the queue is a `Vec` swapped out per
//! turn, and every JavaScript callback, promise handlers included, has the one `Callback` type.

use crate::prelude::*;
use core::cell::{Cell, OnceCell, RefCell};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use wasm_bindgen::prelude::*;

use super::convert::{callback, Callback};

/// A future the executor owns, boxed so that one copy of the code serves every kind.
pub type Job = Pin<Box<dyn Future<Output = ()>>>;

/// A spawned future. The future is dropped as soon as it completes.
struct Task {
    job: RefCell<Option<Job>>,
    /// A poll is already waiting in the queue: further wakes add nothing.
    queued: Cell<bool>,
}

/// Tasks woken since the last turn, and the JavaScript function that runs them (made once);
/// the promise executor `deferred` hands to `new Promise` (made once) and where it leaves
/// `resolve`.
struct RunQueue {
    tasks: RefCell<Vec<Rc<Task>>>,
    runner: OnceCell<Callback>,
    executor: OnceCell<Callback>,
    resolve: Cell<JsValue>,
}

/// Marks the queue shareable as a `static`.
struct OneThread<T>(T);

// SAFETY: wasm32 without the atomics feature (how this crate is built) runs a single thread, so
// the queue is never reached from two threads.
unsafe impl<T> Sync for OneThread<T> {}

static QUEUE: OneThread<RunQueue> = OneThread(RunQueue {
    tasks: RefCell::new(Vec::new()),
    runner: OnceCell::new(),
    executor: OnceCell::new(),
    resolve: Cell::new(JsValue::UNDEFINED),
});

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = queueMicrotask)]
    fn queue_microtask(callback: &Callback);

    /// A promise, as the bindings below see it (js-sys's take other closure types).
    #[wasm_bindgen(js_name = Promise)]
    type Local;
    /// `new Promise(executor)`: the executor is a `Callback`, so it sees `resolve` only.
    #[wasm_bindgen(constructor, js_class = "Promise")]
    fn new(executor: &Callback) -> Local;
    /// `promise.then(fulfilled, rejected)`.
    #[wasm_bindgen(method)]
    fn then(this: &Local, fulfilled: &Callback, rejected: &Callback) -> JsValue;
}

/// Runs `job` to completion, polling it first in a microtask (never inside the caller).
pub fn spawn(job: Job) {
    schedule(Rc::new(Task { job: RefCell::new(Some(job)), queued: Cell::new(false) }));
}

/// A new promise and its `resolve` function.
pub fn deferred() -> (js_sys::Promise, js_sys::Function) {
    let queue = &QUEUE.0;
    // The executor runs synchronously, inside `new Promise`: one function serves every promise
    // (made once, not per API call), leaving `resolve` in the queue's slot for the line below.
    let executor = queue.executor.get_or_init(|| {
        callback(|f| {
            QUEUE.0.resolve.set(f);
            JsValue::UNDEFINED
        })
    });
    let promise = Local::new(executor).unchecked_into();
    (promise, queue.resolve.take().unchecked_into())
}

/// A promise settled with what `work` returns: fulfilled with `Ok`, rejected with `Err`.
pub fn promise(work: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>) -> js_sys::Promise {
    let (promise, resolve) = deferred();
    spawn(Box::pin(Settle { work, resolve }));
    promise
}

/// `work`, then `resolve` called with its outcome.
struct Settle {
    work: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>,
    resolve: js_sys::Function,
}

impl Future for Settle {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.work.as_mut().poll(cx).map(|outcome| {
            // Resolving with a rejected promise rejects (the executor sees no `reject`).
            let value = outcome.unwrap_or_else(|error| js_sys::Promise::reject(&error).into());
            let _ = self.resolve.call1(&JsValue::UNDEFINED, &value);
        })
    }
}

/// Awaits a promise: `Ok` with its value, `Err` with its rejection reason. The handlers are
/// attached at once, so a promise abandoned unawaited never surfaces as an unhandled rejection.
pub struct Settled {
    state: Rc<RefCell<Settlement>>,
}

#[derive(Default)]
struct Settlement {
    outcome: Option<Result<JsValue, JsValue>>,
    waker: Option<Waker>,
    /// The two handlers, alive until one of them has run (the promise calls exactly one).
    handlers: Option<[Callback; 2]>,
}

impl Settled {
    pub fn new(promise: &js_sys::Promise) -> Settled {
        let state = Rc::new(RefCell::new(Settlement::default()));
        let handler = |fulfilled: bool| {
            let state = Rc::clone(&state);
            callback(move |value| {
                settle(&state, fulfilled, value);
                JsValue::UNDEFINED
            })
        };
        let handlers = [handler(true), handler(false)];
        let _ = promise.unchecked_ref::<Local>().then(&handlers[0], &handlers[1]);
        state.borrow_mut().handlers = Some(handlers);
        Settled { state }
    }
}

/// Records the outcome, frees both handlers (the running one is freed by wasm-bindgen once it
/// returns) and wakes the waiting task.
fn settle(state: &RefCell<Settlement>, fulfilled: bool, value: JsValue) {
    let mut settlement = state.borrow_mut();
    settlement.outcome = Some(if fulfilled { Ok(value) } else { Err(value) });
    let handlers = settlement.handlers.take();
    let waker = settlement.waker.take();
    drop(settlement);
    drop(handlers);
    if let Some(waker) = waker {
        waker.wake();
    }
}

impl Future for Settled {
    type Output = Result<JsValue, JsValue>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut settlement = self.state.borrow_mut();
        match settlement.outcome.take() {
            Some(outcome) => Poll::Ready(outcome),
            None => {
                settlement.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Queues `task` for a poll in the next microtask, unless it is queued already.
fn schedule(task: Rc<Task>) {
    if task.queued.replace(true) {
        return;
    }
    let queue = &QUEUE.0;
    let mut tasks = queue.tasks.borrow_mut();
    tasks.push(task);
    if tasks.len() == 1 {
        queue_microtask(queue.runner.get_or_init(|| {
            callback(|_| {
                run_queued();
                JsValue::UNDEFINED
            })
        }));
    }
}

/// One turn: polls the tasks woken before it. Tasks woken meanwhile (also those woken by their
/// own poll) start a new queue and a new microtask.
fn run_queued() {
    let tasks = core::mem::take(&mut *QUEUE.0.tasks.borrow_mut());
    for task in tasks {
        task.queued.set(false);
        let waker = waker(&task);
        let mut job = task.job.borrow_mut();
        if let Some(future) = job.as_mut() {
            if future.as_mut().poll(&mut Context::from_waker(&waker)).is_ready() {
                *job = None;
            }
        }
    }
}

/// A waker holding one reference to `task`.
fn waker(task: &Rc<Task>) -> Waker {
    let raw = RawWaker::new(Rc::into_raw(Rc::clone(task)).cast(), &VTABLE);
    // SAFETY: the vtable below keeps the contract of `RawWaker` for an `Rc<Task>` pointer; the
    // waker is only used on this thread (see `OneThread`).
    unsafe { Waker::from_raw(raw) }
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

// SAFETY (the four functions): `data` always comes from `Rc::into_raw` of an `Rc<Task>` and each
// waker owns exactly one strong reference.
unsafe fn clone(data: *const ()) -> RawWaker {
    unsafe { Rc::increment_strong_count(data.cast::<Task>()) };
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake(data: *const ()) {
    schedule(unsafe { Rc::from_raw(data.cast::<Task>()) });
}

unsafe fn wake_by_ref(data: *const ()) {
    unsafe {
        Rc::increment_strong_count(data.cast::<Task>());
        wake(data);
    }
}

unsafe fn drop_waker(data: *const ()) {
    drop(unsafe { Rc::from_raw(data.cast::<Task>()) });
}
