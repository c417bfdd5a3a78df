//! Bindings to the network test double (tests/fixtures/fake_server.js) and helpers shared by
//! the browser tests.

#![allow(dead_code)]

use js_sys::{Array, Object, Promise, Reflect};
use tokenflight::web::TokenManager;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/tests/fixtures/fake_server.js")]
extern "C" {
    pub type FakeServer;
    #[wasm_bindgen(js_name = newServer)]
    pub fn new_server() -> FakeServer;
    #[wasm_bindgen(js_name = serverOptions)]
    pub fn server_options(server: &FakeServer, extra: &JsValue) -> JsValue;
    #[wasm_bindgen(method, getter = refreshUrl)]
    pub fn refresh_url(this: &FakeServer) -> String;
    #[wasm_bindgen(method, getter = refreshCalls)]
    pub fn refresh_calls(this: &FakeServer) -> u32;
    #[wasm_bindgen(method, getter = apiCalls)]
    pub fn api_calls(this: &FakeServer) -> u32;
    #[wasm_bindgen(method, getter = logoutCalls)]
    pub fn logout_calls(this: &FakeServer) -> u32;
    #[wasm_bindgen(method, setter = refreshMode)]
    pub fn set_refresh_mode(this: &FakeServer, mode: &str);
    #[wasm_bindgen(method, setter = record)]
    pub fn set_record(this: &FakeServer, record: bool);
    #[wasm_bindgen(method, setter = refreshDelayMs)]
    pub fn set_refresh_delay_ms(this: &FakeServer, ms: u32);
    #[wasm_bindgen(method)]
    pub fn expire(this: &FakeServer);
    #[wasm_bindgen(method, js_name = accessToken)]
    pub fn access_token(this: &FakeServer) -> String;
    #[wasm_bindgen(method, js_name = refreshToken)]
    pub fn refresh_token(this: &FakeServer) -> String;
    #[wasm_bindgen(method, getter)]
    pub fn requests(this: &FakeServer) -> Array;
    #[wasm_bindgen(method, getter = refreshBodies)]
    pub fn refresh_bodies(this: &FakeServer) -> Array;
    #[wasm_bindgen(method, getter)]
    pub fn issued(this: &FakeServer) -> Array;
    #[wasm_bindgen(js_name = unhandledRejections)]
    pub fn unhandled_rejections() -> u32;
    #[wasm_bindgen(js_name = everywhereATokenMustNotBe)]
    pub fn everywhere_a_token_must_not_be(server: &FakeServer) -> String;
    #[wasm_bindgen(js_name = settle)]
    pub fn settle_promise(ms: u32) -> Promise;
    #[wasm_bindgen(js_name = flushRejections)]
    fn flush_rejections() -> Promise;
    #[wasm_bindgen(method, getter = refreshAnswers)]
    pub fn refresh_answers(this: &FakeServer) -> u32;
    #[wasm_bindgen(js_name = shiftClock)]
    pub fn shift_clock(ms: f64);
    #[wasm_bindgen(js_name = resetClock)]
    pub fn reset_clock();
    #[wasm_bindgen(js_name = firePageEvents)]
    pub fn fire_page_events();
    #[wasm_bindgen(js_name = tokensFromJs)]
    pub fn tokens_from_js(server: &FakeServer, expires_in: f64) -> JsValue;
    #[wasm_bindgen(js_name = tokensInMemory)]
    pub fn tokens_in_memory(memory: &JsValue, server: &FakeServer) -> Array;
    #[wasm_bindgen(js_name = bodyCases)]
    pub fn body_cases() -> Array;
    #[wasm_bindgen(js_name = streamBody)]
    pub fn stream_body() -> JsValue;
}

// ---- helpers ----

pub fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

