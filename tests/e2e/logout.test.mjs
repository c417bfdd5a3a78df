// Logout never throws and leaves nothing behind: twice, without a cookie, during a storm.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, managerOptions, login, serverAndBrowser, within } from "./harness.mjs";

let server, browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

/** URLs of requests sent after the first logout request that carried a token (request events
 * arrive in the order the page sent them). */
function carriedTokenAfterLogout(tab) {
  const logout = tab.requests.findIndex((r) => r.url.endsWith("/api/logout/"));
  assert.ok(logout >= 0, "the logout endpoint was called");
  return tab.requests.slice(logout + 1).filter((r) => r.authorization).map((r) => r.url);
}

test("logout twice: no exception, one sessionEnd, no token afterwards", async () => {
  const tab = await openPage(browser, server, managerOptions("cookie"));
  await login(tab);
  const outcome = await tab.eval(async () => {
    await window.auth.logout();
    await window.auth.logout();
    return { authenticated: window.auth.isAuthenticated, status: (await window.auth.fetch("/api/data")).status };
  });
  assert.deepEqual(outcome, { authenticated: false, status: 401 });
  assert.deepEqual((await tab.events("sessionEnd")).map((e) => e.reason), ["logout"]);
  assert.deepEqual((await tab.context.cookies()).filter((c) => c.name === "tf_refresh"), [], "cookie cleared");
  assert.deepEqual(carriedTokenAfterLogout(tab), [], "no request after logout carries a token");
  assert.equal(await tab.eval(async () => (await window.auth.restore())), false, "the server revoked the family");
  await tab.assertClean();
  await tab.close();
});

test("logout without a cookie or a session: resolves, no event", async () => {
  const tab = await openPage(browser, server, managerOptions("cookie"));
  await tab.eval(() => window.auth.logout());
  assert.deepEqual(await tab.events("sessionEnd"), []);
  await tab.assertClean();
  await tab.close();
});

test("logout during a storm: the queue is rejected with LoggedOut, nothing carries a token after", async () => {
  await server.post("/__test/reset");
  const tab = await openPage(browser, server, managerOptions("cookie"));
  await login(tab);
  // The refresh call is held in the browser until the logout has been made, so the logout always
  // comes while the storm waits for it, however loaded the machine (with a server latency
  // instead, a logout that came late found the refresh answered and the storm replayed).
  let release, reached;
  const held = new Promise((r) => (release = r));
  const refreshReached = new Promise((r) => (reached = r));
  await tab.page.route("**/api/token/refresh/", async (route) => {
    reached();
    await held;
    await route.continue();
  });
  await server.post("/__test/expire-access");
  const refreshDone = tab.page.waitForEvent("requestfinished", { predicate: (r) => r.url().endsWith("/api/token/refresh/"), timeout: 15000 });
  await tab.eval(() => {
    window.pendingStorm = window.storm(100); // not awaited here: the logout comes during it
  });
  await within("the storm's refresh", refreshReached);
  const results = await tab.eval(async () => {
    // Not awaited yet: the logout tells the server under the refresh lock, after the refresh.
    window.pendingLogout = window.auth.logout();
    return window.pendingStorm;
  });
  release(); // the refresh reaches the server only now, after the logout
  await tab.eval(() => window.pendingLogout);
  assert.equal((await server.counters()).refresh_calls, 1);
  // Queued or not yet answered when the logout came: every request of the session ends LoggedOut.
  assert.ok(results.every((r) => r.error === "LoggedOut"), JSON.stringify(results));
  await refreshDone; // the slow refresh answered after the logout: it must be discarded
  assert.equal(await tab.eval(() => window.auth.isAuthenticated), false);
  const after = await tab.eval(() => window.storm(3));
  assert.ok(after.every((r) => r.status === 401));
  assert.deepEqual(carriedTokenAfterLogout(tab), []);
  await tab.assertClean();
  await tab.close();
});

test("logout while the storm's replays are in flight: their 401s end LoggedOut, not passed through", async () => {
  await server.post("/__test/reset");
  const tab = await openPage(browser, server, managerOptions("cookie"));
  await login(tab);
  // The replays (the requests carrying the renewed token) are held in the browser until the
  // logout has been made; the server has revoked the session by the time they reach it.
  let firstAuthorization, release, heldOne;
  const held = new Promise((r) => (release = r));
  const replayHeld = new Promise((r) => (heldOne = r));
  await tab.page.route("**/api/data", async (route) => {
    const authorization = route.request().headers().authorization;
    firstAuthorization ??= authorization;
    if (authorization !== firstAuthorization) {
      heldOne();
      await held;
    }
    await route.continue();
  });
  await server.post("/__test/expire-access");
  await tab.eval(() => {
    window.pendingStorm = window.storm(20); // not awaited here: the logout comes during it
  });
  await within("a replay", replayHeld);
  await tab.eval(() => window.auth.logout());
  release();
  const results = await tab.eval(() => window.pendingStorm);
  assert.equal((await server.counters()).refresh_calls, 1);
  assert.ok(results.every((r) => r.error === "LoggedOut"), JSON.stringify(results));
  assert.deepEqual((await tab.events("sessionEnd")).map((e) => e.reason), ["logout"]);
  await tab.assertClean();
  await tab.close();
});
