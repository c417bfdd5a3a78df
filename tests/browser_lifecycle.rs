//! Browser tests of the session lifecycle: the renewal timer, page events after sleep, abort,
//! the loop breaker, the `shouldRefresh` hook, and the memory wipe on logout.

#![cfg(target_arch = "wasm32")]

mod browser_support;

use browser_support::*;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn the_timer_renews_before_expiry_without_any_request() {
    let server = new_server();
    let m = manager(&server, JsValue::UNDEFINED);
    m.set_tokens(tokens_from_js(&server, 0.6)).unwrap(); // a 0.6 s token: renewed at ~0.4 s
    let (changes, _) = count_events(&m, "tokenChange");
    settle(150).await;
    assert_eq!(server.refresh_calls(), 0, "not before the margin");
    // Browsers may run timers late (headless Firefox throttles them): wait up to 3 s.
    wait_until("the proactive renewal", 3_000, || server.refresh_calls() >= 1).await;
    wait_until("its tokenChange", 1_000, || changes.borrow().len() == 1).await;
    assert_eq!(server.refresh_calls(), 1, "renewed proactively");
    assert_eq!(server.api_calls(), 0, "no request was needed");
    assert_eq!(changes.borrow().len(), 1, "tokenChange tells sockets to reconnect");
    // The server's tokens live 300 s: the next renewal is far away.
    settle(400).await;
    assert_eq!(server.refresh_calls(), 1);
    assert_eq!(status_of(&JsFuture::from(fetch(&m, "/api/data")).await.unwrap()), 200);
}

#[wasm_bindgen_test]
async fn after_sleep_the_page_events_renew_once() {
    let server = new_server();
    let m = manager(&server, JsValue::UNDEFINED);
    m.set_tokens(tokens_from_js(&server, 300.0)).unwrap();
    fire_page_events();
    settle(50).await;
    assert_eq!(server.refresh_calls(), 0, "nothing due: the events change nothing");
    // An hour of sleep: timers have not run, the clock moved on; then everything fires at once.
    shift_clock(3_600_000.0);
    fire_page_events();
    fire_page_events();
    wait_until("the renewal's token", 2_000, || num(&stats(&m), "generation") == 2.0).await;
    settle(50).await; // a window in which a burst would show
    reset_clock();
    assert_eq!(server.refresh_calls(), 1, "one check, not a burst");
}

#[wasm_bindgen_test]
async fn a_request_after_sleep_renews_first_instead_of_meeting_a_401() {
    let server = new_server();
    let m = manager(&server, JsValue::UNDEFINED);
    m.set_tokens(tokens_from_js(&server, 300.0)).unwrap();
    server.expire(); // the server agrees the token is old
    shift_clock(3_600_000.0);
    let results = all_settled((0..20).map(|_| fetch(&m, "/api/data")).collect()).await;
    reset_clock();
    assert!(results.iter().all(|(f, r)| *f && status_of(r) == 200));
    assert_eq!(server.refresh_calls(), 1);
    assert_eq!(num(&stats(&m), "replays"), 0.0, "no request was sent with the stale token");
}

#[wasm_bindgen_test]
async fn aborting_a_queued_request_rejects_only_it_and_the_refresh_completes() {
    let before = unhandled_rejections();
    let server = new_server();
    let m = signed_in(&server, JsValue::UNDEFINED);
    server.set_refresh_delay_ms(300);
    server.expire();
    let controller = web_sys::AbortController::new().unwrap();
    let init = obj(&[("signal", controller.signal().into())]);
    let started = js_sys::Date::now();
    let aborted = JsFuture::from(m.fetch("/api/data".into(), init));
    let others = all_settled((0..5).map(|_| fetch(&m, "/api/data")).collect());
    wait_until("the requests to queue behind the refresh", 2_000, || {
        server.refresh_calls() == 1 && num(&stats(&m), "queued") >= 6.0
    })
    .await;
    controller.abort();
    let error = aborted.await.expect_err("aborted");
    assert_eq!(text(&error, "name"), "AbortError");
    assert!(js_sys::Date::now() - started < 250.0, "rejected at once, not after the refresh");
    let others = others.await;
    assert!(others.iter().all(|(f, r)| *f && status_of(r) == 200), "the others proceed");
    assert_eq!(server.refresh_calls(), 1, "the refresh was not abandoned");
    assert_no_unhandled_rejections(before).await;
}

