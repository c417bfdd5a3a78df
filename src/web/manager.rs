//! The JavaScript API (the contract's §2). Methods take `&self` only, so a listener may call back
//! into the manager while another method runs; async methods own an `Rc` of the core.

use crate::prelude::*;
use alloc::rc::Weak;

use wasm_bindgen::prelude::*;

use super::convert::{get, object_of_numbers, set};
use super::endpoints::{self, SignIn};
use super::events::{unsubscribe_fn, Listeners};
use super::executor;
use super::fetch;
use super::host::WebHost;
use super::js_error::{endpoint_error, js_error, options_error};
use super::lifecycle::Lifecycle;
use super::options::Options;
use super::privacy;
use super::tabs::{Status, Tabs};
use crate::claims;
use crate::error::{EndReason, Error, RefreshFailure};
use crate::grant::{take_token_value, Grant};
use crate::json::Json;
use crate::refresh::coordinator::{Coordinator, Host, Renewal};
use crate::session::RefreshTokenIn;
use crate::token::{usable_expires_in, Secret};

type Core = Coordinator<WebHost>;

/// A token manager. Create it with `createTokenManager(options)` from the package entry.
#[wasm_bindgen]
pub struct TokenManager {
    core: Rc<Core>,
    cross_tab: Status,
}

#[wasm_bindgen]
impl TokenManager {
    /// Validates the options; throws `InvalidOptions` naming the offending option.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<TokenManager, JsValue> {
        let options = Options::parse(&options).map_err(options_error)?;
        let config = options.config;
        let tabs = if options.cross_tab { Tabs::open(&options.refresh_url) } else { None };
        let cross_tab = match (&tabs, options.cross_tab) {
            (Some(_), _) => Status::Active,
            (None, true) => Status::Unavailable,
            (None, false) => Status::Off,
        };
        // Built in one step: the timer, the page events and the channel reach the core through
        // a weak reference, so nothing keeps a dropped manager alive.
        let core = Rc::new_cyclic(|core: &Weak<Core>| {
            if let Some(tabs) = &tabs {
                tabs.attach(core.clone());
            }
            let host = WebHost {
                options,
                listeners: Rc::new(Listeners::default()),
                lifecycle: Lifecycle::new(renewal_check(core.clone())),
                tabs,
            };
            Coordinator::new(host, config)
        });
        Ok(TokenManager { core, cross_tab })
    }

    /// Keeps tokens from a login the app performed itself: `{ access, refresh, expiresIn, idToken }`.
    #[wasm_bindgen(js_name = setTokens)]
    pub fn set_tokens(&self, tokens: JsValue) -> Result<(), JsValue> {
        let grant = grant_from_js(&tokens).map_err(|e| js_error(&e))?;
        self.core.start(grant);
        Ok(())
    }

    /// Display-only claims: the ID token's if known, else the access token's if it is a JWT,
    /// else `null`. Never verified; never use them to decide anything.
    pub fn claims(&self) -> JsValue {
        let session = self.core.session();
        // Validated strictly by our decoder first; JSON.parse then builds the object (it defines
        // a `__proto__` key as an ordinary own property, never as the prototype).
        match session.display_token().map(|t| claims::decode_with_text(t.expose())) {
            Some(Ok(Some((claims, text)))) => {
                privacy::check(&self.core.host().options, &claims);
                js_sys::JSON::parse(&text).unwrap_or(JsValue::NULL)
            }
            _ => JsValue::NULL,
        }
    }

    /// Whether an access token is held.
    #[wasm_bindgen(getter = isAuthenticated)]
    pub fn is_authenticated(&self) -> bool {
        self.core.session().access().is_some()
    }

    /// Subscribes to `"refresh"`, `"sessionEnd"` or `"tokenChange"`; returns an unsubscribe
    /// function.
    pub fn on(&self, name: JsValue, listener: JsValue) -> Result<JsValue, JsValue> {
        let listener: js_sys::Function = listener.dyn_into().map_err(|_| {
            js_error(&Error::InvalidArgument {
                argument: "on(name, listener): listener",
                problem: "must be a function",
            })
        })?;
        let listeners = &self.core.host().listeners;
        let id = name.as_string().and_then(|n| listeners.add(&n, listener)).ok_or_else(|| {
            js_error(&Error::InvalidArgument {
                argument: "on(name, listener): name",
                problem: "must be \"refresh\", \"sessionEnd\" or \"tokenChange\"",
            })
        })?;
        Ok(unsubscribe_fn(listeners, id))
    }

    /// Counters: `{ refreshes, refreshFailures, replays, queued, maxQueued, sessionEnds,
    /// generation }`, and `crossTab`: `"active"`, `"off"` or `"unavailable"`.
    pub fn stats(&self) -> JsValue {
        let stats = self.core.stats();
        let generation = self.core.session().token_generation().unwrap_or(0);
        let object = object_of_numbers(&[
            ("refreshes", stats.session.refreshes as f64),
            ("refreshFailures", stats.session.refresh_failures as f64),
            ("replays", stats.session.replays as f64),
            ("queued", stats.queued as f64),
            ("maxQueued", stats.max_queued as f64),
            ("sessionEnds", stats.session.session_ends as f64),
            ("generation", generation as f64),
        ]);
        set(&object, "crossTab", &JsValue::from_str(self.cross_tab.as_str()));
        object.into()
    }
}

