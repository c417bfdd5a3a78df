//! The browser host of the refresh core: the clock, the refresh call and event delivery.

use super::endpoints;
use super::events::Listeners;
use super::lifecycle::Lifecycle;
use super::options::Options;
use super::privacy;
use crate::prelude::*;
use crate::refresh::coordinator::{Host, LocalFuture};
use crate::refresh::grant::RefreshOutcome;
use crate::session::Event;
use crate::token::Secret;

/// The host the coordinator runs on in a browser.
pub struct WebHost {
    pub options: Rc<Options>,
    pub listeners: Rc<Listeners>,
    pub lifecycle: Lifecycle,
}

impl Host for WebHost {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn spawn(&self, task: LocalFuture<()>) {
        wasm_bindgen_futures::spawn_local(task);
    }

    fn refresh(&self, refresh_token: Option<Secret>) -> LocalFuture<RefreshOutcome> {
        let options = Rc::clone(&self.options);
        Box::pin(async move {
            let outcome = endpoints::refresh(&options, refresh_token).await;
            if let RefreshOutcome::Granted(grant) = &outcome {
                privacy::check(&options, grant);
            }
            outcome
        })
    }

    fn emit(&self, event: Event) {
        match event {
            Event::Schedule { renew_at_ms } => self.lifecycle.reschedule(renew_at_ms),
            other => self.listeners.dispatch(other),
        }
    }
}
