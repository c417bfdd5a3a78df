//! A fake host for the refresh core: a manual clock, a refresh transport whose calls the test
//! answers one by one (deterministic ordering), and a record of delivered events.

#![allow(dead_code)]

pub mod origin;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

use futures::channel::oneshot;
use futures::executor::{LocalPool, LocalSpawner};
use futures::task::LocalSpawnExt;
use tokenflight::crosstab::Message;
use tokenflight::grant::{Grant, RefreshOutcome};
use tokenflight::refresh::coordinator::{Config, Coordinator, Host, LocalFuture, LockGuard};
use tokenflight::session::{Event, RefreshTokenIn};
use tokenflight::token::Secret;
use tokenflight::Error;

#[derive(Default)]
pub struct FakeHost {
    pub clock_ms: Cell<f64>,
    /// Refresh calls made, with the refresh token each presented (body mode).
    pub calls: RefCell<Vec<Option<String>>>,
    answers: RefCell<Vec<oneshot::Sender<RefreshOutcome>>>,
    pub events: RefCell<Vec<Event>>,
    /// Every renewal time the coordinator scheduled, in order.
    pub schedules: RefCell<Vec<Option<f64>>>,
    /// What `random()` answers (jitter): fixed so schedules are exact in tests.
    pub random: Cell<f64>,
    spawner: RefCell<Option<LocalSpawner>>,
    /// Messages this tab sent to the others, as JSON text.
    pub sent: RefCell<Vec<String>>,
    /// The origin this tab belongs to, with its index there (`None`: a lone tab).
    pub origin: RefCell<Option<(Rc<origin::Origin>, usize)>>,
}

/// Shared handle to the fake, so the test keeps one while the coordinator owns another.
#[derive(Clone, Default)]
pub struct Fake(pub Rc<FakeHost>);

impl std::ops::Deref for Fake {
    type Target = FakeHost;
    fn deref(&self) -> &FakeHost {
        &self.0
    }
}

impl Host for Fake {
    fn now_ms(&self) -> f64 {
        self.clock_ms.get()
    }

    fn random(&self) -> f64 {
        self.random.get()
    }

    fn spawn(&self, task: LocalFuture<()>) {
        let spawner = self.spawner.borrow().clone().expect("core() set the spawner");
        spawner.spawn_local(task).expect("the pool is alive");
    }

    fn refresh(&self, refresh_token: Option<Secret>) -> impl Future<Output = RefreshOutcome> {
        self.calls.borrow_mut().push(refresh_token.map(|t| t.expose().to_owned()));
        let (tx, rx) = oneshot::channel();
        self.answers.borrow_mut().push(tx);
        async move { rx.await.expect("the test answers every refresh call") }
    }

    fn emit(&self, event: Event) {
        self.events.borrow_mut().push(event);
    }

    fn schedule(&self, renew_at_ms: Option<f64>) {
        self.schedules.borrow_mut().push(renew_at_ms);
    }

    fn lock(&self) -> impl Future<Output = Result<LockGuard, Error>> {
        match self.origin.borrow().clone() {
            Some((origin, _)) => origin.lock(),
            None => Box::pin(async { Ok(Box::new(()) as LockGuard) }),
        }
    }

    fn broadcast(&self, message: &Message) {
        let text = message.encode().expose().to_owned();
        self.sent.borrow_mut().push(text.clone());
        if let Some((origin, index)) = self.origin.borrow().as_ref() {
            origin.post(*index, text);
        }
    }

    fn ask_other_tabs(&self) -> impl Future<Output = ()> {
        match self.origin.borrow().clone() {
            Some((origin, index)) => origin.ask(index),
            None => Box::pin(async {}),
        }
    }
}

impl FakeHost {
    pub fn refresh_calls(&self) -> usize {
        self.calls.borrow().len()
    }

    /// Refresh calls answered so far.
    pub fn answered(&self) -> usize {
        self.calls.borrow().len() - self.answers.borrow().len()
    }

    /// Answers the oldest unanswered refresh call.
    pub fn answer(&self, outcome: RefreshOutcome) {
        let tx = self.answers.borrow_mut().remove(0);
        let _ = tx.send(outcome);
    }

    pub fn count(&self, wanted: impl Fn(&Event) -> bool) -> usize {
        self.events.borrow().iter().filter(|e| wanted(e)).count()
    }
}

pub fn grant(access: &str, expires_in_s: Option<f64>) -> Grant {
    Grant {
        access: Secret::new(access.into()),
        refresh: None,
        id_token: None,
        expires_in_s,
        scope: None,
    }
}

pub fn grant_rotating(access: &str, refresh: &str) -> Grant {
    Grant { refresh: Some(Secret::new(refresh.into())), ..grant(access, Some(300.0)) }
}

pub type Core = Rc<Coordinator<Fake>>;

/// A coordinator on a fake host, with the pool that runs its tasks (the test drives it).
pub fn core(mode: RefreshTokenIn) -> (Core, Fake, LocalPool) {
    core_with(Config::new(mode))
}

pub fn core_with(config: Config) -> (Core, Fake, LocalPool) {
    let host = Fake::default();
    host.clock_ms.set(1_700_000_000_000.0);
    let pool = LocalPool::new();
    *host.spawner.borrow_mut() = Some(pool.spawner());
    (Rc::new(Coordinator::new(host.clone(), config)), host, pool)
}

pub fn access_of(core: &Coordinator<Fake>) -> Option<String> {
    core.session().access().map(|(t, _)| t.expose().to_owned())
}
