// Login in both modes, then a storm of 200 requests after the token expired at the server:
// exactly one refresh reaches the server, all 200 succeed, and no refresh token is reused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, managerOptions, login, serverAndBrowser } from "./harness.mjs";

let server, browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

for (const mode of ["cookie", "body"]) {
  test(`${mode} mode: a storm of 200 after expiry makes one refresh and 200 × 200`, async () => {
    await server.post("/__test/reset");
    const tab = await openPage(browser, server, managerOptions(mode));
    await login(tab);
    assert.equal(await tab.eval(() => window.auth.isAuthenticated), true);
    await server.post("/__test/expire-access");
    const results = await tab.eval(() => window.storm(200));
    assert.equal(results.filter((r) => r.status === 200).length, 200, JSON.stringify(results.find((r) => r.status !== 200)));
    const counters = await server.counters();
    assert.equal(counters.refresh_calls, 1);
    assert.equal(counters.reuse_detections, 0);
    assert.equal(counters.refresh_tokens_seen_twice, 0);
    assert.equal(counters.api_401s, 200, "each request met the expired token once");
    const stats = await tab.eval(() => window.auth.stats());
    assert.equal(stats.replays, 200);
    assert.equal(stats.queued, 0);
    await tab.assertClean();
    await tab.close();
  });
}

test("restore() on a reload brings the session back through the HttpOnly cookie", async () => {
  await server.post("/__test/reset");
  const tab = await openPage(browser, server, managerOptions("cookie"));
  await login(tab);
  await tab.page.reload();
  const restored = await tab.eval(async (opts) => {
    const { createTokenManager } = await import("/pkg/index.js");
    window.auth = await createTokenManager(opts);
    return window.auth.restore();
  }, managerOptions("cookie"));
  assert.equal(restored, true);
  const response = await tab.eval(async () => (await window.auth.fetch("/api/me")).json());
  assert.equal(response.sub, "ada");
  const counters = await server.counters();
  assert.equal(counters.refresh_calls, 1);
  assert.equal(counters.reuse_detections, 0);
  await tab.assertClean();
  await tab.close();
});
