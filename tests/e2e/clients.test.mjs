// axios, ky and ofetch in Chromium against the reference server, each given `auth.fetch` the way
// the README shows: after the access token expired at the server, a storm of N calls through the
// client makes one refresh, every call ends 200, each body reaches the server byte-identical on
// its replay (the server echoes it), a non-auth error keeps the client's own error type, and a
// session that ends reaches the app with tokenflight's error name where the client puts it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, managerOptions, login, serverAndBrowser } from "./harness.mjs";
import { serveClients } from "./clients/bundle.mjs";

let server, browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

const N = 100;

/**
 * A page with `window.auth` logged in, the clients loaded, then `setup` run in the page: it sets
 * `window.api` (the app's client instance) and `window.one(body)` (one call, resolving to
 * `{ status, text, extra }`). Page functions go through Playwright, never `eval`: the page's
 * CSP forbids it.
 */
async function clientPage(setup) {
  const tab = await openPage(browser, server, managerOptions("cookie"));
  await serveClients(tab.context);
  await login(tab);
  await tab.eval(async () => {
    window.clients = await import("/__clients.js");
    // Distinct bodies with multi-byte characters, of different lengths.
    window.body = (i) => `${JSON.stringify({ i, text: "héllo ✓ 😀 " + i })}${"x".repeat((i * 37) % 500)}`;
  });
  await tab.eval(setup);
  return tab;
}

/** Expires the access token at the server, fires the storm in the page, checks what the server saw. */
async function stormAfterExpiry(tab) {
  await server.post("/__test/expire-access");
  const before = await server.counters();
  const results = await tab.eval(async (n) => {
    const settled = await Promise.allSettled(Array.from({ length: n }, (_, i) => window.one(window.body(i))));
    return settled.map((r, i) =>
      r.status === "fulfilled"
        ? { status: r.value.status, identical: r.value.text === window.body(i), extra: r.value.extra }
        : { error: String(r.reason?.name), message: String(r.reason?.message) },
    );
  }, N);
  const after = await server.counters();
  const bad = results.find((r) => r.status !== 200 || !r.identical);
  assert.equal(bad, undefined, `every call 200 with its body echoed byte-identical: ${JSON.stringify(bad)}`);
  assert.equal(after.refresh_calls - before.refresh_calls, 1, "one refresh at the server");
  assert.equal(after.api_401s - before.api_401s, N, "each call met the expired token once");
  assert.equal(after.reuse_detections, 0);
  assert.equal((await tab.eval(() => window.auth.stats())).replays, N);
  return results;
}

/** Revokes the session at the server: the next call ends it. Returns how the client rejected. */
async function sessionEndThroughClient(tab) {
  await server.post("/__admin/revoke", { username: "ada" });
  return tab.eval(async () => {
    try {
      await window.one("after revocation");
      return "resolved";
    } catch (e) {
      return { name: e.name, cause: e.cause?.name ?? null, axiosError: e instanceof window.clients.AxiosError };
    }
  });
}

test("auth.fetch and auth.getAccessToken work as plain function values", async () => {
  const tab = await openPage(browser, server, managerOptions("cookie"));
  await login(tab);
  const seen = await tab.eval(async () => {
    const f = window.auth.fetch;
    const g = window.auth.getAccessToken;
    const me = await f("/api/me");
    const token = await g({ minValiditySeconds: 1 });
    const viaCall = await f.call(undefined, "/api/data", { method: "POST", body: "abc" });
    return { status: me.status, sub: (await me.json()).sub, token: typeof token === "string" && token.length > 20, viaCall: (await viaCall.json()).bytes };
  });
  assert.deepEqual(seen, { status: 200, sub: "ada", token: true, viaCall: 3 });
  await tab.assertClean();
});

