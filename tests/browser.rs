//! Browser tests of the glue, in headless Chrome and Firefox (`wasm-pack test`). The network is
//! a JS test double (tests/fixtures/fake_server.js) that answers like a server and counts calls.
//! Every test also checks that no unhandled rejection happened.

#![cfg(target_arch = "wasm32")]

mod browser_support;

use browser_support::*;
use js_sys::{Array, Reflect};
use tokenflight::web::TokenManager;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// ---- single flight ----

#[wasm_bindgen_test]
async fn a_storm_of_n_concurrent_401s_makes_exactly_one_refresh() {
    let before = unhandled_rejections();
    for n in [1usize, 10, 100, 1000] {
        let Storm { server, m, results, .. } = storm("ok", n, JsValue::UNDEFINED).await;
        let ok = results.iter().filter(|(f, r)| *f && status_of(r) == 200).count();
        assert_eq!(ok, n, "every request of the storm succeeds after one refresh");
        assert_eq!(server.refresh_calls(), 1, "N = {n}");
        assert_eq!(num(&stats(&m), "replays") as usize, n);
        assert_eq!(num(&stats(&m), "queued"), 0.0);
        let replays = num(&stats(&m), "replays");
        let refresh_calls = server.refresh_calls();
        console_log!("storm N={n} refresh_calls={refresh_calls} replays={replays} ok={ok}");
    }
    assert_no_unhandled_rejections(before).await;
}

#[wasm_bindgen_test]
async fn a_rejected_refresh_with_1000_queued_ends_the_session_once() {
    let before = unhandled_rejections();
    for (mode, reason) in
        [("reject", "expired"), ("invalid_grant", "expired"), ("revoked", "revoked")]
    {
        let Storm { server, m, results, ends } = storm(mode, 1000, JsValue::UNDEFINED).await;
        assert!(all_rejected_with(&results, "SessionExpired"), "{mode}");
        assert!(results.iter().all(|(_, e)| !text(e, "message").is_empty()));
        assert_eq!(server.refresh_calls(), 1);
        assert_eq!(ends.borrow().len(), 1, "one sessionEnd for {mode}");
        assert_eq!(text(&ends.borrow()[0], "reason"), reason);
        assert!(!m.is_authenticated());
        // Afterwards a 401 is handed back as it is: no refresh, no event.
        let after = JsFuture::from(fetch(&m, "/api/data")).await.unwrap();
        assert_eq!(status_of(&after), 401);
        assert_eq!(server.refresh_calls(), 1);
        assert_eq!(ends.borrow().len(), 1);
    }
    assert_no_unhandled_rejections(before).await;
}

#[wasm_bindgen_test]
async fn a_transient_refresh_failure_keeps_the_session() {
    let before = unhandled_rejections();
    for (mode, status) in [("error503", 503.0), ("network", f64::NAN), ("forbidden", 403.0)] {
        let Storm { server, m, results, ends } = storm(mode, 100, JsValue::UNDEFINED).await;
        assert!(all_rejected_with(&results, "RefreshFailed"), "{mode}");
        if !status.is_nan() {
            assert_eq!(num(&results[0].1, "status"), status);
        }
        assert_eq!(server.refresh_calls(), 1, "no retry loop for {mode}");
        assert!(m.is_authenticated(), "session kept after {mode}");
        assert_eq!(ends.borrow().len(), 0);
    }
    // After the failure clears (Retry-After: 0), the next 401 refreshes and succeeds.
    let server = new_server();
    let m = signed_in(&server, JsValue::UNDEFINED);
    server.set_refresh_mode("error503");
    server.expire();
    let failed = JsFuture::from(fetch(&m, "/api/data")).await;
    assert!(failed.is_err());
    // Retry-After: 0 still waits the shortest backoff (250 ms) for the storm's late 401s.
    recovers_with_a_second_refresh(&server, &m, 300, before).await;
}

/// Once the server's refresh works again (after `wait_ms` of backoff), the next 401 makes the
/// second refresh and the request succeeds; nothing was left unhandled.
async fn recovers_with_a_second_refresh(
    server: &FakeServer,
    m: &TokenManager,
    wait_ms: u32,
    unhandled_before: u32,
) {
    server.set_refresh_mode("ok");
    // Until the backoff ends, a 401 shares the failure without calling the server; then one
    // refreshes. Polled under a deadline rather than slept through.
    let deadline = js_sys::Date::now() + f64::from(wait_ms) + 3_000.0;
    loop {
        match JsFuture::from(fetch(m, "/api/data")).await {
            Ok(r) if status_of(&r) == 200 => break,
            Ok(r) => panic!("unexpected status {}", status_of(&r)),
            Err(e) => assert_eq!(text(&e, "name"), "RefreshFailed", "during the backoff"),
        }
        assert!(js_sys::Date::now() < deadline, "no recovery within the backoff + 3 s");
        settle(20).await;
    }
    assert_eq!(server.refresh_calls(), 2, "no refresh call during the backoff");
    assert_no_unhandled_rejections(unhandled_before).await;
}

