// What `npm pack` of pkg/ (built by scripts/build.sh) would publish: exactly the intended files,
// no source maps or tests, no dependencies, the entry points and types where package.json says,
// `sideEffects: false` true of the entry, and the size the packed README claims.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../pkg");
const manifest = JSON.parse(readFileSync(resolve(pkg, "package.json"), "utf8"));

test("npm pack publishes exactly the entry, its types, the glue, the Wasm, package.json and the README", () => {
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts", pkg], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
  const files = packed.files.map((f) => f.path).sort();
  assert.deepEqual(files, ["README.md", "index.d.ts", "index.js", "package.json", "tokenflight_wasm.js", "tokenflight_wasm_bg.wasm"]);
  assert.ok(!files.some((f) => /\.map$|test|spec/i.test(f)));
  assert.equal(packed.name, "tokenflight");
});

test("package.json: ES module, exports and types point at shipped files, no dependencies, sideEffects false", () => {
  assert.equal(manifest.type, "module");
  assert.equal(manifest.types, "./index.d.ts");
  assert.deepEqual(Object.keys(manifest.exports["."]), ["types", "import", "default"], "types first, as TypeScript requires");
  assert.equal(manifest.exports["."].types, "./index.d.ts");
  assert.equal(manifest.exports["."].import, "./index.js");
  for (const path of [manifest.main, manifest.module, manifest.types, ...Object.values(manifest.exports["."])]) {
    assert.ok(existsSync(resolve(pkg, path)), `${path} is in pkg/`);
    assert.ok(manifest.files.includes(path.replace(/^\.\//, "")), `${path} is in "files"`);
  }
  assert.equal(manifest.sideEffects, false);
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies", "bundleDependencies"]) {
    assert.equal(manifest[field], undefined, `the package has no ${field}`);
  }
});

test("sideEffects: false is true: importing the entry defines no global and starts nothing", async () => {
  const before = new Set(Reflect.ownKeys(globalThis));
  const entry = await import(resolve(pkg, "index.js"));
  assert.deepEqual(Object.keys(entry), ["createTokenManager"]);
  assert.deepEqual(Reflect.ownKeys(globalThis).filter((k) => !before.has(k)), []);
});

test("the packed README's size claim holds for what a browser downloads (gzip -9 of Wasm + JS)", () => {
  const readme = readFileSync(resolve(pkg, "README.md"), "utf8");
  const claim = readme.match(/under (\d+) KiB gzipped, JS included/);
  assert.ok(claim, "the README states the size");
  // The gzip program, as scripts/build.sh measures (Node's zlib compresses Wasm differently).
  const gz = (...names) => execFileSync("gzip", ["-9", "-c"], { input: Buffer.concat(names.map((n) => readFileSync(resolve(pkg, n)))) }).length;
  const total = gz("tokenflight_wasm_bg.wasm") + gz("tokenflight_wasm.js", "index.js");
  console.log(`packed size: ${total} B gzip; README claims under ${claim[1]} KiB`);
  assert.ok(total < Number(claim[1]) * 1024, `${total} B is under ${claim[1]} KiB`);
});
