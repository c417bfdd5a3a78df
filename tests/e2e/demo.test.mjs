// The demo page loads with no console errors, a storm works through its buttons, and a
// screenshot after the storm is written to test-results/demo-after-storm.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serverAndBrowser } from "./harness.mjs";

const SCREENSHOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../test-results/demo-after-storm.png");
let server, browser;
serverAndBrowser((s, b) => ([server, browser] = [s, b]));

test("the demo page: log in, expire, storm of 200, one refresh, no console errors", async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1100 } });
  const problems = [];
  // Chromium logs every 4xx response as "Failed to load resource": 401s are the point of a
  // storm, so only those lines are allowed; any other error or warning fails the test.
  const expectedNetworkLine = /^Failed to load resource: the server responded with a status of 401/;
  page.on("console", (m) => {
    if (["error", "warning"].includes(m.type()) && !expectedNetworkLine.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  await page.goto(`${server.url}/`);
  await page.waitForSelector("body[data-ready=true]");
  assert.deepEqual(problems, [], "the page loads without console errors");
  await page.click("#loginForm button[type=submit]");
  await page.waitForSelector("#status.on");
  await page.click("#expire");
  const before = await server.counters(); // the page's restore() on load was a refresh call too
  await page.fill("#n", "200");
  await page.click("#storm");
  await page.waitForSelector("body[data-storm=done]", { timeout: 15000 });
  await page.waitForTimeout(700); // let the counters panel poll once more
  const log = await page.textContent("#log");
  assert.match(log, /200 calls: 200 × 200; refresh calls: 1/);
  const after = await server.counters();
  assert.equal(after.refresh_calls - before.refresh_calls, 1);
  assert.equal(after.reuse_detections, 0);
  await mkdir(resolve(SCREENSHOT, ".."), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  console.log(`screenshot: ${SCREENSHOT}`);
  assert.deepEqual(problems, []);
  await page.close();
});
