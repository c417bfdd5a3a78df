// End-to-end harness: starts the reference server on 127.0.0.1, opens pages in headless
// Chromium that load the built package, and records what a user could observe: unhandled
// rejections, console output, storage, requests, and every token the server handed out.
import { spawn } from "node:child_process";
import { before, after, afterEach } from "node:test";
import { once } from "node:events";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./browser.mjs";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
const serverBinary = process.env.TOKENFLIGHT_SERVER ?? resolve(root, "target/debug/tokenflight-server");

/** Options the pages use against the reference server's granular error codes. */
export const ERROR_CODES = {
  TOKEN_EXPIRED: "refresh",
  TOKEN_REVOKED: "endSession",
  INVALID_SIGNATURE: "passThrough",
  MALFORMED_TOKEN: "passThrough",
};

export function managerOptions(mode, extra = {}) {
  const prefix = mode === "body" ? "/body" : "";
  return {
    refreshUrl: `${prefix}/api/token/refresh/`,
    loginUrl: `${prefix}/api/token/`,
    logoutUrl: `${prefix}/api/logout/`,
    refreshTokenIn: mode,
    refreshTimeoutMs: 2000,
    errorCodes: ERROR_CODES,
    // The lifecycle tests use 3 s tokens: renewed every ~2 s, which the default breaker
    // (10 refreshes in 30 s) would rightly call a loop.
    loopBreaker: { maxRefreshes: 30, windowSeconds: 30 },
    ...extra,
  };
}