#[wasm_bindgen_test]
async fn a_refresh_that_never_answers_is_released_by_the_timeout() {
    let before = unhandled_rejections();
    let server = new_server();
    let m = signed_in(&server, obj(&[("refreshTimeoutMs", 150.into())]));
    server.set_refresh_mode("hang");
    server.expire();
    let started = js_sys::Date::now();
    let results = all_settled((0..50).map(|_| fetch(&m, "/api/data")).collect()).await;
    let elapsed = js_sys::Date::now() - started;
    assert!(results.iter().all(|(f, e)| !f && text(e, "name") == "RefreshFailed"));
    assert!(elapsed < 1150.0, "settled within the timeout plus a second ({elapsed} ms)");
    assert_eq!(num(&stats(&m), "queued"), 0.0);
    // The lock was released: a later call refreshes again (after one second of backoff).
    recovers_with_a_second_refresh(&server, &m, 1100, before).await;
}

#[wasm_bindgen_test]
async fn malformed_refresh_answers_are_invalid_and_store_nothing() {
    let before = unhandled_rejections();
    for mode in ["html", "redirect", "no_token", "huge"] {
        let Storm { server, m, results, .. } = storm(mode, 20, JsValue::UNDEFINED).await;
        let first = text(&results[0].1, "message");
        assert!(all_rejected_with(&results, "InvalidRefreshResponse"), "{mode}: {first}");
        assert_eq!(server.refresh_calls(), 1, "{mode}");
        assert_eq!(num(&stats(&m), "generation"), 1.0, "nothing stored for {mode}");
        assert!(m.is_authenticated(), "the session is kept after {mode}");
    }
    assert_no_unhandled_rejections(before).await;
}

#[wasm_bindgen_test]
async fn a_stale_401_is_replayed_without_a_new_refresh() {
    let server = new_server();
    let m = signed_in(&server, JsValue::UNDEFINED);
    server.expire();
    // The slow request is judged with the old token on arrival; its 401 lands after the refresh.
    let slow = fetch(&m, "/api/slow");
    wait_until("the slow request to reach the server", 2_000, || server.requests().length() == 1)
        .await;
    let fast = JsFuture::from(fetch(&m, "/api/data")).await.unwrap();
    assert_eq!(status_of(&fast), 200);
    assert_eq!(server.refresh_calls(), 1);
    let slow = JsFuture::from(slow).await.unwrap();
    assert_eq!(status_of(&slow), 200);
    assert_eq!(server.refresh_calls(), 1, "the stale 401 reused the newer token");
    assert_eq!(num(&stats(&m), "replays"), 2.0);
}

#[wasm_bindgen_test]
async fn a_request_is_replayed_at_most_once() {
    let server = new_server();
    let m = signed_in(&server, JsValue::UNDEFINED);
    let response = JsFuture::from(fetch(&m, "/api/always401")).await.unwrap();
    assert_eq!(status_of(&response), 401, "the replay's 401 goes to the caller");
    assert_eq!(server.refresh_calls(), 1);
    assert_eq!(server.api_calls(), 2);
}

#[wasm_bindgen_test]
async fn forbidden_and_insufficient_scope_pass_through_without_refresh() {
    let server = new_server();
    let m = signed_in(&server, JsValue::UNDEFINED);
    for (url, status) in [("/api/scope", 403), ("/api/scope401", 401), ("/api/forbidden", 403)] {
        let response = JsFuture::from(fetch(&m, url)).await.unwrap();
        assert_eq!(status_of(&response), status, "{url}");
    }
    assert_eq!(server.refresh_calls(), 0);
    assert_eq!(num(&stats(&m), "replays"), 0.0);
}

