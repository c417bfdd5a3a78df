// Content-Security-Policy: the server sends `script-src 'self' 'wasm-unsafe-eval'` with every
// page (no unsafe-eval, no unsafe-inline). The demo works under it with zero
// `securitypolicyviolation` events; a positive control shows the policy is really enforced
// (an inline script is refused, and the listener sees it). `eval` cannot be probed from here:
// code Playwright evaluates is exempt from the page's CSP, while the library's modules are not,
// so an eval in them would be refused and counted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { serverAndBrowser } from "./harness.mjs";

const CSP = "script-src 'self' 'wasm-unsafe-eval'";
let server, browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

test("the demo runs a storm under the strict CSP with zero violations; an inline script is refused", async () => {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective));
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  const response = await page.goto(`${server.url}/`);
  assert.equal(response.headers()["content-security-policy"], CSP);
  await page.waitForSelector("body[data-ready=true]");
  await page.click("#loginForm button[type=submit]");
  await page.waitForSelector("#status.on");
  await page.click("#expire");
  const before = await server.counters();
  await page.fill("#n", "50");
  await page.click("#storm");
  await page.waitForSelector("body[data-storm=done]", { timeout: 15000 });
  assert.equal((await server.counters()).refresh_calls - before.refresh_calls, 1);
  assert.deepEqual(await page.evaluate(() => window.__csp), [], "no CSP violation while the demo ran");
  assert.deepEqual(errors, []);

  // Positive control: the same listener sees what the policy refuses.
  const control = await page.evaluate(async () => {
    const s = document.createElement("script");
    s.textContent = "window.__inlineRan = true";
    document.body.append(s);
    // The violation event is queued as a task after the refusal.
    const deadline = Date.now() + 2000;
    while (window.__csp.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return { inlineRan: window.__inlineRan === true, directives: window.__csp };
  });
  assert.deepEqual(control, { inlineRan: false, directives: ["script-src-elem"] });
  await page.close();
});
