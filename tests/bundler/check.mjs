// Bundler check: the same app (tests/bundler/app, importing the package by its name from the one
// pkg/ that scripts/build.sh made) built with Vite, webpack 5, esbuild and Rollup, plus a page with
// no build step that maps "tokenflight" with an import map. Each is served on 127.0.0.1 and run
// in headless Chromium: the Wasm must load, a storm of 50 must make one refresh (against the
// app's in-page test double), and the console must stay free of errors.
import { build as vite } from "vite";
import webpack from "webpack";
import { build as esbuild } from "esbuild";
import { rollup } from "rollup";
import { createServer } from "node:http";
import { copyFile, mkdir, readFile, rm } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../e2e/browser.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = resolve(here, "../..");
const app = resolve(here, "app");
const entry = resolve(app, "main.js");
const pkgEntry = resolve(root, "pkg/index.js");
const wasm = resolve(root, "pkg/tokenflight_wasm_bg.wasm");
const out = (name) => resolve(root, "target/bundler", name);

/** Each build writes `index.html` + `main.js` (+ the Wasm) into its own directory. */
const builds = {
  async vite() {
    await vite({
      root: app,
      logLevel: "warn",
      base: "./", // served from a subdirectory here
      resolve: { alias: { tokenflight: pkgEntry } },
      build: { outDir: out("vite"), emptyOutDir: true, target: "es2022" },
    });
  },
  async webpack() {
    // webpack 5 turns `new URL("./x.wasm", import.meta.url)` into an emitted asset by itself.
    const stats = await new Promise((done, fail) =>
      webpack({
        mode: "production",
        entry,
        output: { path: out("webpack"), filename: "main.js", publicPath: "auto", clean: true },
        resolve: { alias: { tokenflight: pkgEntry } },
        performance: { hints: false },
      }).run((error, result) => (error ? fail(error) : done(result))),
    );
    if (stats.hasErrors() || stats.hasWarnings()) throw new Error(stats.toString("errors-warnings"));
    await copyFile(resolve(app, "index.html"), resolve(out("webpack"), "index.html"));
  },
  async esbuild() {
    // esbuild leaves `new URL(..., import.meta.url)` as it is: the Wasm is copied next to the bundle.
    await rm(out("esbuild"), { recursive: true, force: true });
    await esbuild({
      entryPoints: [entry],
      bundle: true,
      format: "esm",
      target: "es2022",
      outfile: resolve(out("esbuild"), "main.js"),
      alias: { tokenflight: pkgEntry },
      logLevel: "warning",
    });
    await copyFile(wasm, resolve(out("esbuild"), "tokenflight_wasm_bg.wasm"));
    await copyFile(resolve(app, "index.html"), resolve(out("esbuild"), "index.html"));
  },
  async rollup() {
    // Rollup, like esbuild, keeps `import.meta.url`: the Wasm is copied next to the bundle.
    await rm(out("rollup"), { recursive: true, force: true });
    const bundle = await rollup({
      input: entry,
      plugins: [{ name: "tokenflight-from-pkg", resolveId: (id) => (id === "tokenflight" ? pkgEntry : null) }],
      onwarn: (warning) => {
        throw new Error(`rollup: ${warning.message}`);
      },
    });
    await bundle.write({ file: resolve(out("rollup"), "main.js"), format: "es" });
    await bundle.close();
    await copyFile(wasm, resolve(out("rollup"), "tokenflight_wasm_bg.wasm"));
    await copyFile(resolve(app, "index.html"), resolve(out("rollup"), "index.html"));
  },
};

const pages = {};
for (const [name, run] of Object.entries(builds)) {
  const started = Date.now();
  await mkdir(out(name), { recursive: true });
  await run();
  pages[name] = `/target/bundler/${name}/index.html`;
  console.log(`bundler ${name}: built in ${Date.now() - started} ms`);
}
pages["import map (no build)"] = "/tests/bundler/importmap.html";

// Serves the repository read-only: the builds' outputs, and pkg/ + the app's sources for the
// import-map page.
const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm" };
const server = createServer(async (req, res) => {
  const path = join(root, decodeURIComponent(new URL(req.url, "http://x").pathname));
  try {
    if (!path.startsWith(root + sep)) throw new Error("outside");
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
let failed = 0;
try {
  for (const [name, path] of Object.entries(pages)) {
    const page = await browser.newPage();
    const errors = [];
    const wasmLoads = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("response", (r) => {
      if (r.url().endsWith(".wasm")) wasmLoads.push(`${r.status()} ${r.headers()["content-type"]}`);
    });
    await page.goto(`http://127.0.0.1:${port}${path}`);
    const result = await page
      .waitForFunction(() => document.getElementById("out").textContent !== "loading", null, { timeout: 15000 })
      .then(() => page.textContent("#out"), () => "still loading after 15 s");
    const ok = result === "ok=50 refreshCalls=1" && errors.length === 0 && wasmLoads.join() === "200 application/wasm";
    console.log(`bundler ${name}: ${result}; wasm ${wasmLoads.join(", ") || "not loaded"}; console errors ${errors.length}${ok ? "" : "  FAILED"}`);
    if (!ok) {
      failed++;
      for (const e of errors) console.error(`  ${e}`);
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
if (failed) {
  console.error(`bundler check FAILED for ${failed} of ${Object.keys(pages).length}`);
  process.exitCode = 1;
} else {
  console.log(`bundler check: ${Object.keys(pages).length} passed, 0 failed`);
}
