//! The browser host of the refresh core: the clock, the refresh call over fetch (with its
//! timeout) and event delivery.

use crate::prelude::*;



use wasm_bindgen::JsValue;
use web_sys::{AbortController, Headers, Request, RequestCredentials, RequestInit, RequestRedirect};

use super::events::Listeners;
use super::net::{send, text_capped, within};
use super::options::{BodyFormat, Options};
use crate::error::{Error, Transient};
use crate::refresh::backoff::parse_retry_after;
use crate::refresh::coordinator::{Host, LocalFuture};
use crate::refresh::grant::{body_needed, classify, RefreshAnswer, RefreshOutcome, MAX_BODY_BYTES};
use crate::session::{Event, Mode};
use crate::text::{push_form_encoded, push_json_string};
use crate::token::Secret;

/// The host the coordinator runs on in a browser.
pub struct WebHost {
    pub options: Rc<Options>,
    pub listeners: Rc<Listeners>,
}

impl Host for WebHost {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn refresh(&self, refresh_token: Option<Secret>) -> LocalFuture<RefreshOutcome> {
        let options = Rc::clone(&self.options);
        Box::pin(async move {
            let controller = AbortController::new().ok();
            let request = match refresh_request(&options, refresh_token.as_ref(), controller.as_ref()) {
                Ok(r) => r,
                Err(_) => return network_failure(),
            };
            drop(refresh_token);
            let answer = within(options.refresh_timeout_ms, read_answer(&options, &request)).await;
            match answer {
                Some(Some(answer)) => classify(answer, &options.fields),
                Some(None) => network_failure(),
                None => {
                    // Waiters are released now; abort the call so it does not linger.
                    if let Some(c) = controller {
                        c.abort();
                    }
                    RefreshOutcome::Failed { error: Error::RefreshFailed(Transient::Timeout), retry_after_s: None }
                }
            }
        })
    }

    fn emit(&self, event: Event) {
        self.listeners.dispatch(event);
    }
}

fn network_failure() -> RefreshOutcome {
    RefreshOutcome::Failed { error: Error::RefreshFailed(Transient::Network), retry_after_s: None }
}

/// The refresh request: POST to the exact configured URL, with the configured headers, never
/// the access token, and redirects not followed (a redirect is an invalid answer).
fn refresh_request(options: &Options, refresh_token: Option<&Secret>, controller: Option<&AbortController>) -> Result<Request, JsValue> {
    let headers = Headers::new()?;
    headers.set("Accept", "application/json")?;
    for (name, value) in &options.refresh_headers {
        headers.set(name, value)?;
    }
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_redirect(RequestRedirect::Manual);
    init.set_credentials(match options.mode {
        Mode::Cookie => RequestCredentials::Include,
        Mode::Body => RequestCredentials::SameOrigin,
    });
    if let Some(token) = refresh_token {
        let body = match options.body_format {
            BodyFormat::Json => {
                headers.set("Content-Type", "application/json")?;
                let mut s = String::with_capacity(token.expose().len() + 64);
                s.push('{');
                push_json_string(&mut s, options.fields.refresh.as_deref().unwrap_or("refresh"));
                s.push(':');
                push_json_string(&mut s, token.expose());
                s.push('}');
                Secret::new(s)
            }
            BodyFormat::Form => {
                headers.set("Content-Type", "application/x-www-form-urlencoded")?;
                let mut s = String::with_capacity(3 * token.expose().len() + 64);
                s.push_str("grant_type=refresh_token&refresh_token=");
                push_form_encoded(&mut s, token.expose());
                Secret::new(s)
            }
        };
        init.set_body(&JsValue::from_str(body.expose()));
    }
    init.set_headers(&headers);
    if let Some(c) = controller {
        init.set_signal(Some(&c.signal()));
    }
    Request::new_with_str_and_init(&options.refresh_url, &init)
}

/// Sends the refresh request and reads what classification needs. `None`: no response at all.
async fn read_answer(options: &Options, request: &Request) -> Option<RefreshAnswer> {
    let response = send(options.fetch.as_ref(), request).await.ok()?;
    let status = response.status();
    let headers = response.headers();
    let redirected = response.redirected() || response.type_() == web_sys::ResponseType::Opaqueredirect;
    let body = if body_needed(status) && !redirected { text_capped(&response, MAX_BODY_BYTES).await } else { None };
    Some(RefreshAnswer {
        status,
        content_type: headers.get("content-type").ok().flatten(),
        retry_after_s: headers.get("retry-after").ok().flatten().as_deref().and_then(parse_retry_after),
        redirected,
        body,
    })
}
