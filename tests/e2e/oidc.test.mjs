// tokenflight against a standard OAuth 2.0 / OpenID Connect server it was not written for:
// oidc-provider (tests/e2e/oidc_server.mjs) with a public client, PKCE, rotating refresh tokens
// and 4 s opaque access tokens. The tokens come from a real authorization-code + PKCE flow: the
// test signs in through the provider's dev interactions in Chromium, the app page
// (tests/fixtures/oidc_app.html, the README's example) hands the code to exchangeCode().
// Everything is counted at the server.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { launchChromium, pauseClockSoon } from "./browser.mjs";
import { startOidc, CLIENT_ID } from "./oidc_server.mjs";

const ACCESS_TTL_S = 4;
let server, browser;
const contexts = new Set();
let reuseExpected = false;

before(async () => {
  server = await startOidc({ accessTtl: ACCESS_TTL_S });
  browser = await launchChromium();
});
afterEach(async () => {
  await Promise.all([...contexts].map((c) => c.close().catch(() => {})));
  contexts.clear();
  const twice = server.counters.refresh_tokens_seen_twice;
  const expected = reuseExpected;
  reuseExpected = false;
  server.reset();
  if (twice && !expected) throw new Error(`the server saw ${twice} refresh token(s) presented twice`);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The options an app needs for oidc-provider (the README's "works with" snippet). */
function oauthOptions(extra = {}) {
  return {
    refreshUrl: "/token",
    revocationUrl: "/token/revocation",
    refreshTokenIn: "body",
    refreshBody: "form",
    refreshParams: { client_id: CLIENT_ID },
    refreshTimeoutMs: 3000,
    ...extra,
  };
}

/** Polls `check` until it is truthy; fails after `ms`. */
async function waitFor(what, check, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Opens the app page with `options`; with `fakeClock`, the page's clock can be paused later. */
async function openApp(options, { fakeClock = false } = {}) {
  const context = await browser.newContext();
  contexts.add(context);
  // Only the loopback server exists here (the provider's pages link a web font).
  await context.route((url) => !url.href.startsWith(server.origin), (route) => route.abort());
  if (fakeClock) await context.clock.install();
  await context.addInitScript((opts) => {
    window.__options = opts;
    window.__unhandled = 0;
    window.addEventListener("unhandledrejection", () => window.__unhandled++);
  }, options);
  const page = await context.newPage();
  const consoleLines = [];
  const pageErrors = [];
  const urls = [];
  page.on("console", (m) => consoleLines.push(m.text()));
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("request", (r) => urls.push(r.url()));
  await page.goto(`${server.origin}/app/`);
  await page.waitForFunction(() => window.ready === true);
  return {
    page,
    context,
    eval: (fn, arg) => page.evaluate(fn, arg),
    events: (name) => page.evaluate((n) => window.events.filter((e) => e.name === n), name),
    /** Nothing a user could find must hold a token: storage, script cookies, console, URLs. */
    async assertClean() {
      // Unhandled rejections are reported when the task that made them ends: each evaluate is a
      // task of its own (no timers, which a paused page clock would stop).
      await page.evaluate(() => 0);
      await page.evaluate(() => 0);
      assert.equal(await page.evaluate(() => window.__unhandled), 0, "unhandled rejections");
      assert.deepEqual(pageErrors, []);
      const visible = await page.evaluate(() => {
        const parts = [document.cookie];
        for (const s of [localStorage, sessionStorage]) for (let i = 0; i < s.length; i++) parts.push(s.key(i), s.getItem(s.key(i)));
        return parts.join("\n");
      });
      const places = [visible, ...consoleLines, ...urls].join("\n");
      for (const body of server.issued) {
        for (const token of [body.access_token, body.refresh_token, body.id_token]) {
          if (token) assert.ok(!places.includes(token), "a token reached storage, a script cookie, the console or a URL");
        }
      }
    },
  };
}

/** Signs in through the provider's login and consent pages; the app exchanges the code. */
async function signIn(app, login = "ada") {
  const { page } = app;
  await page.evaluate(() => { window.signIn(); });
  await page.waitForSelector("input[name=login]");
  await page.fill("input[name=login]", login);
  await page.fill("input[name=password]", "any password");
  await page.click("button[type=submit]");
  await page.waitForSelector("input[name=prompt][value=consent]", { state: "attached" });
  await page.click("button[type=submit]");
  await page.waitForURL(`${server.origin}/app/`);
  await page.waitForFunction(() => window.ready === true && window.auth.isAuthenticated);
}

test("authorization code + PKCE through exchangeCode(); claims from the ID token", async () => {
  const app = await openApp(oauthOptions());
  await signIn(app);
  assert.equal(server.counters.code_grants, 1);
  const claims = await app.eval(() => window.auth.claims());
  assert.equal(claims.sub, "ada", "claims come from the ID token (the access token is opaque)");
  assert.equal(claims.aud, CLIENT_ID);
  assert.ok(!server.latest().access_token.includes("."), "oidc-provider's access tokens are opaque");
  const me = await app.eval(async () => (await window.auth.fetch("/api/data")).json());
  assert.equal(me.sub, "ada");
  await app.assertClean();
});

test("a storm of 50 after expiry: 1 refresh grant, 50 × 200, no refresh token presented twice", async () => {
  const app = await openApp(oauthOptions(), { fakeClock: true });
  await signIn(app);
  // The page's clock stops (a throttled background tab): its timer cannot renew, and the token
  // it holds expires at the server only. Then 50 requests at once.
  await pauseClockSoon(app.context.clock, () => app.eval(() => Date.now()));
  const grantsBefore = server.counters.refresh_grants;
  const held = server.latest().access_token;
  await waitFor("the access token to expire at the server", async () => !(await server.accepts(held)), (ACCESS_TTL_S + 5) * 1000);
  const results = await app.eval(() => window.storm(50));
  assert.deepEqual(results.filter((r) => r.status !== 200), []);
  assert.equal(server.counters.refresh_grants - grantsBefore, 1, "one refresh grant for the storm");
  assert.equal(server.counters.api_401s, 50, "each request met the expired token once");
  assert.equal(server.counters.refresh_tokens_seen_twice, 0);
  const stats = await app.eval(() => window.auth.stats());
  assert.equal(stats.replays, 50);
  await app.assertClean();
});

test("five rotation cycles: each refresh presents the token the previous one issued", async () => {
  const app = await openApp(oauthOptions());
  await signIn(app);
  for (let i = 0; i < 5; i++) {
    // Asking for more validity than a 4 s token has renews it now.
    const token = await app.eval(() => window.auth.getAccessToken({ minValiditySeconds: 3600 }));
    assert.equal(token, server.latest().access_token);
    assert.equal(await app.eval(async () => (await window.auth.fetch("/api/data")).status), 200);
  }
  const { presented, refresh_grants } = server.counters;
  assert.ok(refresh_grants >= 5, `${refresh_grants} refresh grants`);
  assert.deepEqual(presented, server.issued.slice(0, -1).map((b) => b.refresh_token), "a chain: each refresh token used once, in order");
  assert.equal(new Set(server.issued.map((b) => b.refresh_token)).size, server.issued.length, "rotated every time");
  assert.equal(server.counters.api_401s, 0);
  assert.equal((await app.events("refresh")).length, refresh_grants);
  await app.assertClean();
});

test("grant revoked at the server: one sessionEnd, every request settles, no further refresh", async () => {
  const app = await openApp(oauthOptions());
  await signIn(app);
  await server.revokeGrants();
  const grantsBefore = server.counters.refresh_grants;
  const results = await app.eval(() => window.storm(20));
  assert.equal(results.length, 20);
  assert.ok(results.every((r) => r.error === "SessionExpired"), JSON.stringify(results[0]));
  assert.equal(server.counters.refresh_grants - grantsBefore, 1);
  assert.deepEqual(server.counters.token_errors.map((e) => e.error), ["invalid_grant"]);
  assert.deepEqual((await app.events("sessionEnd")).map((e) => e.reason), ["expired"]);
  assert.equal(await app.eval(() => window.auth.isAuthenticated), false);
  // Later requests go without a token and get their 401; nothing refreshes again.
  const later = await app.eval(() => window.storm(5));
  assert.deepEqual(later.map((r) => r.status), [401, 401, 401, 401, 401]);
  assert.equal(server.counters.refresh_grants - grantsBefore, 1);
  assert.equal((await app.events("sessionEnd")).length, 1);
  await app.assertClean();
});

test("idle over three lifetimes: renewed in the background, then 0 401s", async () => {
  const app = await openApp(oauthOptions());
  await signIn(app);
  const start = Date.now();
  const grantsBefore = server.counters.refresh_grants;
  // Renewed at 2/3 of each 4 s life (±10 % jitter): six renewals take more than 12 s.
  await waitFor("six background renewals", () => server.counters.refresh_grants - grantsBefore >= 6, 30_000);
  assert.ok(Date.now() - start >= 3 * ACCESS_TTL_S * 1000, "idle for three lifetimes");
  const results = await app.eval(() => window.storm(20));
  assert.deepEqual(results.map((r) => r.status), Array(20).fill(200));
  assert.equal(server.counters.api_401s, 0, "no request met an expired token");
  assert.equal(server.counters.refresh_tokens_seen_twice, 0);
  console.log(`FIGURE oidc-idle: ${server.counters.refresh_grants - grantsBefore} refreshes in ${((Date.now() - start) / 1000).toFixed(1)} s of ${ACCESS_TTL_S} s tokens, 0 401s`);
  await app.assertClean();
});

test("logout revokes the refresh token at the revocation endpoint; it is refused afterwards", async () => {
  const app = await openApp(oauthOptions());
  await signIn(app);
  await app.eval(() => window.auth.logout());
  const [revocation, ...more] = server.counters.revocations;
  assert.deepEqual(more, []);
  assert.equal(revocation.status, 200);
  assert.equal(revocation.hint, "refresh_token");
  assert.equal(revocation.client_id, CLIENT_ID);
  assert.equal(revocation.token, server.latest().refresh_token, "the token the page held");
  const replay = await server.presentRefreshToken(revocation.token);
  assert.equal(replay.status, 400);
  assert.equal(replay.body.error, "invalid_grant");
  assert.equal(await app.eval(() => window.auth.isAuthenticated), false);
  await app.assertClean();
});

test("a wrong client_id: RefreshMisconfigured to every caller, one request, no loop, session kept", async () => {
  const app = await openApp(oauthOptions());
  await signIn(app);
  const { access_token, refresh_token, expires_in } = server.latest();
  const results = await app.eval(async ({ options, tokens }) => {
    const { createTokenManager } = await import("/pkg/index.js");
    window.bad = await createTokenManager(options);
    window.badEnds = [];
    window.bad.on("sessionEnd", (e) => window.badEnds.push(e));
    window.bad.setTokens(tokens);
    return window.settle(Array.from({ length: 10 }, () => window.bad.getAccessToken({ minValiditySeconds: 3600 })));
  }, {
    // A second manager in the page: crossTab off, so its setTokens does not end the first one's
    // session (a login in one tab ends the others').
    options: oauthOptions({ refreshParams: { client_id: "not-registered" }, crossTab: false }),
    tokens: { access: access_token, refresh: refresh_token, expiresIn: expires_in },
  });
  const wrong = () => server.counters.refresh_clients.filter((c) => c === "not-registered").length;
  assert.equal(wrong(), 1);
  assert.equal(results.length, 10);
  for (const r of results) {
    assert.equal(r.error, "RefreshMisconfigured");
    assert.equal(r.oauthError, "invalid_client");
    assert.match(r.message, /: invalid_client\. .*Server: client authentication failed$/);
    assert.ok(!r.message.includes(refresh_token) && !r.message.includes(access_token));
  }
  // Right after: the same error at once, no request; the session is kept.
  const again = await app.eval(() => window.settle([window.bad.getAccessToken({ minValiditySeconds: 3600 })]));
  assert.equal(again[0].error, "RefreshMisconfigured");
  assert.equal(wrong(), 1, "no retry loop");
  assert.equal(await app.eval(() => window.bad.isAuthenticated), true);
  assert.deepEqual(await app.eval(() => window.badEnds), []);
  await app.assertClean();
});

test("refreshParams reach the server; a narrower scope is reported in the refresh event", async () => {
  const app = await openApp(oauthOptions({ refreshParams: { client_id: CLIENT_ID, scope: "openid" } }));
  await signIn(app);
  assert.equal(server.latest().scope, "openid offline_access");
  await app.eval(() => window.auth.getAccessToken({ minValiditySeconds: 3600 }));
  await app.eval(() => window.auth.getAccessToken({ minValiditySeconds: 3600 }));
  assert.equal(server.latest().scope, "openid");
  const refreshes = await app.events("refresh");
  assert.deepEqual(refreshes.map((e) => e.scope), ["openid", undefined], "reported once, when it changed");
  const me = await app.eval(async () => (await window.auth.fetch("/api/data")).json());
  assert.equal(me.scope, "openid");
  await app.assertClean();
});

test("refreshParams are validated: InvalidOptions names the field", async () => {
  const app = await openApp(oauthOptions());
  const errors = await app.eval(async () => {
    const { createTokenManager } = await import("/pkg/index.js");
    const tries = [{ grant_type: "password" }, { refresh_token: "x" }, { client_id: 5 }, "client_id=spa"];
    return Promise.all(tries.map((refreshParams) =>
      createTokenManager({ refreshUrl: "/token", refreshParams }).then(() => null, (e) => `${e.name}: ${e.message}`)));
  });
  assert.match(errors[0], /^InvalidOptions: .*`refreshParams\.grant_type` is set by tokenflight/);
  assert.match(errors[1], /^InvalidOptions: .*`refreshParams\.refresh_token`/);
  assert.match(errors[2], /^InvalidOptions: .*`refreshParams\.client_id` must be a string/);
  assert.match(errors[3], /^InvalidOptions: .*`refreshParams` must be an object/);
});