/// The promise-returning methods, numbered for [`TokenManager::call`]. The npm build exports
/// only `call`: `pkg-template/index.js` defines the named methods over it, which saves one
/// export, its glue and a copy of the argument conversions per method.
pub mod op {
    /// `fetch(input, init)`.
    pub const FETCH: u32 = 0;
    /// `getAccessToken({ minValiditySeconds })`: `run` takes every number not above for it.
    #[cfg_attr(feature = "npm", allow(dead_code))]
    pub const ACCESS_TOKEN: u32 = 1;
    /// `login(credentials)`.
    pub const LOGIN: u32 = 2;
    /// `exchangeCode({ code, codeVerifier, redirectUri })`.
    pub const EXCHANGE_CODE: u32 = 3;
    /// `restore()`.
    pub const RESTORE: u32 = 4;
    /// `logout()`.
    pub const LOGOUT: u32 = 5;
}

#[wasm_bindgen]
impl TokenManager {
    /// Every promise-returning method in one export: `op` (see [`op`]) names the method, `a`
    /// and `b` are its arguments. Every promise the API returns is made here, in one place.
    pub fn call(&self, op: u32, a: JsValue, b: JsValue) -> js_sys::Promise {
        executor::promise(Box::pin(run(Rc::clone(&self.core), op, a, b)))
    }
}

/// The named methods, for builds without the `npm` feature (the browser tests and their
/// fixtures call them); the npm package defines them in `pkg-template/index.js`.
#[cfg(not(feature = "npm"))]
#[wasm_bindgen]
impl TokenManager {
    /// POSTs the credentials as JSON to `loginUrl` and keeps the returned tokens.
    pub fn login(&self, credentials: JsValue) -> js_sys::Promise {
        self.call(op::LOGIN, credentials, JsValue::UNDEFINED)
    }

    /// After the redirect back from an OAuth authorization server: posts the authorization code
    /// with its PKCE verifier to `tokenUrl` (RFC 6749 §4.1.3) and keeps the returned tokens.
    #[wasm_bindgen(js_name = exchangeCode)]
    pub fn exchange_code(&self, grant: JsValue) -> js_sys::Promise {
        self.call(op::EXCHANGE_CODE, grant, JsValue::UNDEFINED)
    }

    /// On page load: one silent refresh through the HttpOnly cookie. Resolves to whether a
    /// session exists.
    pub fn restore(&self) -> js_sys::Promise {
        self.call(op::RESTORE, JsValue::UNDEFINED, JsValue::UNDEFINED)
    }

    /// Drop-in for `window.fetch`: attaches the token to allowed origins and handles 401 with
    /// a single-flight refresh and one replay. Resolves to the real `Response`.
    pub fn fetch(&self, input: JsValue, init: JsValue) -> js_sys::Promise {
        self.call(op::FETCH, input, init)
    }

    /// A token valid for at least `minValiditySeconds` (default 0), renewing if needed, for
    /// WebSocket / SSE connections. Resolves to `null` when signed out.
    #[wasm_bindgen(js_name = getAccessToken)]
    pub fn get_access_token(&self, options: JsValue) -> js_sys::Promise {
        self.call(op::ACCESS_TOKEN, options, JsValue::UNDEFINED)
    }

    /// Ends the session: wipes the tokens, releases waiting requests with `LoggedOut`, calls
    /// `logoutUrl` best effort. Never throws; safe to call any number of times.
    pub fn logout(&self) -> js_sys::Promise {
        self.call(op::LOGOUT, JsValue::UNDEFINED, JsValue::UNDEFINED)
    }
}