test("axios (fetch adapter, env.fetch): one refresh for a storm, app interceptors intact, AxiosError on 500", async () => {
  const tab = await clientPage(() => {
    const { axios } = window.clients;
    const api = axios.create({ adapter: "fetch", env: { fetch: window.auth.fetch } });
    // An app's existing interceptors: a request stamp and an error handler. The error handler
    // must never see a 401 (that was the deleted refresh interceptor's job).
    window.appSeen = { stamped: 0, errors: [] };
    api.interceptors.request.use((config) => {
      window.appSeen.stamped++;
      config.headers.set("X-Request-Id", String(window.appSeen.stamped));
      return config;
    });
    api.interceptors.response.use(
      (response) => ({ ...response, data: { text: response.data, via: "app interceptor" } }),
      (error) => {
        window.appSeen.errors.push(error.response?.status ?? error.code);
        return Promise.reject(error);
      },
    );
    window.api = api;
    window.one = async (body) => {
      const r = await api.post("/api/echo", body, { headers: { "content-type": "text/plain;charset=UTF-8" }, responseType: "text" });
      return { status: r.status, text: r.data.text, extra: r.data.via };
    };
  });
  const results = await stormAfterExpiry(tab);
  assert.ok(results.every((r) => r.extra === "app interceptor"), "the app's response interceptor ran on every call");
  const failure = await tab.eval(async () => {
    try {
      await window.api.post("/api/echo?status=500", "boom", { headers: { "content-type": "text/plain" }, responseType: "text" });
      return "resolved";
    } catch (e) {
      return { axiosError: e instanceof window.clients.AxiosError, name: e.name, status: e.response?.status, body: e.response?.data, seen: window.appSeen };
    }
  });
  assert.deepEqual(failure, { axiosError: true, name: "AxiosError", status: 500, body: "boom", seen: { stamped: N + 1, errors: [500] } });
  // A tokenflight error reaches the app as an AxiosError that keeps its name, with the original
  // as its cause (docs/migration.md).
  assert.deepEqual(await sessionEndThroughClient(tab), { name: "SessionExpired", cause: "SessionExpired", axiosError: true });
  await tab.assertClean();
});

test("ky (ky.create({ fetch })): one refresh for a storm, HTTPError on 500", async () => {
  const tab = await clientPage(() => {
    const api = window.clients.ky.create({ fetch: window.auth.fetch, retry: 0 });
    window.api = api;
    window.one = async (body) => {
      const r = await api.post("/api/echo", { body, headers: { "content-type": "text/plain;charset=UTF-8" } });
      return { status: r.status, text: await r.text() };
    };
  });
  await stormAfterExpiry(tab);
  const failure = await tab.eval(async () => {
    try {
      await window.api.post("/api/echo?status=500", { body: "boom" });
      return "resolved";
    } catch (e) {
      return { httpError: e instanceof window.clients.HTTPError, name: e.name, status: e.response?.status };
    }
  });
  assert.deepEqual(failure, { httpError: true, name: "HTTPError", status: 500 });
  assert.deepEqual(await sessionEndThroughClient(tab), { name: "SessionExpired", cause: null, axiosError: false });
  await tab.assertClean();
});

test("ofetch (ofetch.create({}, { fetch })): one refresh for a storm, FetchError on 500", async () => {
  const tab = await clientPage(() => {
    const api = window.clients.ofetch.create({}, { fetch: window.auth.fetch });
    window.api = api;
    window.one = async (body) => {
      const r = await api.raw("/api/echo", { method: "POST", body, headers: { "content-type": "text/plain;charset=UTF-8" }, responseType: "text" });
      return { status: r.status, text: r._data };
    };
  });
  await stormAfterExpiry(tab);
  const failure = await tab.eval(async () => {
    try {
      await window.api("/api/echo?status=500", { method: "POST", body: "boom", retry: 0 });
      return "resolved";
    } catch (e) {
      return { fetchError: e instanceof window.clients.FetchError, name: e.name, status: e.statusCode };
    }
  });
  assert.deepEqual(failure, { fetchError: true, name: "FetchError", status: 500 });
  assert.deepEqual(await sessionEndThroughClient(tab), { name: "FetchError", cause: "SessionExpired", axiosError: false });
  await tab.assertClean();
});