#[wasm_bindgen_test]
async fn server_error_codes_map_to_refresh_end_session_or_pass_through() {
    let before = unhandled_rejections();
    let codes = obj(&[
        ("TOKEN_EXPIRED", "refresh".into()),
        ("TOKEN_REVOKED", "endSession".into()),
        ("INVALID_SIGNATURE", "passThrough".into()),
    ]);
    let server = new_server();
    let m = signed_in(&server, obj(&[("errorCodes", codes.clone())]));
    // Passed through: no refresh, and the app can still read the body.
    let response = JsFuture::from(fetch(&m, "/api/badsig")).await.unwrap();
    assert_eq!(status_of(&response), 401);
    let body = JsFuture::from(response.unchecked_ref::<web_sys::Response>().text().unwrap())
        .await
        .unwrap();
    assert!(body.as_string().unwrap().contains("INVALID_SIGNATURE"));
    // Expired: refreshed and replayed.
    server.expire();
    assert_eq!(status_of(&JsFuture::from(fetch(&m, "/api/data")).await.unwrap()), 200);
    assert_eq!(server.refresh_calls(), 1);
    // Revoked: one sessionEnd, every concurrent request rejected, no refresh.
    let (ends, _) = count_events(&m, "sessionEnd");
    let results = all_settled((0..100).map(|_| fetch(&m, "/api/revoked")).collect()).await;
    assert!(all_rejected_with(&results, "SessionExpired"));
    assert!(results.iter().all(|(_, e)| text(e, "reason") == "revoked"));
    assert_eq!(ends.borrow().len(), 1);
    assert_eq!(text(&ends.borrow()[0], "reason"), "revoked");
    assert_eq!(server.refresh_calls(), 1, "revocation never refreshes");
    assert!(!m.is_authenticated());
    let bad = obj(&[("refreshUrl", "/r".into()), ("errorCodes", obj(&[("X", "logout".into())]))]);
    assert_eq!(text(&TokenManager::new(bad).err().unwrap(), "name"), "InvalidOptions");
    assert_no_unhandled_rejections(before).await;
}

// ---- replaying bodies ----

#[wasm_bindgen_test]
async fn request_bodies_are_replayed_byte_identical() {
    for case in body_cases().iter() {
        let name = text(&case, "name");
        let server = new_server();
        let m = signed_in(&server, JsValue::UNDEFINED);
        server.expire();
        let input = match prop(&case, "input") {
            v if v.is_undefined() => JsValue::from_str("/api/data"),
            v => v,
        };
        let response = JsFuture::from(m.fetch(input, prop(&case, "init"))).await.unwrap();
        assert_eq!(status_of(&response), 200, "{name}");
        let api: Vec<JsValue> =
            server.requests().iter().filter(|r| text(r, "url").ends_with("/api/data")).collect();
        assert_eq!(api.len(), 2, "{name}: sent once, replayed once");
        let (first, replay) = (&api[0], &api[1]);
        let first_body =
            js_sys::JSON::stringify(&prop(first, "body")).unwrap().as_string().unwrap();
        let replay_body =
            js_sys::JSON::stringify(&prop(replay, "body")).unwrap().as_string().unwrap();
        assert!(first_body.len() > 2, "{name}: the body was sent");
        assert_eq!(first_body, replay_body, "{name}: replay is byte-identical");
        assert_eq!(text(first, "contentType"), text(replay, "contentType"), "{name}");
        assert_eq!(text(first, "method"), text(replay, "method"), "{name}");
        assert_eq!(text(first, "idempotencyKey"), text(replay, "idempotencyKey"), "{name}");
        assert_ne!(
            text(first, "authorization"),
            text(replay, "authorization"),
            "{name}: only the token changes"
        );
    }
}

#[wasm_bindgen_test]
async fn a_url_input_and_every_request_option_survive_the_replay() {
    let server = new_server();
    let m = signed_in(&server, JsValue::UNDEFINED);
    server.expire();
    let url_ctor: js_sys::Function = prop(&js_sys::global(), "URL").unchecked_into();
    let url =
        Reflect::construct(&url_ctor, &Array::of2(&"/api/data".into(), &page_origin().into()))
            .unwrap();
    let headers = obj(&[("Idempotency-Key", "k-9".into()), ("X-Trace", "t-1".into())]);
    let init = obj(&[
        ("method", "POST".into()),
        ("body", "payload".into()),
        ("cache", "no-store".into()),
        ("keepalive", true.into()),
        ("headers", headers),
    ]);
    let response = JsFuture::from(m.fetch(url, init)).await.unwrap();
    assert_eq!(status_of(&response), 200);
    let sent: Vec<JsValue> = server.requests().iter().collect();
    assert_eq!(sent.len(), 3, "401, refresh, replay");
    let (first, replay) = (&sent[0], &sent[2]);
    for key in ["url", "method", "idempotencyKey", "trace", "cache", "mode", "contentType"] {
        assert_eq!(text(first, key), text(replay, key), "{key} preserved");
    }
    assert_eq!(prop(first, "keepalive").as_bool(), prop(replay, "keepalive").as_bool());
    assert_eq!(text(replay, "idempotencyKey"), "k-9");
    assert_eq!(text(replay, "cache"), "no-store");
    assert_ne!(text(first, "authorization"), text(replay, "authorization"));
}

