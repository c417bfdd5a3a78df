// Where tokenflight's cold start-up goes, next to the plain wrapper (the floor), measured as
// bench/run.mjs measures start-up (a fresh browser context per sample, the same bundles), but
// split into phases: the module import (of which the bundle's download), fetching the Wasm (of
// which the download), compile + instantiate, the first manager, and a second manager in the
// same page (what remains once everything ran once).
//   usage: node bench/startup_phases.mjs [--samples N] [--dist DIR]
// DIR holds the bundles bench/run.mjs made (bench/dist after a full run; the quick run leaves
// them in /tmp/tokenflight-bench-quick-dist, the default).
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { launchChromium } from "../tests/e2e/browser.mjs";
import { startServer } from "./server.mjs";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    samples: { type: "string", default: "20" },
    dist: { type: "string", default: "/tmp/tokenflight-bench-quick-dist" },
  },
});
const server = await startServer({ pageDir: join(root, "bench/page"), distDir: resolve(values.dist) });
const browser = await launchChromium();
const names = ["tokenflight", "plain"];
const samples = [];
for (let i = 0; i < Number(values.samples); i++) {
  for (const name of i % 2 ? [...names].reverse() : names) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => window.bench !== undefined);
    samples.push(
      await page.evaluate(async (name) => {
        const t0 = performance.now();
        const mod = await import(`/dist/${name}/index.js`);
        const t1 = performance.now();
        if (mod.wasmBytes) await mod.wasmBytes(); // tokenflight: fetch, compile, instantiate
        const t2 = performance.now();
        await mod.create({ refreshUrl: "/refresh", access: "startup-token" });
        const t3 = performance.now();
        await mod.create({ refreshUrl: "/refresh-2", access: "startup-token" });
        const t4 = performance.now();
        const entries = performance.getEntriesByType("resource");
        const download = (test) => {
          const e = entries.find((x) => test(x.name));
          return e ? e.responseEnd - e.startTime : 0;
        };
        return {
          name,
          "import": t1 - t0,
          "bundle download": download((u) => u.includes(`/dist/${name}/index.js`)),
          "Wasm load": t2 - t1,
          "Wasm download": download((u) => u.endsWith(".wasm")),
          "first manager": t3 - t2,
          "second manager": t4 - t3,
          "import to ready": t3 - t0,
        };
      }, name),
    );
    await context.close();
  }
}
await browser.close();
await server.close();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const phases = Object.keys(samples[0]).filter((k) => k !== "name");
console.log(`| phase (median ms of ${values.samples} cold samples) | ${names.join(" | ")} |`);
console.log(`|---|${names.map(() => "---:").join("|")}|`);
for (const phase of phases) {
  const cells = names.map((n) => median(samples.filter((s) => s.name === n).map((s) => s[phase])).toFixed(2));
  console.log(`| ${phase} | ${cells.join(" | ")} |`);
}
