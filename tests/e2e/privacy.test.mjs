// The personal-data warning: when a token's claims include personal data (email, phone_number,
// address, birthdate), the console is warned once per manager, naming the keys only: never a
// value, never the token. `warnings: false` turns it off; a non-boolean is InvalidOptions.
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
  /** Waits until the console output has settled (a warning is logged synchronously by setTokens). */
  const settled = async () => {
    await tab.eval(() => new Promise((r) => setTimeout(r, 0)));
    return warnings;
  };
  return { tab, warnings: settled };
}

const PERSONAL = { sub: "42", name: "Ada", email: "ada@example.org", phone_number: "+44 20 7946 0000", address: { locality: "London" } };

test("personal data in the claims: one warning naming the keys, never the values or the token", async () => {
  const { tab, warnings } = await page(managerOptions("cookie"));
  const token = await tab.eval((p) => {
    const t = window.jwt(p);
    window.auth.setTokens({ access: t, expiresIn: 300 });
    window.auth.setTokens({ access: window.jwt({ ...p, birthdate: "1815-12-10" }), expiresIn: 300 });
    return t;
  }, PERSONAL);
  const lines = await warnings();
  assert.equal(lines.length, 1, `one warning per manager: ${JSON.stringify(lines)}`);
  assert.match(lines[0], /^tokenflight: personal data in token claims: email phone_number address \(/);
  assert.match(lines[0], /warnings: false/);
  for (const secret of ["ada@example.org", "+44", "London", "Ada", token, token.split(".")[1]]) {
    assert.ok(!lines[0].includes(secret), "the warning holds no value and no token");
  }
  assert.equal(await tab.eval(() => window.auth.claims().email), "ada@example.org", "claims() still shows them");
  await tab.assertClean();
});

test("an ID token's claims count too; the reference server's own tokens (sub, name, role) do not warn", async () => {
  const { tab, warnings } = await page(managerOptions("cookie"));
  await login(tab);
  assert.deepEqual(await warnings(), []);
  await tab.eval(() => window.auth.setTokens({ access: window.jwt({ sub: "1" }), idToken: window.jwt({ sub: "1", birthdate: "1815-12-10" }) }));
  const lines = await warnings();
  assert.equal(lines.length, 1);
  assert.match(lines[0], /claims: birthdate \(/);
  await tab.assertClean();
});

test("a refreshed token is checked too (restore through a refresh answer carrying an e-mail)", async () => {
  const { tab, warnings } = await page(managerOptions("cookie"));
  const restored = await tab.eval(async (p) => {
    const { createTokenManager } = await import("/pkg/index.js");
    const answer = JSON.stringify({ access: window.jwt(p), expires_in: 300 });
    const auth = await createTokenManager({
      refreshUrl: "/nowhere/refresh",
      fetch: async () => new Response(answer, { headers: { "content-type": "application/json" } }),
    });
    return auth.restore();
  }, { sub: "7", email: "x@example.org" });
  assert.equal(restored, true);
  const lines = await warnings();
  assert.equal(lines.length, 1);
  assert.match(lines[0], /claims: email \(/);
});

test("warnings: false turns it off; a non-boolean value is InvalidOptions naming the option", async () => {
  const { tab, warnings } = await page(managerOptions("cookie", { warnings: false }));
  await tab.eval((p) => window.auth.setTokens({ access: window.jwt(p), expiresIn: 300 }), PERSONAL);
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