#[wasm_bindgen_test]
async fn a_stream_body_is_never_replayed() {
    let server = new_server();
    let m = signed_in(&server, JsValue::UNDEFINED);
    server.expire();
    let init =
        obj(&[("method", "POST".into()), ("body", stream_body()), ("duplex", "half".into())]);
    // Browsers that cannot send stream bodies at all (Firefox) reject as window.fetch does.
    let plain = web_sys::Request::new_with_str_and_init("/api/data", init.unchecked_ref());
    let result = JsFuture::from(m.fetch("/api/data".into(), init)).await;
    let error = result.expect_err("a stream body cannot be replayed");
    if plain.is_err() {
        assert_eq!(text(&error, "name"), "TypeError");
        return;
    }
    assert_eq!(text(&error, "name"), "NonReplayableBody");
    assert_eq!(status_of(&prop(&error, "response")), 401);
    assert_eq!(server.refresh_calls(), 1, "the token was renewed for the app's retry");
    assert_eq!(server.api_calls(), 1);
}

// ---- where the token goes ----

#[wasm_bindgen_test]
async fn the_token_goes_only_to_allowed_origins() {
    let server = new_server();
    let m = signed_in(&server, JsValue::UNDEFINED);
    let origin = page_origin();
    let port: u32 = origin.rsplit(':').next().unwrap().parse().unwrap();
    let foreign = [
        format!("http://localhost:{port}/api/data"),
        format!("http://127.0.0.1:{}/api/data", port + 1),
        format!("https://127.0.0.1:{port}/api/data"),
    ];
    for url in &foreign {
        let response = JsFuture::from(fetch(&m, url)).await.unwrap();
        assert_eq!(status_of(&response), 401, "{url} passes through");
    }
    let credentials_in_url =
        JsFuture::from(fetch(&m, &format!("http://user:pw@127.0.0.1:{port}/api/data"))).await;
    assert!(credentials_in_url.is_err(), "fetch refuses URLs with credentials");
    let own = JsFuture::from(fetch(&m, &format!("{origin}/api/data"))).await.unwrap();
    assert_eq!(status_of(&own), 200);
    for r in server.requests().iter() {
        let carries = !prop(&r, "authorization").is_null();
        assert_eq!(
            carries,
            text(&r, "url").starts_with(&format!("{origin}/")),
            "{}",
            text(&r, "url")
        );
    }
    assert_eq!(server.refresh_calls(), 0, "a foreign 401 never refreshes");

    // An explicit list replaces the default.
    let server = new_server();
    let other = format!("http://localhost:{port}");
    let m = signed_in(
        &server,
        obj(&[("allowedOrigins", Array::of1(&format!("{other}/").into()).into())]),
    );
    JsFuture::from(fetch(&m, &format!("{other}/api/data"))).await.unwrap();
    JsFuture::from(fetch(&m, "/api/data")).await.unwrap();
    let sent: Vec<bool> =
        server.requests().iter().map(|r| !prop(&r, "authorization").is_null()).collect();
    assert_eq!(sent, vec![true, false]);
}

#[wasm_bindgen_test]
async fn the_refresh_call_carries_configured_headers_and_never_the_access_token() {
    let server = new_server();
    let headers = obj(&[("X-CSRFToken", "csrf-123".into())]);
    let m = signed_in(&server, obj(&[("refreshHeaders", headers)]));
    server.expire();
    JsFuture::from(fetch(&m, "/api/data")).await.unwrap();
    let refresh: Vec<JsValue> =
        server.requests().iter().filter(|r| text(r, "url").contains("/refresh?")).collect();
    assert_eq!(refresh.len(), 1);
    assert_eq!(text(&refresh[0], "url"), format!("{}{}", page_origin(), server.refresh_url()));
    assert!(prop(&refresh[0], "authorization").is_null());
    assert_eq!(text(&refresh[0], "credentials"), "include");
    assert_eq!(text(&refresh[0], "csrf"), "csrf-123");
    assert_eq!(text(&refresh[0], "method"), "POST");
    assert_eq!(Array::from(&prop(&refresh[0], "body")).length(), 0, "cookie mode sends no body");
}