/** Starts the server; resolves once it printed its URL. */
export async function startServer(args = []) {
  const proc = spawn(serverBinary, ["--port", "0", ...(process.env.E2E_SERVER_LOG ? [] : ["--quiet"]), ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 15000);
    proc.stdout.on("data", (chunk) => {
      output += chunk;
      const match = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    proc.on("exit", (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  const post = async (path, body) => {
    const res = await fetch(url + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body ?? {}),
    });
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  };
  return {
    url,
    post,
    counters: async () => (await fetch(`${url}/__test/counters`)).json(),
    faults: (spec) => post("/__test/faults", spec),
    async stop() {
      proc.kill();
      await once(proc, "exit");
    },
  };
}

const openContexts = new Set();
let reuseExpected = false;

/** Declares that the running test replays a refresh token on purpose (or loses a rotation). */
export function expectReuse() {
  reuseExpected = true;
}

/** Closes every page a test opened, passed or failed: a page left open would keep refreshing
 * against the shared server and skew the next test's counters. Use as `afterEach(closePages)`. */
export async function closePages() {
  await Promise.all([...openContexts].map((c) => c.close().catch(() => {})));
  openContexts.clear();
}

/**
 * A server (started with `args`) and a browser for the test file: hooks start them before the
 * first test, close every page after each test and stop both at the end. `use(server, browser)`
 * receives them once started.
 */
export function serverAndBrowser(use, args = []) {
  let server, browser;
  before(async () => {
    server = await startServer(args);
    browser = await startBrowser();
    use(server, browser);
  });
  afterEach(async () => {
    await closePages();
    // tokenflight must never make the server see a refresh token twice; a test that replays
    // one on purpose says so with expectReuse(). Counters and faults start clean for the next.
    const { reuse_detections: reuse } = await server.counters();
    const expected = reuseExpected;
    reuseExpected = false;
    await server.post("/__test/reset");
    if (reuse && !expected) throw new Error(`the server detected ${reuse} reused refresh token(s)`);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
}

/** One browser per test file. */
export async function startBrowser() {
  return launchChromium();
}

/**
 * Opens a page of the server that has created `window.auth` with `options`, and instruments it.
 * Returns helpers to evaluate code in the page and to check what must never happen.
 */
export async function openPage(browser, server, options, { path = "/tests/fixtures/blank.html", clockSkewMs = 0, fakeClock = false, context: shared } = {}) {
  // Tabs of one browser share a context (cookies, Web Locks, BroadcastChannels): pass it.
  const context = shared ?? (await browser.newContext());
  openContexts.add(context);
  // Playwright's clock runs with real time until paused; the sleep test pauses and jumps it.
  if (fakeClock) await context.clock.install();
  if (clockSkewMs) {
    // The page's clock (what the library reads) is off; the server's is not.
    await context.addInitScript((skew) => {
      const real = Date.now.bind(Date);
      Date.now = () => real() + skew;
    }, clockSkewMs);
  }
  const page = await context.newPage();
  const consoleLines = [];
  const pageErrors = [];
  const tokens = new Set();
  const requests = [];
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("request", (r) => requests.push({ url: r.url(), authorization: r.headers()["authorization"] ?? null, at: Date.now() }));
  page.on("response", async (r) => {
    // Record every token the server hands out, to search for them where they must not be.
    if (!/\/api\/token\//.test(r.url()) || !r.ok()) return;
    try {
      const body = await r.json();
      for (const key of ["access", "refresh"]) if (typeof body[key] === "string") tokens.add(body[key]);
    } catch {}
    for (const c of await context.cookies()) if (c.name === "tf_refresh" && c.value) tokens.add(c.value);
  });
  await page.addInitScript(() => {
    window.__unhandled = 0;
    window.__markers = 0;
    window.addEventListener("unhandledrejection", (event) => {
      if (event.reason === window.__marker) {
        window.__markers++;
        event.preventDefault(); // assertClean's own marker, not an error of the page
      } else {
        window.__unhandled++;
      }
    });
    // Every page here is served under the strict CSP (server/src/statics.rs): nothing may trip it.
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(server.url + path);
  await page.evaluate(async (opts) => {
    const { createTokenManager } = await import("/pkg/index.js");
    window.auth = await createTokenManager(opts);
    window.events = [];
    for (const name of ["refresh", "sessionEnd", "tokenChange"]) {
      window.auth.on(name, (e) => window.events.push({ name, at: performance.timeOrigin + performance.now(), ...e }));
    }
    // Fires n concurrent requests and reports how each settled, without ever leaving one unhandled.
    window.storm = async (n, url = "/api/data", init) => {
      const results = await Promise.allSettled(Array.from({ length: n }, () => window.auth.fetch(url, init)));
      return results.map((r) => (r.status === "fulfilled" ? { status: r.value.status } : { error: r.reason.name, message: r.reason.message }));
    };
  }, options);

  return {
    page,
    context,
    requests,
    tokens,
    eval: (fn, arg) => page.evaluate(fn, arg),
    events: (name) => page.evaluate((n) => window.events.filter((e) => !n || e.name === n), name),
    /** What a user could observe that must never happen; throws with the details. */
    async assertClean() {
      // Rejections are reported in order: once a marker rejection made now is reported, every
      // earlier one has been (no guessed delay).
      const unhandled = await page.evaluate(async () => {
        const seen = window.__markers;
        window.__marker = new Error("flush marker");
        Promise.reject(window.__marker);
        const end = performance.now() + 5000;
        while (window.__markers === seen) {
          if (performance.now() > end) throw new Error("the marker rejection was never reported");
          await new Promise((r) => setTimeout(r, 2));
        }
        return window.__unhandled;
      });
      if (unhandled) throw new Error(`${unhandled} unhandled rejection(s)`);
      if (pageErrors.length) throw new Error(`page errors: ${pageErrors.join("; ")}`);
      const csp = await page.evaluate(() => window.__cspViolations);
      if (csp.length) throw new Error(`CSP violations: ${csp.join("; ")}`);
      const scriptVisible = await page.evaluate(() => {
        const parts = [document.cookie];
        for (const s of [localStorage, sessionStorage]) {
          for (let i = 0; i < s.length; i++) parts.push(s.key(i), s.getItem(s.key(i)));
        }
        return parts.join("\n");
      });
      // tokenflight has no code that reaches IndexedDB or the Cache API: nothing may exist there.
      const stores = await page.evaluate(async () => ({
        databases: ((await indexedDB.databases?.()) ?? []).map((d) => d.name),
        caches: globalThis.caches ? await caches.keys() : [],
      }));
      if (stores.databases.length || stores.caches.length) throw new Error(`IndexedDB or the Cache API was used: ${JSON.stringify(stores)}`);
      const places = [scriptVisible, ...consoleLines, ...requests.map((r) => r.url)].join("\n");
      for (const token of tokens) {
        if (places.includes(token)) throw new Error("a token reached storage, a script cookie, a URL or the console");
      }
    },
    close: () => context.close(),
  };
}

/** Resolves once `check()` (sync or async) returns a truthy value, which it returns; throws after
 * `timeoutMs` naming `what`. Tests wait on conditions, never on guessed delays. */
export async function waitFor(what, check, timeoutMs = 5000, intervalMs = 20) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Resolves as `promise` does; throws after `timeoutMs` naming `what` (an event awaited from
 * outside the page, such as a request reaching a route handler). */
export async function within(what, promise, timeoutMs = 5000) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** `n` tabs of one browser context, each with `window.auth` made with `options`. */
export async function openTabs(browser, server, options, n) {
  const context = await browser.newContext();
  const tabs = [];
  for (let i = 0; i < n; i++) tabs.push(await openPage(browser, server, options, { context }));
  return tabs;
}

/** Logs a user in from the page. */
export function login(handle, username = "ada", password = "lovelace") {
  return handle.eval(({ username, password }) => window.auth.login({ username, password }), { username, password });
}
