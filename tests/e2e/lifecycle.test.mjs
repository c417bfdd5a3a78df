// The session lifecycle against the reference server with 3 s access tokens: proactive renewal
// makes short lifetimes invisible (no 401 reaches the server), sleep and clock skew cause neither
// storms nor logouts. Prints the figures the README reports (lines starting with FIGURE).
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, managerOptions, login, serverAndBrowser } from "./harness.mjs";
import { pauseClockSoon } from "./browser.mjs";

const TTL_S = 3;
let server, browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]), ["--access-ttl", String(TTL_S)]);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test("idle across five lifetimes, then a burst: zero 401s at the server", async () => {
  await server.post("/__test/reset");
  const tab = await openPage(browser, server, managerOptions("cookie"));
  await login(tab);
  await sleep(5 * TTL_S * 1000);
  const results = await tab.eval(() => window.storm(50));
  const counters = await server.counters();
  assert.ok(results.every((r) => r.status === 200));
  assert.equal(counters.api_401s, 0, "short tokens are invisible");
  assert.equal(counters.reuse_detections, 0);
  // Each token is renewed once, at two thirds of its life (margin adapted from 30 s to 1 s).
  assert.ok(counters.refresh_calls >= 6 && counters.refresh_calls <= 9, `refreshes: ${counters.refresh_calls}`);
  await tab.assertClean();
  await tab.close();
});

test("active use: requests every 100 ms for ten lifetimes meet no 401", async () => {
  await server.post("/__test/reset");
  const tab = await openPage(browser, server, managerOptions("cookie"));
  await login(tab);
  const seconds = 10 * TTL_S;
  const statuses = await tab.eval(async (ms) => {
    const seen = [];
    const end = Date.now() + ms;
    while (Date.now() < end) {
      seen.push((await window.auth.fetch("/api/data")).status);
      await new Promise((r) => setTimeout(r, 100));
    }
    return seen;
  }, seconds * 1000);
  const counters = await server.counters();
  const tokens = counters.refresh_calls + 1; // the login's token and each refreshed one
  console.log(`FIGURE active-use ttl=${TTL_S}s duration=${seconds}s requests=${statuses.length} api_401s=${counters.api_401s} refreshes=${counters.refresh_calls} lifetimes=${(seconds / TTL_S).toFixed(1)} refreshes_per_lifetime=${(counters.refresh_calls / (seconds / TTL_S)).toFixed(2)} refreshes_per_token=${(counters.refresh_calls / tokens).toFixed(2)}`);
  assert.ok(statuses.every((s) => s === 200));
  assert.equal(counters.api_401s, 0);
  assert.equal(counters.reuse_detections, 0);
  await tab.assertClean();
  await tab.close();
});

test("after a laptop sleep of several lifetimes, waking renews once", async () => {
  await server.post("/__test/reset");
  const tab = await openPage(browser, server, managerOptions("cookie"), { fakeClock: true });
  await login(tab);
  const before = (await server.counters()).refresh_calls;
  // Lid closed: page time and timers stop while real time (and the server's) runs on.
  await pauseClockSoon(tab.page.clock, () => tab.eval(() => Date.now()));
  await sleep(3 * TTL_S * 1000);
  assert.equal((await server.counters()).refresh_calls, before, "nothing ran during the sleep");
  // Lid opened: the clock jumps, due timers fire once, the page becomes visible.
  const generation = await tab.eval(() => window.auth.stats().generation);
  const woke = Date.now();
  await tab.page.clock.fastForward(3 * TTL_S * 1000);
  await tab.page.clock.resume();
  await tab.eval(() => document.dispatchEvent(new Event("visibilitychange")));
  await tab.eval(async (g) => {
    const end = performance.now() + 10_000;
    while (window.auth.stats().generation === g) {
      if (performance.now() > end) throw new Error("no fresh token within 10 s of waking");
      await new Promise((r) => setTimeout(r, 2));
    }
  }, generation);
  const ms = Date.now() - woke;
  const counters = await server.counters();
  console.log(`FIGURE wake-to-fresh-token ms=${ms} refreshes_on_wake=${counters.refresh_calls - before}`);
  assert.equal(counters.refresh_calls - before, 1, "one renewal, not a burst");
  const results = await tab.eval(() => window.storm(20));
  assert.ok(results.every((r) => r.status === 200));
  assert.equal((await server.counters()).api_401s, 0, "no request went out with the stale token");
  await tab.assertClean();
  await tab.close();
});

for (const [label, skewMs] of [["a day ahead", 86_400_000], ["an hour behind", -3_600_000]]) {
  test(`a client clock ${label}: no refresh storm, no logout`, async () => {
    await server.post("/__test/reset");
    const tab = await openPage(browser, server, managerOptions("cookie"), { clockSkewMs: skewMs });
    await login(tab);
    await sleep(3 * TTL_S * 1000);
    const results = await tab.eval(() => window.storm(20));
    const counters = await server.counters();
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(counters.api_401s, 0);
    assert.ok(counters.refresh_calls <= 6, `no storm: ${counters.refresh_calls} refreshes in 3 lifetimes`);
    assert.deepEqual(await tab.events("sessionEnd"), []);
    await tab.assertClean();
    await tab.close();
  });
}