async fn run(core: Rc<Core>, op: u32, a: JsValue, b: JsValue) -> Result<JsValue, JsValue> {
    let options = &core.host().options;
    match op {
        op::FETCH => fetch::fetch(&core, &a, &b).await,
        op::LOGIN | op::EXCHANGE_CODE => {
            let how = if op == op::LOGIN { SignIn::Login(a) } else { SignIn::Code(a) };
            let signed_in = match endpoints::sign_in(options, &how) {
                Ok(signing_in) => signing_in.await,
                Err(e) => Err(e),
            };
            match signed_in {
                Ok(grant) => {
                    core.start(grant);
                    Ok(JsValue::UNDEFINED)
                }
                Err(e) => Err(endpoint_error(options, &e)),
            }
        }
        op::RESTORE => match core.restore().await {
            Ok(Renewal::Renewed(_)) => Ok(JsValue::TRUE),
            Ok(Renewal::Unavailable) | Err(Error::SessionExpired(_)) => Ok(JsValue::FALSE),
            Err(e) => Err(endpoint_error(options, &e)),
        },
        op::LOGOUT => {
            let refresh_token = match options.refresh_token_in {
                RefreshTokenIn::Body => core.session().refresh_token_copy(),
                RefreshTokenIn::Cookie => None,
            };
            // Locally first (and in every other tab), so nothing uses the token while the
            // server is told. The server is told under the cross-tab lock: a refresh another tab
            // is making finishes first, so the logout presents the newest refresh cookie, not a
            // rotated one.
            core.end(EndReason::Logout);
            let guard = core.host().lock().await;
            endpoints::logout(options, refresh_token).await;
            drop(guard);
            Ok(JsValue::UNDEFINED)
        }
        // op::ACCESS_TOKEN (only the package entry calls `call`, with the numbers of `op`).
        _ => {
            let min_validity =
                get(&a, "minValiditySeconds").as_f64().filter(|v| v.is_finite()).unwrap_or(0.0);
            match core.valid_token(min_validity).await {
                Ok(Renewal::Renewed(_)) => Ok(core
                    .session()
                    .access()
                    .map_or(JsValue::NULL, |(token, _)| JsValue::from_str(token.expose()))),
                Ok(Renewal::Unavailable) | Err(Error::SessionExpired(_) | Error::LoggedOut) => {
                    Ok(JsValue::NULL)
                }
                Err(e) => Err(endpoint_error(options, &e)),
            }
        }
    }
}

/// `setTokens`' argument, each token read as the token response's are (`grant.rs`). One loop
/// for the three tokens: one error path instead of one per token.
fn grant_from_js(tokens: &JsValue) -> Result<Grant, Error> {
    let mut read: [Option<Secret>; 3] = Default::default();
    for (token, key) in read.iter_mut().zip(["access", "refresh", "idToken"]) {
        let value = get(tokens, key);
        if !(value.is_undefined() || value.is_null()) {
            *token =
                Some(value.as_string().and_then(|s| take_token_value(Json::String(s))).ok_or(
                    Error::InvalidArgument {
                        argument: key,
                        problem: "must be a non-empty token string",
                    },
                )?);
        }
    }
    let [access, refresh, id_token] = read;
    Ok(Grant {
        access: access.ok_or(Error::InvalidArgument {
            argument: "setTokens({ access })",
            problem: "is required",
        })?,
        refresh,
        id_token,
        expires_in_s: get(tokens, "expiresIn").as_f64().and_then(usable_expires_in),
        scope: None,
    })
}

/// What the timer and the page events run: renew if due, in a task of its own (a callback
/// cannot await). When nothing is due the timer is re-armed for what is left: timers run on
/// another clock than `Date.now()` and may fire a little early, which must not lose the renewal.
/// When the renewal failed transiently (5xx, 429, offline, timeout) the token is still due: the
/// timer is re-armed for the end of the backoff (the `online` event also runs this check). The
/// loop breaker bounds the retries: once it refuses (`TooManyRefreshes`) nothing is re-armed.
fn renewal_check(core: Weak<Core>) -> Rc<dyn Fn()> {
    Rc::new(move || {
        if let Some(core) = core.upgrade() {
            executor::spawn(Box::pin(async move {
                match core.renew_if_due().await {
                    None => core.host().schedule(core.renewal_at_ms()),
                    Some(Err(Error::RefreshFailed(reason))) if transient(reason) => {
                        let retry_at = core.session().retry_at_ms();
                        core.host().schedule(Some(retry_at));
                    }
                    Some(_) => {}
                }
            }));
        }
    })
}

/// A failure that may pass by itself; a 403 (CSRF, cookie path) will not.
fn transient(reason: RefreshFailure) -> bool {
    match reason {
        RefreshFailure::Status(status) => status >= 500 || status == 429,
        RefreshFailure::Forbidden => false,
        _ => true, // offline, timeout, abandoned, another tab's lock held too long
    }
}
