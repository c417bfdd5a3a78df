// Compile + instantiate time of built packages' Wasm in Chromium, cold: each sample in a fresh
// browser context, packages interleaved, median and minimum of N samples (default 20).
//   usage: node scripts/wasm_load_time.mjs [--samples N] NAME=PKG_DIR [NAME=PKG_DIR ...]
//   e.g.   node scripts/wasm_load_time.mjs before=/tmp/old/pkg after=pkg
// The bytes are fetched before the clock starts (download time is the network's, not the
// engine's); `compile` is WebAssembly.compile(bytes), `instantiate` is the package's own glue
// instantiating that module with its imports (init({ module_or_path: module })).
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";
import { parseArgs } from "node:util";
import { launchChromium } from "../tests/e2e/browser.mjs";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { samples: { type: "string", default: "20" } },
});
const samples = Number(values.samples);
const packages = positionals.map((arg) => {
  const [name, dir] = arg.split("=");
  if (!name || !dir) throw new Error(`expected NAME=PKG_DIR, got ${arg}`);
  return { name, dir: resolve(dir) };
});
if (!packages.length) throw new Error("usage: wasm_load_time.mjs NAME=PKG_DIR [NAME=PKG_DIR ...]");

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
const server = createServer(async (req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  if (url.pathname === "/") {
    res.writeHead(200, { "content-type": "text/html" });
    return res.end("<!doctype html><title>wasm load time</title>");
  }
  const [, index, ...rest] = url.pathname.split("/");
  const pkg = packages[Number(index)];
  const path = pkg && normalize(join(pkg.dir, ...rest));
  if (!pkg || !path.startsWith(pkg.dir)) {
    res.writeHead(404);
    return res.end();
  }
  try {
    const body = await readFile(path);
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream", "cache-control": "no-store" });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((done) => server.listen(0, "127.0.0.1", done));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await launchChromium();
const results = packages.map(() => ({ compile: [], instantiate: [] }));
for (let i = 0; i < samples; i++) {
  for (let k = 0; k < packages.length; k++) {
    const index = (i + k) % packages.length; // rotate the order between rounds
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    const sample = await page.evaluate(async (base) => {
      const glue = await import(`${base}/tokenflight_wasm.js`);
      const bytes = await (await fetch(`${base}/tokenflight_wasm_bg.wasm`)).arrayBuffer();
      const t0 = performance.now();
      const module = await WebAssembly.compile(bytes);
      const t1 = performance.now();
      await glue.default({ module_or_path: module });
      const t2 = performance.now();
      return { compile: t1 - t0, instantiate: t2 - t1 };
    }, `${origin}/${index}`);
    await context.close();
    results[index].compile.push(sample.compile);
    results[index].instantiate.push(sample.instantiate);
  }
}
await browser.close();
server.close();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => x.toFixed(2);
console.log(`| package | compile median (min) ms | instantiate median (min) ms | compile + instantiate median ms |`);
console.log(`|---|---:|---:|---:|`);
packages.forEach((pkg, k) => {
  const { compile, instantiate } = results[k];
  const total = compile.map((c, i) => c + instantiate[i]);
  console.log(
    `| ${pkg.name} | ${ms(median(compile))} (${ms(Math.min(...compile))}) | ${ms(median(instantiate))} (${ms(Math.min(...instantiate))}) | ${ms(median(total))} |`,
  );
});
console.log(`(${samples} cold samples each, a fresh browser context per sample, Chromium ${browser.version()})`);
