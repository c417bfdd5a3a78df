//! Cross-tab coordination in real browsers: the page and same-origin iframes (each with its own
//! tokenflight instance) share Web Locks and BroadcastChannels as the tabs of an origin do.

#![cfg(target_arch = "wasm32")]

mod browser_support;

use browser_support::*;
use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/fixtures/tabs.js")]
extern "C" {
    #[wasm_bindgen(js_name = openTab)]
    fn open_tab(server: &FakeServer, extra: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = closeTab)]
    fn close_tab(tab: &JsValue);
    #[wasm_bindgen(js_name = storm)]
    fn tab_storm(tab: &JsValue, url: &str, n: u32) -> Promise;
    #[wasm_bindgen(js_name = tabFetch)]
    fn tab_fetch(tab: &JsValue, url: &str) -> Promise;
    #[wasm_bindgen(js_name = tabRestore)]
    fn tab_restore(tab: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = tabStats)]
    fn tab_stats(tab: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = tabEnds)]
    fn tab_ends(tab: &JsValue) -> Array;
    #[wasm_bindgen(js_name = tabSetTokens)]
    fn tab_set_tokens(tab: &JsValue, tokens: &JsValue);
    type Listener;
    #[wasm_bindgen(js_name = listenChannel)]
    fn listen_channel(refresh_url: &str) -> Listener;
    #[wasm_bindgen(js_name = channelSeen)]
    fn channel_seen(listener: &Listener) -> u32;
    #[wasm_bindgen(js_name = channelTexts)]
    fn channel_texts(listener: &Listener) -> String;
    #[wasm_bindgen(js_name = channelPost)]
    fn channel_post(listener: &Listener, data: &JsValue);
    #[wasm_bindgen(js_name = holdLock)]
    fn hold_lock(refresh_url: &str) -> Promise;
    #[wasm_bindgen(js_name = hideLocks)]
    fn hide_locks();
    #[wasm_bindgen(js_name = restoreLocks)]
    fn restore_locks();
    #[wasm_bindgen(js_name = now)]
    fn now_ms() -> f64;
}

async fn open(server: &FakeServer, extra: JsValue) -> JsValue {
    match JsFuture::from(open_tab(server, &extra)).await {
        Ok(tab) => tab,
        Err(e) => panic!(
            "the iframe tab did not load: {}",
            String::from(js_sys::Error::from(e).message())
        ),
    }
}

/// Waits until `check()` holds, failing the test after `ms`.
async fn wait_until(ms: f64, what: &str, check: impl Fn() -> bool) {
    let deadline = now_ms() + ms;
    while !check() {
        assert!(now_ms() < deadline, "{what}: not within {ms} ms");
        settle(5).await;
    }
}

fn tab_generation(tab: &JsValue) -> f64 {
    num(&tab_stats(tab), "generation")
}