#[wasm_bindgen_test]
async fn the_loop_breaker_stops_a_refresh_loop() {
    let server = new_server();
    let breaker = obj(&[("maxRefreshes", 3.into()), ("windowSeconds", 30.into())]);
    let m = signed_in(&server, obj(&[("loopBreaker", breaker)]));
    // A server that rejects every token it issues.
    for _ in 0..3 {
        let r = JsFuture::from(fetch(&m, "/api/always401")).await.unwrap();
        assert_eq!(status_of(&r), 401);
    }
    let results = all_settled((0..3).map(|_| fetch(&m, "/api/always401")).collect()).await;
    assert_eq!(server.refresh_calls(), 3, "a fourth refresh within 30 s is refused");
    assert!(all_rejected_with(&results, "TooManyRefreshes"), "{}", text(&results[0].1, "message"));
    assert!(text(&results[0].1, "message").contains("paused"));
}

#[wasm_bindgen_test]
async fn the_should_refresh_hook_decides_for_undeclared_401s() {
    for (answer, refreshes, status) in [(false, 0, 401), (true, 1, 401)] {
        let server = new_server();
        // What the hook saw is recorded and asserted outside it: a panic inside the hook would
        // be a throwing hook, which the library deliberately treats as "no decision".
        let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let record = seen.clone();
        let hook = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |response: JsValue| {
            record.borrow_mut().push(response.is_instance_of::<web_sys::Response>());
            let answer = JsValue::from_bool(answer);
            Promise::resolve(&answer).into()
        })
        .into_js_value();
        let m = signed_in(&server, obj(&[("shouldRefresh", hook)]));
        let response = JsFuture::from(fetch(&m, "/api/custom401")).await.unwrap();
        assert_eq!(status_of(&response), status);
        assert_eq!(server.refresh_calls(), refreshes, "hook answered {answer}");
        assert!(!seen.borrow().is_empty(), "the hook was asked");
        assert!(seen.borrow().iter().all(|&r| r), "the hook was given a Response");
        let body = JsFuture::from(response.unchecked_ref::<web_sys::Response>().text().unwrap())
            .await
            .unwrap();
        assert!(body.as_string().unwrap().contains("custom"), "the app can still read the body");
    }
}

#[wasm_bindgen_test]
async fn logout_leaves_no_token_bytes_in_wasm_memory() {
    let server = new_server();
    let m = manager(&server, JsValue::UNDEFINED);
    JsFuture::from(m.login(obj(&[("username", "ada".into()), ("password", "pw".into())])))
        .await
        .unwrap();
    server.expire();
    assert_eq!(status_of(&JsFuture::from(fetch(&m, "/api/data")).await.unwrap()), 200);
    logout_leaves_no_token_bytes(&server, &m).await;
}

#[wasm_bindgen_test]
async fn a_renewal_that_failed_transiently_is_retried_when_the_backoff_ends() {
    let server = new_server();
    let m = manager(&server, JsValue::UNDEFINED);
    server.set_refresh_mode("error503"); // Retry-After: 0 → the shortest backoff, 250 ms
    m.set_tokens(tokens_from_js(&server, 0.6)).unwrap(); // renewed at ~0.4 s
    wait_until("the proactive renewal", 3_000, || server.refresh_calls() == 1).await;
    server.set_refresh_mode("ok");
    // No request, no page event: the timer alone retries once the backoff ends.
    wait_until("the retry's token", 3_000, || num(&stats(&m), "generation") == 2.0).await;
    assert_eq!(server.refresh_calls(), 2);
    assert_eq!(server.api_calls(), 0, "no request was needed");
    assert_eq!(num(&stats(&m), "refreshFailures"), 1.0);
}

#[wasm_bindgen_test]
async fn renewal_retries_stop_at_the_loop_breaker() {
    let server = new_server();
    let breaker = obj(&[("maxRefreshes", 3.into()), ("windowSeconds", 30.into())]);
    let m = manager(&server, obj(&[("loopBreaker", breaker)]));
    server.set_refresh_mode("error503");
    m.set_tokens(tokens_from_js(&server, 0.6)).unwrap();
    wait_until("three attempts", 5_000, || server.refresh_calls() == 3).await;
    settle(1_500).await; // a window in which a fourth attempt would show (backoff is 250 ms)
    assert_eq!(server.refresh_calls(), 3, "the breaker stops the retries");
    assert!(m.is_authenticated(), "transient failures keep the session");
}
