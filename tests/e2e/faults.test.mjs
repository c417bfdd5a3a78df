// Each fault the server can inject leads to the outcome the refresh-endpoint section of docs/reliability.md prescribes, and every
// call settles within the refresh timeout plus a second.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, managerOptions, login, serverAndBrowser, expectReuse, waitFor } from "./harness.mjs";

const TIMEOUT_MS = 2000; // managerOptions' refreshTimeoutMs
const FIRST_BACKOFF_MS = 1000; // README: after a failed refresh, "1 s doubling up to 60 s"
let server, browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

/** Sends one request at a time until one settles as `wanted` says (the backoff ends), under a
 * deadline; every earlier one must have shared the failure (RefreshFailed). */
async function untilSettledAs(tab, wanted, what, n = 1) {
  return waitFor(what, async () => {
    const outcomes = await tab.eval((count) => window.storm(count), n);
    if (outcomes.every(wanted)) return outcomes;
    assert.ok(outcomes.every((r) => r.error === "RefreshFailed"), JSON.stringify(outcomes));
    return null;
  }, 4000, 50);
}

async function stormUnderFault(fault, n = 20) {
  await server.post("/__test/reset");
  const tab = await openPage(browser, server, managerOptions("cookie"));
  await login(tab);
  await server.faults(fault);
  await server.post("/__test/expire-access");
  const started = Date.now();
  const results = await tab.eval((count) => window.storm(count), n);
  const elapsed = Date.now() - started;
  await server.faults({ refresh: "none" });
  assert.ok(elapsed < TIMEOUT_MS + 1000, `settled in ${elapsed} ms`);
  return { tab, results };
}

test("latency: the storm waits for the one slow refresh, then succeeds", async () => {
  const { tab, results } = await stormUnderFault({ refresh: "latency", latency_ms: 800 });
  assert.ok(results.every((r) => r.status === 200));
  assert.equal((await server.counters()).refresh_calls, 1);
  await tab.assertClean();
  await tab.close();
});

for (const [kind, status] of [["error500", 500], ["error503", 503]]) {
  test(`${kind}: RefreshFailed with status ${status}, session kept, a later call recovers`, async () => {
    const { tab, results } = await stormUnderFault({ refresh: kind });
    assert.ok(results.every((r) => r.error === "RefreshFailed"), JSON.stringify(results[0]));
    assert.equal((await server.counters()).refresh_calls, 1, "no retry storm");
    assert.equal(await tab.eval(() => window.auth.isAuthenticated), true);
    await untilSettledAs(tab, (r) => r.status === 200, "a request to succeed after the backoff");
    assert.equal((await server.counters()).refresh_calls, 2, "one more refresh, after the backoff");
    assert.equal((await server.counters()).reuse_detections, 0);
    await tab.assertClean();
    await tab.close();
  });
}

test("html instead of JSON: InvalidRefreshResponse, nothing stored, no loop", async () => {
  const { tab, results } = await stormUnderFault({ refresh: "html" });
  assert.ok(results.every((r) => r.error === "InvalidRefreshResponse"), JSON.stringify(results[0]));
  assert.equal((await server.counters()).refresh_calls, 1);
  assert.equal((await tab.eval(() => window.auth.stats())).generation, 1);
  await tab.assertClean();
  await tab.close();
});

test("refresh never answering: released by the timeout, the lock is free afterwards", async () => {
  const { tab, results } = await stormUnderFault({ refresh: "hang" });
  assert.ok(results.every((r) => r.error === "RefreshFailed"), JSON.stringify(results[0]));
  assert.equal(await tab.eval(() => window.auth.stats().queued), 0);
  await untilSettledAs(tab, (r) => r.status === 200, "a later call to refresh again");
  await tab.assertClean();
  await tab.close();
});

test("response lost after rotation: the next refresh is rejected, the session ends once, no loop", async () => {
  expectReuse(); // the lost response leaves the browser with the rotated-out cookie
  const { tab, results } = await stormUnderFault({ refresh: "drop_after_rotation", times: 1 });
  // The failure was recorded before the storm settled, so its backoff (1 s after a first
  // failure) is over by this deadline. Polling with storms instead could send one across the
  // backoff's end: its 401s answered before the end share the failure, the later ones start the
  // next refresh (per 401, as documented), and that storm's outcomes would be mixed.
  const backoffOver = Date.now() + FIRST_BACKOFF_MS + 50;
  assert.ok(results.every((r) => r.error === "RefreshFailed"), JSON.stringify(results[0]));
  await new Promise((r) => setTimeout(r, Math.max(0, backoffOver - Date.now())));
  // After the backoff, a storm of 5: its one refresh is rejected, all 5 end SessionExpired.
  const after = await tab.eval(() => window.storm(5));
  assert.ok(after.every((r) => r.error === "SessionExpired"), JSON.stringify(after));
  assert.equal((await tab.events("sessionEnd")).length, 1);
  const counters = await server.counters();
  // The lost response left the browser with the rotated-out cookie: presenting it is the reuse
  // the server must flag (the one case where reuse is expected), and it happens exactly once.
  assert.equal(counters.refresh_calls, 2);
  assert.equal(counters.reuse_detections, 1);
  await tab.assertClean();
  await tab.close();
});
