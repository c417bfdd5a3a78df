// Where the token may go: a redirect from an allowed origin to another origin never carries it
// (the browser drops Authorization on cross-origin redirects, and tokenflight never re-adds it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, managerOptions, login, serverAndBrowser, startServer } from "./harness.mjs";

let server, browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

test("a redirect to another origin does not carry the token", async () => {
  const other = await startServer(); // another origin: same host, another port
  try {
    const tab = await openPage(browser, server, managerOptions("cookie"));
    await login(tab);
    const target = `${other.url}/api/me`;
    const outcome = await tab.eval(async (url) => {
      try {
        const res = await window.auth.fetch(`/__test/redirect?to=${url}`);
        return { status: res.status };
      } catch (error) {
        return { error: error.name }; // the other origin sends no CORS headers
      }
    }, target);
    const counters = await other.counters();
    // With Authorization the cross-origin GET would need a preflight and never be sent; without
    // it, it is a simple request that arrives, tokenless.
    assert.equal(counters.api_calls, 1, JSON.stringify(outcome));
    assert.equal(counters.api_calls_with_token, 0, "the other origin received no token");
    assert.equal((await server.counters()).refresh_calls, 0);
    await tab.assertClean();
  } finally {
    await other.stop();
  }
});