pub fn prop(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

pub fn num(value: &JsValue, key: &str) -> f64 {
    prop(value, key).as_f64().unwrap_or(f64::NAN)
}

pub fn text(value: &JsValue, key: &str) -> String {
    prop(value, key).as_string().unwrap_or_default()
}

/// Lets `ms` pass: only to check that something does NOT happen within a period. What must
/// happen is awaited with [`wait_until`].
pub async fn settle(ms: u32) {
    JsFuture::from(settle_promise(ms)).await.unwrap();
}

/// Waits until `condition` holds, checking every few milliseconds, failing the test after
/// `timeout_ms` of `performance.now()` (which the tests' clock shifting leaves alone).
pub async fn wait_until(what: &str, timeout_ms: u32, condition: impl Fn() -> bool) {
    let performance = prop(&js_sys::global(), "performance");
    let now = || {
        let f: js_sys::Function = prop(&performance, "now").unchecked_into();
        f.call0(&performance).ok().and_then(|v| v.as_f64()).unwrap_or(f64::NAN)
    };
    let end = now() + f64::from(timeout_ms);
    while !condition() {
        assert!(now() <= end, "timed out after {timeout_ms} ms waiting for {what}");
        settle(2).await;
    }
}

/// Asserts that no rejection was left unhandled since the count was `before`, after every
/// earlier one has been reported (not after a guessed delay).
pub async fn assert_no_unhandled_rejections(before: u32) {
    JsFuture::from(flush_rejections()).await.expect("the marker rejection was reported");
    assert_eq!(unhandled_rejections(), before, "unhandled rejections");
}

pub fn manager(server: &FakeServer, extra: JsValue) -> TokenManager {
    TokenManager::new(server_options(server, &extra)).expect("valid options")
}

/// A manager holding the server's current (valid) token.
pub fn signed_in(server: &FakeServer, extra: JsValue) -> TokenManager {
    let m = manager(server, extra);
    m.set_tokens(obj(&[("access", server.access_token().into()), ("expiresIn", 300.into())]))
        .unwrap();
    m
}

/// Settles every promise: (fulfilled?, value or reason). Handlers are attached at once (before
/// the first await), so a rejection is never left unhandled by the test itself.
pub fn all_settled(
    promises: Vec<Promise>,
) -> impl std::future::Future<Output = Vec<(bool, JsValue)>> {
    let array: Array = promises.into_iter().collect();
    let settled = JsFuture::from(Promise::all_settled(&array));
    async move { collect_settled(settled.await.unwrap()) }
}

pub fn collect_settled(results: JsValue) -> Vec<(bool, JsValue)> {
    Array::from(&results)
        .iter()
        .map(|r| {
            let fulfilled = text(&r, "status") == "fulfilled";
            (fulfilled, prop(&r, if fulfilled { "value" } else { "reason" }))
        })
        .collect()
}

pub fn status_of(response: &JsValue) -> u16 {
    response.dyn_ref::<web_sys::Response>().map_or(0, |r| r.status())
}

pub fn fetch(m: &TokenManager, url: &str) -> Promise {
    m.fetch(url.into(), JsValue::UNDEFINED)
}

pub fn count_events(
    m: &TokenManager,
    name: &str,
) -> (std::rc::Rc<std::cell::RefCell<Vec<JsValue>>>, JsValue) {
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let sink = seen.clone();
    let listener = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| sink.borrow_mut().push(e))
        .into_js_value();
    let off = m.on(name.into(), listener).unwrap();
    (seen, off)
}

/// What a storm left behind: the server, the manager, every request's outcome, and the
/// `sessionEnd` events seen.
pub struct Storm {
    pub server: FakeServer,
    pub m: TokenManager,
    pub results: Vec<(bool, JsValue)>,
    pub ends: std::rc::Rc<std::cell::RefCell<Vec<JsValue>>>,
}

/// Signs in, makes the server answer refreshes per `mode` and stop accepting the token, then
/// fires `n` concurrent requests and waits for all of them.
pub async fn storm(mode: &str, n: usize, extra: JsValue) -> Storm {
    let server = new_server();
    let m = signed_in(&server, extra);
    let (ends, _) = count_events(&m, "sessionEnd");
    server.set_refresh_mode(mode);
    server.expire();
    let results = all_settled((0..n).map(|_| fetch(&m, "/api/data")).collect()).await;
    Storm { server, m, results, ends }
}

pub fn all_rejected_with(results: &[(bool, JsValue)], name: &str) -> bool {
    results.iter().all(|(fulfilled, e)| !fulfilled && text(e, "name") == name)
}

pub fn stats(m: &TokenManager) -> JsValue {
    m.stats()
}

pub fn page_origin() -> String {
    text(&prop(&js_sys::global(), "location"), "origin")
}

/// Logs `m` out and scans the Wasm memory for every token `server` issued: none may be left.
/// Positive control first: the token in use is found, so the scan would see a leftover copy.
pub async fn logout_leaves_no_token_bytes(server: &FakeServer, m: &TokenManager) {
    let memory = wasm_bindgen::memory();
    assert_eq!(tokens_in_memory(&memory, server).length(), 1, "only the current token is held");
    JsFuture::from(m.logout()).await.unwrap();
    let left = tokens_in_memory(&memory, server);
    assert_eq!(left.length(), 0, "token bytes left in Wasm memory: {:?}", left.to_vec());
}
