//! A fake origin for cross-tab tests: several coordinators (tabs) sharing one lock and one
//! channel. Messages are delivered only when the test says so, so orderings are explicit; the
//! lock is handed to the next waiter only after the messages in flight have been delivered, which
//! is the contract of `Host::lock` (the browser host waits for them after a contended grant).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use futures::channel::oneshot;
use tokenflight::refresh::coordinator::{Coordinator, LocalFuture, LockGuard};
use tokenflight::Error;

use super::Fake;

#[derive(Default)]
pub struct Origin {
    held: Cell<bool>,
    lock_queue: RefCell<VecDeque<oneshot::Sender<()>>>,
    /// Messages posted and not yet delivered: (sender's index, text).
    in_flight: RefCell<Vec<(usize, String)>>,
    /// Tabs waiting for answers to an `ask`, woken after the next delivery.
    askers: RefCell<Vec<oneshot::Sender<()>>>,
    pub tabs: RefCell<Vec<Weak<Coordinator<Fake>>>>,
    /// Messages delivered to a tab, in all.
    pub delivered: Cell<usize>,
}

struct Held(Rc<Origin>);

impl Drop for Held {
    fn drop(&mut self) {
        let next = self.0.lock_queue.borrow_mut().pop_front();
        match next {
            Some(tx) => {
                let _ = tx.send(());
            }
            None => self.0.held.set(false),
        }
    }
}

impl Origin {
    pub fn add(self: &Rc<Self>, tab: &Rc<Coordinator<Fake>>) {
        let index = self.tabs.borrow().len();
        *tab.host().origin.borrow_mut() = Some((Rc::clone(self), index));
        self.tabs.borrow_mut().push(Rc::downgrade(tab));
    }

    pub fn lock(self: &Rc<Self>) -> LocalFuture<Result<LockGuard, Error>> {
        let origin = Rc::clone(self);
        Box::pin(async move {
            if origin.held.replace(true) {
                let (tx, rx) = oneshot::channel();
                origin.lock_queue.borrow_mut().push_back(tx);
                rx.await.expect("the holder hands the lock over");
                // The previous holder's messages arrive before this tab goes on.
                origin.deliver_all();
            }
            Ok(Box::new(Held(Rc::clone(&origin))) as LockGuard)
        })
    }

    pub fn post(&self, from: usize, text: String) {
        self.in_flight.borrow_mut().push((from, text));
    }

    pub fn ask(self: &Rc<Self>, from: usize) -> LocalFuture<()> {
        let (tx, rx) = oneshot::channel();
        self.askers.borrow_mut().push(tx);
        self.post(from, tokenflight::crosstab::Message::Ask.encode().expose().to_owned());
        Box::pin(async move {
            let _ = rx.await;
        })
    }

    /// Drops the messages in flight (tabs that were not open to receive them).
    pub fn forget_in_flight(&self) {
        self.in_flight.borrow_mut().clear();
    }

    /// Delivers every message in flight (and those sent in answer) to every tab but its sender,
    /// then wakes the tabs that asked. Returns how many deliveries were made.
    pub fn deliver_all(&self) -> usize {
        let mut count = 0;
        loop {
            let batch: Vec<(usize, String)> = std::mem::take(&mut *self.in_flight.borrow_mut());
            if batch.is_empty() {
                break;
            }
            let tabs: Vec<_> = self.tabs.borrow().iter().map(Weak::upgrade).collect();
            for (from, text) in batch {
                for (index, tab) in tabs.iter().enumerate() {
                    if let Some(tab) = tab.as_ref().filter(|_| index != from) {
                        tab.receive(&text);
                        count += 1;
                    }
                }
            }
        }
        self.delivered.set(self.delivered.get() + count);
        for tx in std::mem::take(&mut *self.askers.borrow_mut()) {
            let _ = tx.send(());
        }
        count
    }
}

/// `n` tabs of one origin, each a coordinator on its own fake host, all run by one pool.
pub fn tabs(
    n: usize,
    config: tokenflight::refresh::coordinator::Config,
) -> (Vec<super::Core>, Rc<Origin>, futures::executor::LocalPool) {
    let pool = futures::executor::LocalPool::new();
    let origin = Rc::new(Origin::default());
    let tabs = (0..n)
        .map(|i| {
            let host = Fake::default();
            host.clock_ms.set(1_700_000_000_000.0);
            // Distinct jitter and session tags per tab, as Math.random would give.
            host.random.set((i as f64 + 0.5) / (n as f64 + 1.0));
            *host.spawner.borrow_mut() = Some(pool.spawner());
            let tab = Rc::new(Coordinator::new(host, config));
            origin.add(&tab);
            tab
        })
        .collect();
    (tabs, origin, pool)
}

/// Runs tasks and delivers messages until nothing moves any more.
pub fn settle(pool: &mut futures::executor::LocalPool, origin: &Origin) {
    loop {
        pool.run_until_stalled();
        if origin.deliver_all() == 0 && origin.askers.borrow().is_empty() {
            pool.run_until_stalled();
            if origin.in_flight.borrow().is_empty() {
                break;
            }
        }
    }
}