#[wasm_bindgen_test]
async fn no_token_reaches_storage_cookies_urls_or_the_console() {
    let before = unhandled_rejections();
    let server = new_server();
    let m = manager(&server, JsValue::UNDEFINED);
    let (ends, _) = count_events(&m, "sessionEnd");
    JsFuture::from(m.login(obj(&[("username", "ada".into()), ("password", "pw".into())])))
        .await
        .unwrap();
    assert!(m.is_authenticated());
    server.expire();
    let ok = JsFuture::from(fetch(&m, "/api/data")).await.unwrap();
    assert_eq!(status_of(&ok), 200);
    JsFuture::from(m.logout()).await.unwrap();
    JsFuture::from(m.logout()).await.expect("logout twice never throws");
    assert_eq!(ends.borrow().len(), 1, "one sessionEnd for two logouts");
    assert_eq!(text(&ends.borrow()[0], "reason"), "logout");
    assert!(!m.is_authenticated());
    assert_eq!(server.logout_calls(), 2);
    let after = JsFuture::from(fetch(&m, "/api/data")).await.unwrap();
    assert!(
        prop(&server.requests().pop(), "authorization").is_null(),
        "nothing carries a token after logout"
    );
    assert_eq!(status_of(&after), 401);
    let everywhere = everywhere_a_token_must_not_be(&server);
    for token in server.issued().iter() {
        let token = token.as_string().unwrap();
        assert!(!everywhere.contains(&token), "a token leaked");
    }
    assert_no_unhandled_rejections(before).await;
}

// ---- modes, options, API surface ----

#[wasm_bindgen_test]
async fn body_mode_sends_the_refresh_token_as_json_or_form_and_keeps_rotations() {
    for (format, expected_prefix) in
        [("json", "{\"refresh\":\""), ("form", "grant_type=refresh_token&refresh_token=")]
    {
        let server = new_server();
        let m = manager(
            &server,
            obj(&[("refreshTokenIn", "body".into()), ("refreshBody", format.into())]),
        );
        m.set_tokens(obj(&[
            ("access", server.access_token().into()),
            ("refresh", server.refresh_token().into()),
        ]))
        .unwrap();
        let first_refresh = server.refresh_token();
        server.expire();
        JsFuture::from(fetch(&m, "/api/data")).await.unwrap();
        let rotated = server.refresh_token();
        server.expire();
        JsFuture::from(fetch(&m, "/api/data")).await.unwrap();
        let bodies: Vec<String> =
            server.refresh_bodies().iter().map(|b| b.as_string().unwrap()).collect();
        assert_eq!(bodies.len(), 2);
        assert!(
            bodies[0].starts_with(expected_prefix) && bodies[0].contains(&first_refresh),
            "{format}: {}",
            bodies[0].len()
        );
        assert!(bodies[1].contains(&rotated), "{format}: the rotated refresh token is used next");
        let refresh: Vec<JsValue> =
            server.requests().iter().filter(|r| text(r, "url").contains("/refresh?")).collect();
        assert_eq!(text(&refresh[0], "credentials"), "same-origin");
    }
}

#[wasm_bindgen_test]
async fn bad_options_fail_at_once_naming_the_option() {
    let server = new_server();
    let cases = [
        (obj(&[]), "refreshUrl"),
        (
            obj(&[("refreshUrl", "/r".into()), ("refreshTokenIn", "localStorage".into())]),
            "refreshTokenIn",
        ),
        (
            obj(&[
                ("refreshUrl", "/r".into()),
                ("allowedOrigins", Array::of1(&"not a url".into()).into()),
            ]),
            "allowedOrigins",
        ),
        (
            obj(&[
                ("refreshUrl", "/r".into()),
                ("allowedOrigins", Array::of1(&"https://api.example.com/v1".into()).into()),
            ]),
            "allowedOrigins",
        ),
        (obj(&[("refreshUrl", "/r".into()), ("refreshURL", "/x".into())]), "refreshURL"),
        (
            obj(&[("refreshUrl", "/r".into()), ("refreshTimeoutMs", (-1).into())]),
            "refreshTimeoutMs",
        ),
        (obj(&[("refreshUrl", "/r".into()), ("fetch", "no".into())]), "fetch"),
        (JsValue::UNDEFINED, "options"),
    ];
    for (options, named) in cases {
        refused_naming(options, named);
    }
    let _ = server;
}

