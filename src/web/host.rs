//! The browser host of the refresh core: the clock, the refresh call and event delivery.

use core::future::{poll_fn, Future};
use core::pin::Pin;
use core::task::{ready, Poll};

use super::endpoints;
use super::events::Listeners;
use super::executor;
use super::lifecycle::Lifecycle;
use super::options::Options;
use super::tabs::Tabs;
use crate::crosstab::Message;
use crate::error::Error;
use crate::grant::RefreshOutcome;
use crate::prelude::*;
use crate::refresh::coordinator::{Host, LocalFuture, LockGuard};
use crate::session::Event;
use crate::token::Secret;

/// The host the coordinator runs on in a browser.
pub struct WebHost {
    pub options: Rc<Options>,
    pub listeners: Rc<Listeners>,
    pub lifecycle: Lifecycle,
    /// The origin's lock and channel (`None`: `crossTab: false`, or the browser lacks them).
    pub tabs: Option<Rc<Tabs>>,
}

impl Host for WebHost {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn spawn(&self, task: LocalFuture<()>) {
        executor::spawn(task);
    }

    fn refresh(&self, refresh_token: Option<Secret>) -> impl Future<Output = RefreshOutcome> {
        let mut refreshing = endpoints::refresh(&self.options, refresh_token);
        poll_fn(move |cx| {
            let outcome = ready!(Pin::new(&mut refreshing).poll(cx));
            if let RefreshOutcome::Granted(grant) = &outcome {
                // For the `refresh` event, should the session find the scope changed.
                self.listeners.note_scope(grant.scope.as_deref());
            }
            Poll::Ready(outcome)
        })
    }

    fn emit(&self, event: Event) {
        self.listeners.dispatch(event)
    }

    fn schedule(&self, renew_at_ms: Option<f64>) {
        self.lifecycle.reschedule(renew_at_ms);
    }

    fn lock(&self) -> impl Future<Output = Result<LockGuard, Error>> {
        // The holder's refresh call is bounded by refreshTimeoutMs; twice that is too long.
        let timeout_ms = self.options.endpoint_timeout_ms.saturating_mul(2);
        async move {
            match &self.tabs {
                Some(tabs) => tabs.lock(timeout_ms).await,
                None => Ok(Box::new(()) as LockGuard),
            }
        }
    }

    fn broadcast(&self, message: &Message) {
        if let Some(tabs) = &self.tabs {
            tabs.post(message.encode().expose());
        }
    }

    fn ask_other_tabs(&self) -> impl Future<Output = ()> {
        let mut asked = self.tabs.as_ref().map(|tabs| tabs.ask(Message::Ask.encode().expose()));
        poll_fn(move |cx| match &mut asked {
            Some(sleep) => Pin::new(sleep).poll(cx),
            None => Poll::Ready(()),
        })
    }
}
