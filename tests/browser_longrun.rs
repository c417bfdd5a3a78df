//! A long run in one page: 100,000 requests with 1,000 refreshes and 1,000 aborted requests.
//! Wasm memory stays flat after a warm-up (growth ≤ 64 KiB), every event listener and timer the
//! library added is gone again, and the queue is empty.

#![cfg(target_arch = "wasm32")]

mod browser_support;

use browser_support::*;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/fixtures/counters.js")]
extern "C" {
    #[wasm_bindgen(js_name = installCounters)]
    fn install_counters();
    #[wasm_bindgen(js_name = liveListeners)]
    fn live_listeners() -> i32;
    #[wasm_bindgen(js_name = pendingTimerCount)]
    fn pending_timers() -> u32;
    #[wasm_bindgen(js_name = wasmMemoryBytes)]
    fn wasm_memory_bytes(memory: &JsValue) -> f64;
}

const BATCH: usize = 100;
/// Batches per round: each starts with the token expired at the server (one refresh) and has
/// one request aborted, so a round is 1,000 requests, 10 refreshes and 10 aborts.
const BATCHES_PER_ROUND: usize = 10;

/// One round; returns how many requests were answered 200 and how many were aborted.
async fn round(server: &FakeServer, m: &tokenflight::web::TokenManager) -> (usize, usize) {
    let (mut ok, mut aborted) = (0, 0);
    for _ in 0..BATCHES_PER_ROUND {
        server.expire();
        let controller = web_sys::AbortController::new().unwrap();
        let init = obj(&[("signal", controller.signal().into())]);
        let mut calls: Vec<Promise> = vec![m.fetch("/api/data".into(), init)];
        calls.extend((1..BATCH).map(|_| fetch(m, "/api/data")));
        controller.abort();
        let settled = all_settled(calls).await;
        // Back to the event loop after every batch: a browser stops a script that keeps the
        // microtask queue busy for too long (Firefox's slow-script guard).
        settle(0).await;
        for (fulfilled, value) in settled {
            if fulfilled && status_of(&value) == 200 {
                ok += 1;
            } else if !fulfilled && text(&value, "name") == "AbortError" {
                aborted += 1;
            }
        }
    }
    (ok, aborted)
}

#[wasm_bindgen_test]
async fn a_hundred_thousand_requests_leave_memory_listeners_and_timers_flat() {
    install_counters();
    let server = new_server();
    server.set_record(false);
    let breaker = obj(&[("maxRefreshes", 1000.into()), ("windowSeconds", 1.into())]);
    let m = signed_in(&server, obj(&[("loopBreaker", breaker)]));
    // Warm-up: the allocator and the JS engine reach their working sizes.
    for _ in 0..3 {
        round(&server, &m).await;
    }
    let memory = wasm_bindgen::memory();
    let (memory_before, listeners_before, timers_before) =
        (wasm_memory_bytes(&memory), live_listeners(), pending_timers());
    let refreshes_before = num(&stats(&m), "refreshes");
    // A positive control: the counters see the manager's own page listeners (focus, online,
    // pageshow, visibilitychange) and its renewal timer.
    assert!(listeners_before >= 4 && timers_before >= 1, "{listeners_before} {timers_before}");

    let (mut ok, mut aborted) = (0, 0);
    let started = js_sys::Date::now();
    for _ in 0..100 {
        let (o, a) = round(&server, &m).await;
        ok += o;
        aborted += a;
    }
    let growth = wasm_memory_bytes(&memory) - memory_before;
    let refreshes = num(&stats(&m), "refreshes") - refreshes_before;
    console_log!(
        "FIGURE long-run ms={} requests=100000 ok={ok} aborted={aborted} refreshes={refreshes} wasm_growth_bytes={growth} listeners_before={listeners_before} listeners_after={} timers_before={timers_before} timers_after={}",
        js_sys::Date::now() - started,
        live_listeners(),
        pending_timers()
    );
    assert_eq!(ok + aborted, 100_000, "every request settled as expected");
    assert_eq!(aborted, 1_000);
    assert_eq!(refreshes, 1_000.0);
    assert!(growth <= 65_536.0, "Wasm memory grew by {growth} B");
    assert_eq!(live_listeners(), listeners_before, "event listeners back to their baseline");
    assert_eq!(pending_timers(), timers_before, "timers back to their baseline");
    assert_eq!(num(&stats(&m), "queued"), 0.0);
    assert_eq!(unhandled_rejections(), 0);
}