/// Asserts that `TokenManager::new(options)` fails at once with `InvalidOptions` naming the
/// option `named`; returns the message.
fn refused_naming(options: JsValue, named: &str) -> String {
    let error = TokenManager::new(options).err().expect("must fail");
    assert_eq!(text(&error, "name"), "InvalidOptions");
    let message = text(&error, "message");
    assert!(message.contains(&format!("`{named}`")), "{message}");
    message
}

#[wasm_bindgen_test]
fn an_array_is_refused_where_an_object_is_expected() {
    // `["refresh"]` has the entries `0: "refresh"`: it must not pass for a map.
    let array = || JsValue::from(Array::of1(&"refresh".into()));
    let with = |name: &str, value: JsValue| obj(&[("refreshUrl", "/r".into()), (name, value)]);
    let breaker = |key: &str, n: i32| with("loopBreaker", obj(&[(key, n.into())]));
    let cases = [
        (array(), "options", "must be an object"),
        (with("errorCodes", array()), "errorCodes", "must map error codes"),
        (with("refreshParams", array()), "refreshParams", "must be an object"),
        (with("loopBreaker", array()), "loopBreaker", "maxRefreshes"),
        // The loop breaker's own errors name the option a person wrote, with its allowed ranges.
        (breaker("maxRefreshes", 0), "loopBreaker", "from 1 to 1000"),
        (breaker("windowSeconds", 7200), "loopBreaker", "from 1 to 3600"),
        (breaker("maxRefresh", 3), "loopBreaker", "maxRefreshes"),
    ];
    for (options, named, says) in cases {
        let message = refused_naming(options, named);
        assert!(message.contains(says), "{message}");
    }
}

#[wasm_bindgen_test]
async fn concurrent_get_access_token_shares_one_refresh() {
    let server = new_server();
    let m = manager(&server, JsValue::UNDEFINED); // no token yet: cookie mode restores silently
    let results =
        all_settled((0..1000).map(|_| m.get_access_token(JsValue::UNDEFINED)).collect()).await;
    assert_eq!(server.refresh_calls(), 1);
    let token = server.access_token();
    assert!(results.iter().all(|(f, t)| *f && t.as_string().as_deref() == Some(token.as_str())));
    JsFuture::from(m.logout()).await.unwrap();
    let after = JsFuture::from(m.get_access_token(JsValue::UNDEFINED)).await.unwrap();
    assert!(after.is_null(), "null when signed out");
}

#[wasm_bindgen_test]
async fn restore_answers_whether_a_session_exists() {
    let server = new_server();
    let m = manager(&server, JsValue::UNDEFINED);
    let restored = JsFuture::from(m.restore()).await.unwrap();
    assert_eq!(restored, JsValue::TRUE);
    assert!(m.is_authenticated());
    let server = new_server();
    server.set_refresh_mode("reject");
    let m = manager(&server, JsValue::UNDEFINED);
    let (ends, _) = count_events(&m, "sessionEnd");
    assert_eq!(JsFuture::from(m.restore()).await.unwrap(), JsValue::FALSE);
    assert_eq!(ends.borrow().len(), 0, "no session existed, so none ended");
}

#[wasm_bindgen_test]
async fn logout_during_a_refresh_rejects_the_queue_and_resurrects_nothing() {
    let before = unhandled_rejections();
    let server = new_server();
    let m = signed_in(&server, JsValue::UNDEFINED);
    server.set_refresh_delay_ms(100);
    server.expire();
    // Observe the app's promises from the start, as an app awaiting them would.
    let pending = all_settled((0..10).map(|_| fetch(&m, "/api/data")).collect());
    wait_until("the refresh to start", 2_000, || server.refresh_calls() == 1).await;
    JsFuture::from(m.logout()).await.unwrap();
    let results = pending.await;
    assert!(results.iter().all(|(f, e)| !f && text(e, "name") == "LoggedOut"));
    wait_until("the late refresh answer", 2_000, || server.refresh_answers() == 1).await;
    settle(50).await; // a window in which nothing may resurrect the session
    assert!(!m.is_authenticated(), "the late refresh answer was discarded");
    assert_no_unhandled_rejections(before).await;
}

