// The personal-data warning: when the claims `claims()` decodes include personal data (email,
// phone_number, address, birthdate), the console is warned once per manager, naming the keys
// only: never a value, never the token. `warnings: false` turns it off; a non-boolean value is
// InvalidOptions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, managerOptions, login, serverAndBrowser } from "./harness.mjs";

let server, browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

/** A page with `window.jwt(payload)` (an unsigned JWT for display-only claims) and its warnings. */
async function page(options) {
  const tab = await openPage(browser, server, options);
  const warnings = [];
  tab.page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
  await tab.eval(() => {
    const b64 = (o) => btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(o)))).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    window.jwt = (payload) => `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ exp: 4102444800, ...payload })}.c2ln`;
  });
  /** The warnings so far: console.warn runs synchronously inside claims(), and the page's
   * console events reach the test before the answer of a later evaluate does. */
  const settled = async () => {
    await tab.eval(() => new Promise((r) => setTimeout(r, 0)));
    return [...warnings];
  };
  return { tab, warnings: settled };
}

const PERSONAL = { sub: "42", name: "Ada", email: "ada@example.org", phone_number: "+44 20 7946 0000", address: { locality: "London" } };

test("personal data in the claims: one warning naming the keys, never the values or the token", async () => {
  const { tab, warnings } = await page(managerOptions("cookie"));
  const token = await tab.eval((p) => {
    const t = window.jwt(p);
    window.auth.setTokens({ access: t, expiresIn: 300 });
    return t;
  }, PERSONAL);
  assert.deepEqual(await warnings(), [], "nothing before claims() decodes them");
  const shown = await tab.eval((p) => {
    const first = window.auth.claims().email;
    window.auth.claims();
    window.auth.setTokens({ access: window.jwt({ ...p, birthdate: "1815-12-10" }), expiresIn: 300 });
    window.auth.claims();
    return first;
  }, PERSONAL);
  assert.equal(shown, "ada@example.org", "claims() still returns them");
  const lines = await warnings();
  assert.equal(lines.length, 1, `one warning per manager: ${JSON.stringify(lines)}`);
  assert.match(lines[0], /^tokenflight: token claims hold personal data: email phone_number address \(/);
  assert.match(lines[0], /option warnings/);
  for (const secret of ["ada@example.org", "+44", "London", "Ada", token, token.split(".")[1]]) {
    assert.ok(!lines[0].includes(secret), "the warning holds no value and no token");
  }
  await tab.assertClean();
});

test("the ID token's claims (what claims() shows) count; the reference server's own tokens (sub, name, role) do not warn", async () => {
  const { tab, warnings } = await page(managerOptions("cookie"));
  await login(tab);
  assert.equal(await tab.eval(() => window.auth.claims().sub), "ada");
  assert.deepEqual(await warnings(), []);
  await tab.eval(() => {
    window.auth.setTokens({ access: window.jwt({ sub: "1" }), idToken: window.jwt({ sub: "1", birthdate: "1815-12-10" }) });
    window.auth.claims();
  });
  const lines = await warnings();
  assert.equal(lines.length, 1);
  assert.match(lines[0], /personal data: birthdate \(/);
  await tab.assertClean();
});

test("a refreshed token is checked like any other (restore through a refresh answer carrying an e-mail)", async () => {
  const { tab, warnings } = await page(managerOptions("cookie"));
  const restored = await tab.eval(async (p) => {
    const { createTokenManager } = await import("/pkg/index.js");
    const answer = JSON.stringify({ access: window.jwt(p), expires_in: 300 });
    const auth = await createTokenManager({
      refreshUrl: "/nowhere/refresh",
      fetch: async () => new Response(answer, { headers: { "content-type": "application/json" } }),
    });
    const ok = await auth.restore();
    auth.claims();
    return ok;
  }, { sub: "7", email: "x@example.org" });
  assert.equal(restored, true);
  const lines = await warnings();
  assert.equal(lines.length, 1);
  assert.match(lines[0], /personal data: email \(/);
});

test("warnings: false turns it off; a non-boolean value is InvalidOptions naming the option", async () => {
  const { tab, warnings } = await page(managerOptions("cookie", { warnings: false }));
  const email = await tab.eval((p) => {
    window.auth.setTokens({ access: window.jwt(p), expiresIn: 300 });
    return window.auth.claims().email;
  }, PERSONAL);
  assert.equal(email, "ada@example.org");
  assert.deepEqual(await warnings(), []);
  const refused = await tab.eval(async (opts) => {
    const { createTokenManager } = await import("/pkg/index.js");
    try {
      await createTokenManager(opts);
      return "created";
    } catch (e) {
      return `${e.name}: ${e.message}`;
    }
  }, managerOptions("cookie", { warnings: "no" }));
  assert.match(refused, /^InvalidOptions: .*warnings/);
  await tab.assertClean();
});
