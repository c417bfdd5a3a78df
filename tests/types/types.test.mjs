// TypeScript: the shipped index.d.ts is valid under --strict, an app using every public API
// compiles with no diagnostic, deliberate misuse fails with exactly the expected diagnostics,
// and what index.d.ts declares (options, event names and payloads, error names) is what the
// runtime accepts and produces (read from the Rust sources that define them).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = resolve(here, "../..");
const tsc = resolve(root, "node_modules/.bin/tsc");
const dts = readFileSync(resolve(root, "pkg/index.d.ts"), "utf8");
const read = (path) => readFileSync(resolve(root, path), "utf8");

/** Runs tsc; returns its diagnostics as { file, line, code } plus the raw output. */
function compile(args) {
  const run = spawnSync(tsc, ["--pretty", "false", ...args], { cwd: root, encoding: "utf8" });
  const output = run.stdout + run.stderr;
  const diagnostics = [...output.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+)/gm)].map(([, file, line, code]) => ({ file, line: Number(line), code }));
  return { status: run.status, output, diagnostics };
}

test(`tsc ${spawnSync(tsc, ["--version"], { encoding: "utf8" }).stdout.trim()}: index.d.ts itself is valid under --strict`, () => {
  const run = compile(["--strict", "--noEmit", "--target", "ES2022", "--lib", "ES2022,DOM", "pkg/index.d.ts"]);
  assert.equal(run.output, "");
  assert.equal(run.status, 0);
});

test("an app using every public API (and axios, ky, ofetch with auth.fetch) compiles under --strict", () => {
  const run = compile(["-p", "tests/types/tsconfig.json"]);
  assert.equal(run.output, "");
  assert.equal(run.status, 0);
});

test("deliberate misuse fails with exactly the diagnostics its lines expect", () => {
  const source = read("tests/types/misuse.ts").split("\n");
  const expected = source.flatMap((text, i) => [...text.matchAll(/expect (TS\d+)/g)].map((m) => `${i + 1} ${m[1]}`));
  assert.ok(expected.length >= 12, "the misuse file expects its diagnostics");
  const run = compile(["-p", "tests/types/tsconfig.misuse.json"]);
  assert.notEqual(run.status, 0);
  assert.ok(run.diagnostics.every((d) => d.file.endsWith("misuse.ts")), run.output);
  assert.deepEqual(run.diagnostics.map((d) => `${d.line} ${d.code}`), expected, run.output);
});

/** Member names of an interface in index.d.ts (top-level members only). */
function members(name) {
  const body = dts.match(new RegExp(`export interface ${name}[^{]*\\{([\\s\\S]*?)\\n\\}`))[1];
  return [...body.matchAll(/^  (?:readonly )?(\w+)\??[:(<]/gm)].map((m) => m[1]);
}

test("index.d.ts options are exactly the options the runtime accepts (src/web/options.rs)", () => {
  // The first string of each row of the options table.
  const table = read("src/web/options.rs").match(/const TABLE: \[\(&str, Kind, &str\); \d+\] = \[([\s\S]*?)\n\];/)[1];
  const runtime = [...table.matchAll(/^\s*\("(\w+)",/gm)].map((m) => m[1]).sort();
  assert.deepEqual(members("TokenManagerOptions").sort(), runtime);
});

test("index.d.ts events and payloads are those dispatched (src/web/events.rs)", () => {
  const events = read("src/web/events.rs");
  const names = [...events.match(/const NAMES: \[\(&str, EventKind\); \d+\] = \[([\s\S]*?)\];/)[1].matchAll(/\("(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual(members("TokenManagerEvents").sort(), [...names].sort());
  // Optional members (`scope?`) are keys set only sometimes.
  const payloadOf = (event) => dts.match(new RegExp(`  ${event}: \\{ (.*?) \\};`))[1].split("; ").map((f) => f.split(":")[0].replace(/\?$/, ""));
  // The arms of `Listeners::dispatch`, one per event: the string literals in each are the keys.
  const dispatch = events.slice(events.indexOf("pub fn dispatch"), events.indexOf("let targets"));
  const arms = dispatch.split(/(?=Event::)/);
  const keysIn = (variant) => [...arms.find((a) => new RegExp(`^Event::${variant}\\b`).test(a)).matchAll(/"(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual(payloadOf("refresh"), keysIn("Refresh"));
  assert.deepEqual(payloadOf("sessionEnd"), keysIn("SessionEnd"));
  assert.deepEqual(payloadOf("tokenChange"), keysIn("TokenChange"));
  const reasons = [...read("src/error.rs").matchAll(/EndReason::\w+ => "(\w+)"/g)].map((m) => m[1]).sort();
  const declared = dts.match(/export type SessionEndReason = (.*);/)[1].match(/"(\w+)"/g).map((s) => s.slice(1, -1)).sort();
  assert.deepEqual(declared, reasons);
});

test("index.d.ts error names are the runtime's (src/error.rs, plus the entry's UnsupportedEnvironment)", () => {
  const fromRust = [...read("src/error.rs").matchAll(/Error::\w+(?:\(_\)| \{ \.\. \})? => "(\w+)"/g)].map((m) => m[1]);
  const fromEntry = [...read("pkg-template/index.js").matchAll(/\.name = "(\w+)"/g)].map((m) => m[1]);
  const declared = [...dts.match(/export type TokenflightErrorName =([\s\S]*?);/)[1].matchAll(/"(\w+)"/g)].map((m) => m[1]);
  assert.ok(fromRust.length >= 10);
  assert.deepEqual(declared.sort(), [...fromRust, ...fromEntry].sort());
});