#[wasm_bindgen_test]
async fn a_storm_in_three_tabs_makes_one_refresh_and_no_echo() {
    let server = new_server();
    let listener = listen_channel(&server.refresh_url());
    let page = signed_in(&server, JsValue::UNDEFINED);
    let tabs = [open(&server, JsValue::UNDEFINED).await, open(&server, JsValue::UNDEFINED).await];
    for tab in &tabs {
        tab_set_tokens(tab, &tokens_from_js(&server, 300.0));
    }
    wait_until(2_000.0, "the logins are seen", || channel_seen(&listener) >= 3).await;
    let before = channel_seen(&listener);
    server.expire();

    let mut storms: Vec<Promise> = (0..30).map(|_| fetch(&page, "/api/data")).collect();
    storms.extend(tabs.iter().map(|t| tab_storm(t, "/api/data", 30)));
    let results = all_settled(storms).await;

    assert_eq!(server.refresh_calls(), 1, "one refresh for every tab of the origin");
    assert!(results[..30].iter().all(|(ok, r)| *ok && status_of(r) == 200));
    for (ok, statuses) in &results[30..] {
        assert!(*ok);
        assert!(Array::from(statuses).iter().all(|s| s.as_f64() == Some(200.0)), "tab: 30 × 200");
    }
    // One message: the new token. Nobody re-sends what it received: an echo would be sent while
    // a tab handles the token message, so before its answer to a later `ask` (one sender's
    // messages arrive in order). Three managers answer the ask.
    wait_until(1_000.0, "the token message", || channel_seen(&listener) > before).await;
    channel_post(&listener, &r#"[1,"ask"]"#.into());
    wait_until(1_000.0, "three answers", || channel_seen(&listener) >= before + 4).await;
    settle(50).await;
    assert_eq!(channel_seen(&listener) - before, 4, "1 token message + 3 answers, no echo");
    assert!(!channel_texts(&listener).contains(&server.refresh_token()));
    for tab in &tabs {
        close_tab(tab);
    }
    assert_eq!(unhandled_rejections(), 0);
}

#[wasm_bindgen_test]
async fn restore_in_five_tabs_at_once_makes_one_refresh() {
    let server = new_server();
    let tabs = [
        open(&server, JsValue::UNDEFINED).await,
        open(&server, JsValue::UNDEFINED).await,
        open(&server, JsValue::UNDEFINED).await,
        open(&server, JsValue::UNDEFINED).await,
        open(&server, JsValue::UNDEFINED).await,
    ];
    let restored = all_settled(tabs.iter().map(tab_restore).collect()).await;
    assert_eq!(server.refresh_calls(), 1);
    assert!(restored.iter().all(|(ok, v)| *ok && v.as_bool() == Some(true)), "every tab restored");
    for tab in &tabs {
        // The tab's Response belongs to the iframe's realm: read its status as a property.
        assert_eq!(
            num(&JsFuture::from(tab_fetch(tab, "/api/data")).await.unwrap(), "status"),
            200.0
        );
    }
    // A tab opened later restores from its siblings: no call at all.
    let late = open(&server, JsValue::UNDEFINED).await;
    assert_eq!(JsFuture::from(tab_restore(&late)).await.unwrap(), JsValue::TRUE);
    assert_eq!(server.refresh_calls(), 1, "the late tab asked its siblings");
    for tab in tabs.iter().chain([&late]) {
        close_tab(tab);
    }
}

#[wasm_bindgen_test]
async fn logout_reaches_every_tab_within_100_ms_and_releases_their_queues() {
    let server = new_server();
    let page = signed_in(&server, JsValue::UNDEFINED);
    let tabs = [open(&server, JsValue::UNDEFINED).await, open(&server, JsValue::UNDEFINED).await];
    for tab in &tabs {
        // Each new tab restores from the page (it asks; the page answers with its token).
        assert_eq!(JsFuture::from(tab_restore(tab)).await.unwrap(), JsValue::TRUE);
    }
    assert_eq!(server.refresh_calls(), 0);
    // A refresh that hangs in tab 0, with requests queued behind it.
    server.set_refresh_mode("hang");
    server.expire();
    let queued = tab_storm(&tabs[0], "/api/data", 5);
    wait_until(2_000.0, "tab 0 refreshing", || server.refresh_calls() == 1).await;

    let at = now_ms();
    JsFuture::from(page.logout()).await.unwrap();
    wait_until(2_000.0, "every tab signed out", || tabs.iter().all(|t| tab_ends(t).length() == 1))
        .await;
    for tab in &tabs {
        let end = tab_ends(tab).get(0);
        assert_eq!(text(&end, "reason"), "otherTab");
        assert!(num(&end, "at") - at < 100.0, "within 100 ms: {} ms", num(&end, "at") - at);
        assert_eq!(tab_generation(tab), 0.0, "no token held");
    }
    let statuses = JsFuture::from(queued).await.unwrap();
    assert!(Array::from(&statuses).iter().all(|s| s.as_string().as_deref() == Some("LoggedOut")));
    // No token is sent afterwards by any tab.
    let sent_before = server.requests().length();
    for tab in &tabs {
        let _ = JsFuture::from(tab_fetch(tab, "/api/data")).await;
    }
    let after: Vec<JsValue> = server.requests().iter().skip(sent_before as usize).collect();
    assert!(after.iter().all(|r| prop(r, "authorization").is_null()));
    for tab in &tabs {
        close_tab(tab);
    }
    assert_eq!(unhandled_rejections(), 0);
}

#[wasm_bindgen_test]
async fn when_the_tab_holding_the_lock_closes_mid_refresh_another_completes() {
    let server = new_server();
    let page = signed_in(&server, JsValue::UNDEFINED);
    let tab = open(&server, JsValue::UNDEFINED).await;
    assert_eq!(JsFuture::from(tab_restore(&tab)).await.unwrap(), JsValue::TRUE);
    server.set_refresh_mode("hang");
    server.expire();
    let _abandoned = tab_fetch(&tab, "/api/data");
    wait_until(2_000.0, "the tab refreshing", || server.refresh_calls() == 1).await;
    let waiting = fetch(&page, "/api/data");
    settle(50).await;
    assert_eq!(server.refresh_calls(), 1, "the page waits for the lock");
    server.set_refresh_mode("ok");
    close_tab(&tab); // the browser releases its lock
    let response = JsFuture::from(waiting).await.expect("the page refreshes itself");
    assert_eq!(status_of(&response), 200);
    assert_eq!(server.refresh_calls(), 2);
}

#[wasm_bindgen_test]
async fn malformed_messages_change_nothing() {
    let server = new_server();
    let listener = listen_channel(&server.refresh_url());
    let page = signed_in(&server, JsValue::UNDEFINED);
    let generation = num(&stats(&page), "generation");
    let token = server.access_token();
    let bad: Vec<JsValue> = vec![
        r#"{"v":1,"k":"end","s":1,"r":"logout"}"#.into(),
        r#"[1,"end",1,"logout","__proto__"]"#.into(),
        r#"[2,"end",1,"logout"]"#.into(),
        format!(r#"[1,"token",1,"x",1,null,"{token}"]"#).into(),
        format!(r#"[1,"token",1,"{}",null,null]"#, "x".repeat(20_000)).into(),
        r#"[1,"token",1,"has space",null,null]"#.into(),
        "not json".into(),
        js_sys::Object::new().into(),
        Array::of4(&1.into(), &"end".into(), &1.into(), &"logout".into()).into(),
        JsValue::NULL,
        7.into(),
    ];

    for message in &bad {
        channel_post(&listener, message);
    }
    // One sender's messages arrive in order: the answer shows the bad ones were handled.
    channel_post(&listener, &r#"[1,"ask"]"#.into());
    wait_until(1_000.0, "the answer to ask", || channel_texts(&listener).contains("\"token\""))
        .await;
    assert!(page.is_authenticated());
    assert_eq!(num(&stats(&page), "generation"), generation);
    assert_eq!(status_of(&JsFuture::from(fetch(&page, "/api/data")).await.unwrap()), 200);
}

#[wasm_bindgen_test]
async fn without_web_locks_each_tab_single_flights_and_says_so() {
    hide_locks();
    let server = new_server();
    let m = signed_in(&server, JsValue::UNDEFINED);
    restore_locks();
    assert_eq!(text(&stats(&m), "crossTab"), "unavailable");
    server.expire();
    let results = all_settled((0..10).map(|_| fetch(&m, "/api/data")).collect()).await;
    assert!(results.iter().all(|(ok, r)| *ok && status_of(r) == 200));
    assert_eq!(server.refresh_calls(), 1);

    let off = new_server();
    let listener = listen_channel(&off.refresh_url());
    let m = signed_in(&off, obj(&[("crossTab", false.into())]));
    assert_eq!(text(&stats(&m), "crossTab"), "off");
    JsFuture::from(m.logout()).await.unwrap();
    settle(100).await; // an absence: a message would have arrived within this window
    assert_eq!(channel_seen(&listener), 0, "crossTab: false sends nothing");
    let on = signed_in(&new_server(), JsValue::UNDEFINED);
    assert_eq!(text(&stats(&on), "crossTab"), "active");
}

#[wasm_bindgen_test]
async fn a_lock_held_too_long_fails_the_waiting_requests_clearly() {
    let server = new_server();
    let m = signed_in(&server, obj(&[("refreshTimeoutMs", 200.into())]));
    let release = JsFuture::from(hold_lock(&server.refresh_url())).await.unwrap();
    server.expire();
    let started = now_ms();
    let results = all_settled((0..3).map(|_| fetch(&m, "/api/data")).collect()).await;
    let waited = now_ms() - started;
    assert!(all_rejected_with(&results, "RefreshFailed"));
    assert!(text(&results[0].1, "message").contains("crossTab lock"));
    assert!((350.0..3_000.0).contains(&waited), "released after 2 × refreshTimeoutMs: {waited}");
    assert_eq!(server.refresh_calls(), 0);
    assert!(m.is_authenticated(), "the session is kept");
    let release: js_sys::Function = release.into();
    release.call0(&JsValue::NULL).unwrap();
    assert_eq!(status_of(&JsFuture::from(fetch(&m, "/api/data")).await.unwrap()), 200);
}