#[wasm_bindgen_test]
async fn claims_are_decoded_for_display_only() {
    let server = new_server();
    let m = manager(&server, JsValue::UNDEFINED);
    assert!(m.claims().is_null());
    // header {"alg":"HS256"} . payload {"sub":"42","name":"<b>Zoë</b>","__proto__":{"admin":true}}
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiIsIm5hbWUiOiI8Yj5ab8OrPC9iPiIsIl9fcHJvdG9fXyI6eyJhZG1pbiI6dHJ1ZX19.c2ln";
    m.set_tokens(obj(&[("access", jwt.into())])).unwrap();
    let claims = m.claims();
    assert_eq!(text(&claims, "sub"), "42");
    assert_eq!(text(&claims, "name"), "<b>Zoë</b>");
    assert!(prop(&claims, "admin").is_undefined(), "__proto__ stays a plain key");
    m.set_tokens(obj(&[("access", "opaque-token".into())])).unwrap();
    assert!(m.claims().is_null());
    assert!(m.is_authenticated(), "an opaque token works");
    let id = "eyJhbGciOiJIUzI1NiJ9.eyJuYW1lIjoiQWRhIn0.c2ln"; // {"name":"Ada"}
    m.set_tokens(obj(&[("access", "opaque-token".into()), ("idToken", id.into())])).unwrap();
    assert_eq!(text(&m.claims(), "name"), "Ada");
}

#[wasm_bindgen_test]
async fn events_fire_once_each_and_unsubscribe_works() {
    let server = new_server();
    let m = signed_in(&server, JsValue::UNDEFINED);
    let (refreshes, off) = count_events(&m, "refresh");
    let (changes, _) = count_events(&m, "tokenChange");
    server.expire();
    all_settled((0..50).map(|_| fetch(&m, "/api/data")).collect()).await;
    assert_eq!(refreshes.borrow().len(), 1);
    assert_eq!(changes.borrow().len(), 1);
    off.unchecked_ref::<js_sys::Function>().call0(&JsValue::UNDEFINED).unwrap();
    server.expire();
    JsFuture::from(fetch(&m, "/api/data")).await.unwrap();
    assert_eq!(refreshes.borrow().len(), 1, "unsubscribed");
    assert_eq!(changes.borrow().len(), 2);
    let noop = Closure::<dyn FnMut()>::new(|| {}).into_js_value();
    assert!(m.on("bogus".into(), noop).is_err());
    let throwing =
        Closure::<dyn FnMut()>::new(|| wasm_bindgen::throw_str("listener bug")).into_js_value();
    m.on("refresh".into(), throwing).unwrap();
    server.expire();
    let ok = JsFuture::from(fetch(&m, "/api/data")).await.unwrap();
    assert_eq!(status_of(&ok), 200, "a throwing listener does not break the library");
}

#[wasm_bindgen_test]
async fn listeners_run_in_order_as_dom_listeners_do() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let server = new_server();
    let m = Rc::new(manager(&server, JsValue::UNDEFINED));
    let log = Rc::new(RefCell::new(Vec::<&str>::new()));
    let listener = |name: &'static str| {
        let log = Rc::clone(&log);
        Closure::<dyn FnMut(JsValue)>::new(move |_| log.borrow_mut().push(name)).into_js_value()
    };
    // The first listener unsubscribes the third before its turn and subscribes a fourth.
    let third_off = Rc::new(RefCell::new(JsValue::UNDEFINED));
    let (first_log, first_off, first_m) = (Rc::clone(&log), Rc::clone(&third_off), Rc::clone(&m));
    let fourth = listener("fourth");
    let first = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        first_log.borrow_mut().push("first");
        if let Ok(off) = first_off.borrow().clone().dyn_into::<js_sys::Function>() {
            off.call0(&JsValue::UNDEFINED).unwrap();
        }
        first_m.on("tokenChange".into(), fourth.clone()).unwrap();
    })
    .into_js_value();
    m.on("tokenChange".into(), first).unwrap();
    m.on("tokenChange".into(), listener("second")).unwrap();
    *third_off.borrow_mut() = m.on("tokenChange".into(), listener("third")).unwrap();
    m.set_tokens(obj(&[("access", "a1".into())])).unwrap();
    settle(20).await;
    assert_eq!(
        *log.borrow(),
        ["first", "second"],
        "the removed one is not called, the added one waits"
    );
    log.borrow_mut().clear();
    *third_off.borrow_mut() = JsValue::UNDEFINED;
    m.set_tokens(obj(&[("access", "a2".into())])).unwrap();
    settle(20).await;
    assert_eq!(*log.borrow(), ["first", "second", "fourth"]);
}

// ---- where relative URLs go, and requests that are the caller's own ----

#[wasm_bindgen(inline_js = r#"
export function addBase(href) {
  const b = document.createElement("base");
  b.href = href;
  document.head.append(b);
  return b;
}
export function classInit() {
  return new (class {
    get method() { return "PUT"; }
    get body() { return "from a getter"; }
    get headers() { return { "x-trace": "t-7" }; }
  })();
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = addBase)]
    fn add_base(href: &str) -> JsValue;
    #[wasm_bindgen(js_name = classInit)]
    fn class_init() -> JsValue;
}

