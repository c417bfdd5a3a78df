// Cross-tab coordination against the reference server (refresh-token rotation with reuse
// detection): tabs are pages of one Chromium context, sharing the refresh cookie, Web Locks and
// BroadcastChannels. Prints the figures the README reports (lines starting with FIGURE).
import { test } from "node:test";
import assert from "node:assert/strict";
import { openTabs, managerOptions, login, serverAndBrowser } from "./harness.mjs";

const TTL_S = 3;
let server, browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// 3 s tokens are renewed about every 2 s in every tab: the default breaker would call it a loop.
const options = managerOptions("cookie", { loopBreaker: { maxRefreshes: 200, windowSeconds: 30 } });

/** Resolves once `check()` is true; fails after `ms`. */
async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
}

/** `n` tabs, the first signed in, the others restored from it (they ask; it answers). */
async function signedInTabs(n) {
  const tabs = await openTabs(browser, server, options, n);
  await login(tabs[0]);
  for (const tab of tabs.slice(1)) assert.equal(await tab.eval(() => window.auth.restore()), true);
  return tabs;
}

async function assertAllClean(tabs) {
  for (const tab of tabs) await tab.assertClean();
}

test("two tabs meeting 401 at the same instant, 100 times: no refresh token is presented twice", async () => {
  await server.post("/__test/access-ttl", { seconds: 300 });
  const tabs = await signedInTabs(2);
  const before = (await server.counters()).refresh_calls;
  for (let round = 0; round < 100; round++) {
    await server.post("/__test/expire-access");
    const statuses = await Promise.all(tabs.map((t) => t.eval(async () => (await window.auth.fetch("/api/data")).status)));
    assert.deepEqual(statuses, [200, 200], `round ${round}`);
  }
  const counters = await server.counters();
  const refreshes = counters.refresh_calls - before;
  console.log(`FIGURE two-tabs-race rounds=100 refreshes=${refreshes} reuse_detections=${counters.reuse_detections} refresh_tokens_seen_twice=${counters.refresh_tokens_seen_twice}`);
  assert.equal(counters.reuse_detections, 0);
  assert.equal(counters.refresh_tokens_seen_twice, 0);
  assert.ok(refreshes >= 100 && refreshes <= 110, `about one refresh per round: ${refreshes}`);
  await assertAllClean(tabs);
});

test("ten tabs storming 50 requests each after expiry: one refresh, 500 × 200", async () => {
  // Long tokens: Chromium's 6 connections per host are shared by all tabs, so 500 requests take
  // seconds; a short token would expire (and be renewed) in the middle of the measurement.
  await server.post("/__test/access-ttl", { seconds: 60 });
  const tabs = await signedInTabs(10);
  await server.post("/__test/reset");
  await server.post("/__test/expire-access");
  const results = await Promise.all(tabs.map((t) => t.eval(() => window.storm(50))));
  const counters = await server.counters();
  const ok = results.flat().filter((r) => r.status === 200).length;
  console.log(`FIGURE ten-tabs-storm tabs=10 requests=500 ok=${ok} refresh_calls=${counters.refresh_calls} reuse_detections=${counters.reuse_detections}`);
  assert.equal(ok, 500, JSON.stringify(results.flat().find((r) => r.status !== 200)));
  assert.equal(counters.refresh_calls, 1);
  assert.equal(counters.reuse_detections, 0);
  await assertAllClean(tabs);
});

test("ten tabs restoring at once (a browser restoring its session): one refresh, all restored", async () => {
  await server.post("/__test/access-ttl", { seconds: 300 });
  const [first] = await openTabs(browser, server, options, 1);
  await login(first);
  const context = first.context;
  await first.page.close();
  // The browser comes back with ten tabs of the site, each restoring on load.
  const tabs = await Promise.all(
    Array.from({ length: 10 }, async () => {
      const page = await context.newPage();
      await page.goto(`${server.url}/tests/fixtures/blank.html`);
      return page;
    }),
  );
  await server.post("/__test/reset");
  const restored = await Promise.all(
    tabs.map((page) =>
      page.evaluate(async (opts) => {
        const { createTokenManager } = await import("/pkg/index.js");
        window.auth = await createTokenManager(opts);
        return window.auth.restore();
      }, options),
    ),
  );
  const statuses = await Promise.all(tabs.map((p) => p.evaluate(async () => (await window.auth.fetch("/api/me")).status)));
  const counters = await server.counters();
  console.log(`FIGURE restore-ten-tabs tabs=10 restored=${restored.filter(Boolean).length} refresh_calls=${counters.refresh_calls} reuse_detections=${counters.reuse_detections}`);
  assert.deepEqual(restored, Array(10).fill(true));
  assert.deepEqual(statuses, Array(10).fill(200));
  assert.equal(counters.refresh_calls, 1);
  assert.equal(counters.reuse_detections, 0);
});

