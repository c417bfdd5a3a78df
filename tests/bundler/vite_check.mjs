// Bundler check: builds tests/bundler/app with Vite (importing the package by its name, from
// pkg/), serves the output on 127.0.0.1 and runs it in headless Chromium.
import { build } from "vite";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../e2e/browser.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = resolve(here, "../..");
const outDir = resolve(root, "target/bundler-vite");

await build({
  root: resolve(here, "app"),
  logLevel: "warn",
  resolve: { alias: { tokenflight: resolve(root, "pkg/index.js") } },
  build: { outDir, emptyOutDir: true, target: "es2022" },
});

const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
const server = createServer(async (req, res) => {
  const path = join(outDir, new URL(req.url, "http://x").pathname.replace(/\/$/, "/index.html"));
  try {
    const body = await readFile(path);
    res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const { port } = server.address();

const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => document.getElementById("out").textContent !== "loading", null, { timeout: 15000 });
  const result = await page.textContent("#out");
  console.log(`vite bundle: ${result}`);
  if (result !== "ok=50 refreshCalls=1" || errors.length) {
    console.error("vite bundle check FAILED", errors);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
  server.close();
}