#[wasm_bindgen_test]
async fn relative_urls_that_name_another_host_never_carry_the_token() {
    let server = new_server();
    let m = signed_in(&server, JsValue::UNDEFINED);
    let port: u32 = page_origin().rsplit(':').next().unwrap().parse().unwrap();
    let other = format!("localhost:{port}");
    // Each resolves against the page to `other`: the URL parser drops tabs and newlines and
    // reads `\` as `/` for http(s).
    for url in [
        format!("//{other}/api/data"),
        format!("/\\{other}/api/data"),
        format!("/\t/{other}/api/data"),
        format!("/\n/{other}/api/data"),
        format!("\\\\{other}/api/data"),
        format!(" //{other}/api/data"),
    ] {
        let response = JsFuture::from(fetch(&m, &url)).await.unwrap();
        assert_eq!(status_of(&response), 401, "{url:?} passes through");
    }
    // A <base> element elsewhere moves every relative URL there.
    let base = add_base(&format!("http://{other}/"));
    let response = JsFuture::from(fetch(&m, "/api/data")).await;
    let remove: js_sys::Function = prop(&base, "remove").unchecked_into();
    remove.call0(&base).unwrap();
    assert_eq!(status_of(&response.unwrap()), 401, "under a foreign <base>: passes through");
    let sent: Vec<JsValue> = server.requests().iter().collect();
    assert_eq!(sent.len(), 7);
    for r in &sent {
        assert!(text(r, "url").starts_with(&format!("http://{other}/")), "{}", text(r, "url"));
        assert!(prop(r, "authorization").is_null(), "{}: no token", text(r, "url"));
    }
    assert_eq!(server.refresh_calls(), 0, "a foreign 401 never refreshes");
    let own = JsFuture::from(fetch(&m, "/api/data")).await.unwrap();
    assert_eq!(status_of(&own), 200, "the base removed, the page's own path gets the token");
}

#[wasm_bindgen_test]
async fn a_callers_authorization_and_no_cors_pass_through_untouched() {
    let server = new_server();
    let m = signed_in(&server, JsValue::UNDEFINED);
    let record = obj(&[("Authorization", "Basic YWRhOmxvdmVsYWNl".into())]);
    let pairs = Array::of1(&Array::of2(&"authorization".into(), &"Basic cGFpcnM=".into()));
    let instance = web_sys::Headers::new().unwrap();
    instance.set("AUTHORIZATION", "Basic aW5zdGFuY2U=").unwrap();
    for headers in [record, pairs.into(), instance.into()] {
        let init = obj(&[("headers", headers)]);
        let response = JsFuture::from(m.fetch("/api/data".into(), init)).await.unwrap();
        assert_eq!(status_of(&response), 401, "the caller's own credentials: its 401 as it is");
    }
    let no_cors = obj(&[("mode", "no-cors".into())]);
    JsFuture::from(m.fetch("/api/data".into(), no_cors)).await.unwrap();
    let sent: Vec<String> = server
        .requests()
        .iter()
        .map(|r| prop(&r, "authorization").as_string().unwrap_or_default())
        .collect();
    assert_eq!(
        sent,
        vec!["Basic YWRhOmxvdmVsYWNl", "Basic cGFpcnM=", "Basic aW5zdGFuY2U=", ""],
        "sent exactly as the caller made them"
    );
    assert_eq!(server.refresh_calls(), 0);
}

#[wasm_bindgen_test]
async fn an_init_that_is_not_a_plain_object_is_read_as_fetch_reads_it() {
    // A class instance's getters live on its prototype: fetch reads them, and so must we.
    let server = new_server();
    let m = signed_in(&server, JsValue::UNDEFINED);
    server.expire();
    let init = class_init();
    let response = JsFuture::from(m.fetch("/api/data".into(), init)).await.unwrap();
    assert_eq!(status_of(&response), 200);
    let api: Vec<JsValue> =
        server.requests().iter().filter(|r| text(r, "url").ends_with("/api/data")).collect();
    assert_eq!(api.len(), 2, "sent once, replayed once");
    for r in &api {
        assert_eq!(text(r, "method"), "PUT");
        assert_eq!(text(r, "trace"), "t-7");
        let body: Vec<u8> =
            Array::from(&prop(r, "body")).iter().map(|b| b.as_f64().unwrap() as u8).collect();
        assert_eq!(body, b"from a getter");
    }
}