for (const n of [1, 2, 5, 10]) {
  test(`${n} tab(s) idle over five lifetimes: about one refresh per lifetime in all`, async () => {
    await server.post("/__test/access-ttl", { seconds: TTL_S });
    const tabs = await signedInTabs(n);
    await server.post("/__test/reset");
    const lifetimes = 5;
    await sleep(lifetimes * TTL_S * 1000);
    const counters = await server.counters();
    const perLifetime = counters.refresh_calls / lifetimes;
    console.log(`FIGURE idle-tabs tabs=${n} ttl=${TTL_S}s lifetimes=${lifetimes} refresh_calls=${counters.refresh_calls} per_lifetime=${perLifetime.toFixed(2)} reuse_detections=${counters.reuse_detections}`);
    // Renewed at two thirds of each token's life: 1.5 refreshes per lifetime is one per token,
    // whatever the number of tabs.
    assert.ok(perLifetime >= 1 && perLifetime <= 2, `refreshes per lifetime: ${perLifetime}`);
    assert.equal(counters.reuse_detections, 0);
    const results = await Promise.all(tabs.map((t) => t.eval(() => window.storm(3))));
    assert.ok(results.flat().every((r) => r.status === 200));
    assert.equal((await server.counters()).api_401s, 0, "every tab holds a live token");
    await assertAllClean(tabs);
  });
}

test("logout in one of ten tabs signs the other nine out within 100 ms", async () => {
  await server.post("/__test/access-ttl", { seconds: 300 });
  const tabs = await signedInTabs(10);
  const started = await tabs[0].eval(() => {
    const at = performance.timeOrigin + performance.now();
    window.auth.logout();
    return at;
  });
  await until(async () => (await Promise.all(tabs.slice(1).map((t) => t.events("sessionEnd")))).every((e) => e.length === 1), 5000, "nine sessionEnd events");
  const delays = [];
  for (const tab of tabs.slice(1)) {
    const [end] = await tab.events("sessionEnd");
    assert.equal(end.reason, "otherTab");
    delays.push(end.at - started);
    assert.equal(await tab.eval(() => window.auth.isAuthenticated), false);
  }
  delays.sort((a, b) => a - b);
  const median = delays[Math.floor(delays.length / 2)];
  console.log(`FIGURE logout-propagation tabs=10 median_ms=${median.toFixed(1)} max_ms=${delays.at(-1).toFixed(1)}`);
  assert.ok(delays.at(-1) < 100, `slowest tab: ${delays.at(-1)} ms`);
  // None sends a token afterwards.
  const sentBefore = tabs.map((t) => t.requests.length);
  await Promise.all(tabs.map((t) => t.eval(() => window.auth.fetch("/api/data").then((r) => r.status))));
  for (const [i, tab] of tabs.entries()) {
    assert.deepEqual(tab.requests.slice(sentBefore[i]).filter((r) => r.authorization), []);
  }
  await assertAllClean(tabs);
});

test("the tab holding the lock closes mid-refresh: another tab completes the refresh", async () => {
  await server.post("/__test/access-ttl", { seconds: 300 });
  const tabs = await signedInTabs(3);
  await server.post("/__test/expire-access");
  // The next refresh call hangs (in front of the server logic: nothing is rotated).
  await server.faults({ refresh: "hang", times: 1 });
  // Its page closes before this settles: Playwright rejects the evaluation then.
  tabs[0].eval(() => window.auth.fetch("/api/data")).catch(() => {});
  await until(async () => (await server.counters()).refresh_calls === 1, 5000, "tab 0 refreshing");
  const waiting = tabs[1].eval(async () => (await window.auth.fetch("/api/data")).status);
  await sleep(100);
  assert.equal((await server.counters()).refresh_calls, 1, "tab 1 waits for the lock");
  await tabs[0].page.close(); // the browser releases tab 0's lock
  assert.equal(await waiting, 200);
  const counters = await server.counters();
  assert.equal(counters.refresh_calls, 2);
  assert.equal(counters.reuse_detections, 0);
  assert.equal(await tabs[2].eval(async () => (await window.auth.fetch("/api/data")).status), 200, "the third tab adopted the token");
  assert.equal((await server.counters()).refresh_calls, 2);
});
