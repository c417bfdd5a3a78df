// Runs one measurement of the bench page, optionally under Chromium's CPU profiler (DevTools
// protocol), and prints the result and the functions with the most self time. For finding where
// time goes: `node bench/probe.mjs --profile overhead tokenflight sequential 20000`.
// Uses the bundles bench/run.mjs left in bench/dist (run it, or `--quick`, first).
import { parseArgs } from "node:util";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../tests/e2e/browser.mjs";
import { startServer } from "./server.mjs";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { profile: { type: "boolean", default: false }, top: { type: "string", default: "30" }, warm: { type: "string", default: "1" } },
});
const [fn, ...rest] = positionals;
const a = rest.map((x) => (/^\d+$/.test(x) ? Number(x) : x));
const server = await startServer({ pageDir: join(root, "bench/page"), distDir: join(root, "bench/dist") });
const browser = await launchChromium(["--js-flags=--expose-gc", "--enable-precise-memory-info"]);
const page = await browser.newPage();
page.on("pageerror", (e) => console.error("page error:", e.message));
page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && console.log("console:", m.text()));
await page.goto(`${server.url}/`);
await page.waitForFunction(() => window.bench !== undefined);
const run = () => page.evaluate(([fn, a]) => window.bench[fn](...a), [fn, a]);
for (let i = 0; i < Number(values.warm); i++) await run();
let cdp;
if (values.profile) {
  cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
  await cdp.send("Profiler.start");
}
console.log(JSON.stringify(await run()));
if (values.profile) {
  const { profile } = await cdp.send("Profiler.stop");
  await writeFile("/tmp/bench-profile.cpuprofile", JSON.stringify(profile));
  // Self time per function: samples land on nodes; time deltas between samples are attributed
  // to the sampled node.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const n = byId.get(id);
    const f = n.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber}:${f.columnNumber}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  const rows = [...self].sort((x, y) => y[1] - x[1]).slice(0, Number(values.top));
  for (const [k, us] of rows) console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
  console.log("profile written to /tmp/bench-profile.cpuprofile");
}
await browser.close();
await server.close();
