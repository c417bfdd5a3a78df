//! Browser tests of the hardening found by an adversarial review (issue 15): platform functions
//! captured at creation, refused auth bodies zeroed, redirected 401s judged by their final URL,
//! unknown option names not echoed when they could be tokens.

#![cfg(target_arch = "wasm32")]

mod browser_support;

use browser_support::*;
use js_sys::Array;
use tokenflight::web::TokenManager;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/fixtures/hostile.js")]
extern "C" {
    type Hostile;
    #[wasm_bindgen(js_name = useAsGlobalFetch)]
    fn use_as_global_fetch(server: &FakeServer);
    #[wasm_bindgen(js_name = replacePlatform)]
    fn replace_platform() -> Hostile;
    #[wasm_bindgen(method)]
    fn seen(this: &Hostile) -> String;
    #[wasm_bindgen(method)]
    fn restore(this: &Hostile);
    #[wasm_bindgen(js_name = pageSendsToken)]
    fn page_sends_token(token: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = redirectingFetch)]
    fn redirecting_fetch(server: &FakeServer, final_url: &str) -> JsValue;
    #[wasm_bindgen(js_name = issuedTokens)]
    fn issued_tokens(server: &FakeServer) -> Array;
}

fn tokens_in(text: &str, server: &FakeServer) -> Vec<String> {
    issued_tokens(server)
        .iter()
        .filter_map(|t| t.as_string())
        .filter(|t| text.contains(t.as_str()))
        .collect()
}

#[wasm_bindgen_test]
async fn fetch_request_and_headers_replaced_after_creation_never_see_a_token() {
    let server = new_server();
    use_as_global_fetch(&server);
    // No `fetch` option: the global one is captured now; body mode puts the refresh token in a
    // request body too.
    let options = obj(&[
        ("refreshUrl", "/refresh".into()),
        ("logoutUrl", "/logout".into()),
        ("refreshTokenIn", "body".into()),
    ]);
    let m = TokenManager::new(options).expect("valid options");
    let tokens = obj(&[
        ("access", server.access_token().into()),
        ("refresh", server.refresh_token().into()),
        ("expiresIn", 300.into()),
    ]);
    m.set_tokens(tokens).unwrap();
    let hostile = replace_platform();
    server.expire();
    let response = JsFuture::from(fetch(&m, "/api/data")).await;
    JsFuture::from(m.logout()).await.unwrap();
    let recorded = hostile.seen();
    // Positive control: the same wrappers do see a token the page sends through them.
    JsFuture::from(page_sends_token(&server.access_token())).await.unwrap();
    let control = hostile.seen();
    hostile.restore();
    assert_eq!(
        status_of(&response.unwrap()),
        200,
        "401 → refresh → replay through the captured fetch"
    );
    assert_eq!(server.refresh_calls(), 1);
    assert_eq!(server.logout_calls(), 1);
    assert_eq!(tokens_in(&recorded, &server), Vec::<String>::new(), "the wrappers saw a token");
    assert!(!tokens_in(&control, &server).is_empty(), "control: the wrappers record tokens");
}

#[wasm_bindgen_test]
async fn a_401_whose_final_url_is_not_allowed_does_not_refresh() {
    let here = format!("{}/api/elsewhere", page_origin());
    for (final_url, refreshes) in [("https://evil.example/api", 0), (here.as_str(), 1)] {
        let server = new_server();
        let m = signed_in(&server, obj(&[("fetch", redirecting_fetch(&server, final_url))]));
        let response = JsFuture::from(fetch(&m, "/api/redirected")).await.unwrap();
        assert_eq!(status_of(&response), 401, "{final_url}");
        assert_eq!(server.refresh_calls(), refreshes, "final URL {final_url}");
    }
}

#[wasm_bindgen_test]
async fn refused_refresh_answers_leave_no_token_bytes_in_wasm_memory() {
    let server = new_server();
    let m = manager(&server, JsValue::UNDEFINED);
    let login = || JsFuture::from(m.login(obj(&[("username", "ada".into())])));
    // Over the 64 KiB cap without Content-Length (carrying the current token), then a 401 and
    // a 400 invalid_grant that each echo a token. A new login between them resets the backoff.
    for mode in ["huge", "reject_echo", "invalid_grant_echo"] {
        login().await.unwrap();
        server.set_refresh_mode(mode);
        server.expire();
        let calls = server.refresh_calls();
        let _ = JsFuture::from(fetch(&m, "/api/data")).await;
        assert_eq!(server.refresh_calls(), calls + 1, "{mode}: the refresh was answered");
    }
    server.set_refresh_mode("ok");
    login().await.unwrap();
    logout_leaves_no_token_bytes(&server, &m).await;
}

#[wasm_bindgen_test]
fn an_unknown_option_is_named_only_when_it_looks_like_a_name() {
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
    let opaque = "2YotnFZFEjr1zCsicMWpAA2YotnFZFEjr1zCsicMWpAA";
    for key in [jwt, opaque] {
        let options = obj(&[("refreshUrl", "/r".into()), (key, 1.into())]);
        let error = TokenManager::new(options).err().expect("must fail");
        assert_eq!(text(&error, "name"), "InvalidOptions");
        let message = text(&error, "message");
        assert!(!message.contains(&key[..12]), "{message}");
        assert!(message.contains("not an option"), "{message}");
    }
    let typo = obj(&[("refreshUrl", "/r".into()), ("refreshTimeoutMS", 1.into())]);
    let message = text(&TokenManager::new(typo).err().unwrap(), "message");
    assert!(message.contains("`refreshTimeoutMS`"), "a typo is still named: {message}");
}
