// The reference server's opt-in double-submit CSRF check (--csrf) against the library's
// `refreshHeaders`: the page reads the script-readable CSRF cookie and passes it as a header;
// the refresh and the logout carry it, and without it the server refuses with 403.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, managerOptions, serverAndBrowser } from "./harness.mjs";

let server, browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]), ["--csrf"]);

/** A second manager in the page, created after the CSRF cookie exists, with `headers`. */
async function managerWithCsrf(tab, header) {
  return tab.eval(async (header) => {
    await fetch("/api/csrf/");
    const value = document.cookie.split("; ").find((c) => c.startsWith("tf_csrf="))?.slice(8);
    const { createTokenManager } = await import("/pkg/index.js");
    const refreshHeaders = header === "cookie" ? { "X-CSRFToken": value } : header === "wrong" ? { "X-CSRFToken": "x" } : undefined;
    window.csrfAuth = await createTokenManager({ ...window.csrfOptions, refreshHeaders });
    await window.csrfAuth.login({ username: "ada", password: "lovelace" });
    return Boolean(value);
  }, header);
}

async function expireThenFetch(tab) {
  await server.post("/__test/expire-access");
  return tab.eval(async () => {
    try {
      return { status: (await window.csrfAuth.fetch("/api/data")).status };
    } catch (error) {
      return { error: error.name, status: error.status };
    }
  });
}

test("refreshHeaders carrying the CSRF cookie pass the check on refresh and logout", async () => {
  const tab = await openPage(browser, server, managerOptions("cookie"));
  await tab.eval((o) => (window.csrfOptions = o), managerOptions("cookie"));
  assert.equal(await managerWithCsrf(tab, "cookie"), true, "the server set the CSRF cookie");
  assert.deepEqual(await expireThenFetch(tab), { status: 200 });
  await tab.eval(() => window.csrfAuth.logout());
  const counters = await server.counters();
  assert.equal(counters.refresh_ok, 1);
  assert.equal(counters.csrf_failures, 0);
  assert.equal(counters.family_revocations, 1, "the logout passed the check and revoked the family");
  await tab.assertClean();
});

for (const header of ["none", "wrong"]) {
  test(`a refresh without the right CSRF header (${header}) is refused with 403 and the session kept`, async () => {
    const tab = await openPage(browser, server, managerOptions("cookie"));
    await tab.eval((o) => (window.csrfOptions = o), managerOptions("cookie"));
    await managerWithCsrf(tab, header);
    assert.deepEqual(await expireThenFetch(tab), { error: "RefreshFailed", status: 403 });
    const counters = await server.counters();
    assert.equal(counters.refresh_ok, 0);
    assert.ok(counters.csrf_failures >= 1);
    assert.equal(await tab.eval(() => window.csrfAuth.isAuthenticated), true, "a 403 does not end the session");
    await tab.assertClean();
  });
}
