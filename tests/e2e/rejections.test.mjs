// Granular rejections from the server lead to what the README prescribes ("Behaviour worth knowing"): refresh only for
// an expired token, end the session once for a revoked one, pass everything else through.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, managerOptions, login, serverAndBrowser, expectReuse } from "./harness.mjs";

let server, browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

async function signedIn(username, password) {
  await server.post("/__test/reset");
  const tab = await openPage(browser, server, managerOptions("cookie"));
  await login(tab, username, password);
  return tab;
}

test("TOKEN_EXPIRED: one refresh, then the request succeeds", async () => {
  const tab = await signedIn();
  await server.post("/__test/expire-access");
  const [result] = await tab.eval(() => window.storm(1));
  assert.equal(result.status, 200);
  assert.equal((await server.counters()).refresh_calls, 1);
  await tab.assertClean();
  await tab.close();
});

test("TOKEN_REVOKED: the session ends once with reason revoked, no refresh", async () => {
  const tab = await signedIn();
  await server.post("/__admin/revoke", { username: "ada" });
  const results = await tab.eval(() => window.storm(20));
  assert.ok(results.every((r) => r.error === "SessionExpired"), JSON.stringify(results[0]));
  const ends = await tab.events("sessionEnd");
  assert.deepEqual(ends.map((e) => e.reason), ["revoked"]);
  assert.equal((await server.counters()).refresh_calls, 0);
  assert.equal(await tab.eval(() => window.auth.isAuthenticated), false);
  await tab.assertClean();
  await tab.close();
});

for (const [name, username, password, setup, url, status] of [
  ["INVALID_SIGNATURE", "ada", "lovelace", (s) => s.post("/__test/rotate-key"), "/api/data", 401],
  ["insufficient_scope", "bob", "builder", async () => {}, "/api/admin/", 403],
]) {
  test(`${name}: passed through to the app, no refresh`, async () => {
    const tab = await signedIn(username, password);
    await setup(server);
    const [result] = await tab.eval((u) => window.storm(1, u), url);
    assert.equal(result.status, status);
    assert.equal((await server.counters()).refresh_calls, 0);
    assert.deepEqual(await tab.events("sessionEnd"), []);
    await tab.assertClean();
    await tab.close();
  });
}

test("MALFORMED_TOKEN: passed through to the app, no refresh", async () => {
  const tab = await signedIn();
  await tab.eval(() => window.auth.setTokens({ access: "not-a-jwt" }));
  const [result] = await tab.eval(() => window.storm(1));
  assert.equal(result.status, 401);
  assert.equal((await server.counters()).refresh_calls, 0);
  await tab.assertClean();
  await tab.close();
});

test("an admin deactivating the user ends the session once", async () => {
  const tab = await signedIn();
  await server.post("/__admin/deactivate", { username: "ada" });
  const results = await tab.eval(() => window.storm(5));
  assert.ok(results.every((r) => r.error === "SessionExpired"));
  assert.deepEqual((await tab.events("sessionEnd")).map((e) => e.reason), ["revoked"]);
  await server.post("/__admin/activate", { username: "ada" });
  await tab.assertClean();
  await tab.close();
});

test("a refresh token replayed on purpose (stolen cookie) ends the page's session once, as revoked", async () => {
  expectReuse();
  const tab = await signedIn();
  const [stolen] = (await tab.context.cookies()).filter((c) => c.name === "tf_refresh");
  assert.ok(stolen, "the refresh cookie is set (HttpOnly)");
  assert.equal(stolen.httpOnly, true);
  // The page refreshes legitimately: the stolen token is now used.
  await server.post("/__test/expire-access");
  assert.equal((await tab.eval(() => window.storm(1)))[0].status, 200);
  // The attacker presents the old token: the server detects reuse and revokes the family.
  const attack = await fetch(`${server.url}/api/token/refresh/`, { method: "POST", headers: { cookie: `tf_refresh=${stolen.value}` } });
  assert.equal(attack.status, 401);
  const counters = await server.counters();
  assert.equal(counters.reuse_detections, 1, "detected once, triggered by the test, not by tokenflight");
  // The page's next calls meet a revoked token: one sessionEnd, reason revoked, no loop.
  const results = await tab.eval(() => window.storm(10));
  assert.ok(results.every((r) => r.error === "SessionExpired"), JSON.stringify(results[0]));
  assert.deepEqual((await tab.events("sessionEnd")).map((e) => e.reason), ["revoked"]);
  assert.equal((await server.counters()).refresh_calls, 2, "the page's refresh and the attacker's, nothing more");
  await tab.assertClean();
  await tab.close();
});
