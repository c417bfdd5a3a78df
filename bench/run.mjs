// The benchmark driver (scripts/bench.sh runs it): bundles the contenders, serves them from a
// loopback server, runs every measurement in Chromium interleaved across contenders and
// repetitions, checks correctness as it goes, and writes BENCHMARKS.md with one SVG chart per
// measurement. `--quick` runs small counts and exits non-zero on any correctness failure (a
// check of the harness itself, not a measurement).
import { parseArgs } from "node:util";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem, type, release } from "node:os";
import { execFileSync } from "node:child_process";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../tests/e2e/browser.mjs";
import { bundleAll } from "./bundle.mjs";
import { startServer } from "./server.mjs";
import { barChart, fmt } from "./svg.mjs";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");
const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    reps: { type: "string" },
    out: { type: "string" },
    charts: { type: "string" },
    "bundle-only": { type: "boolean", default: false },
  },
});
const quick = args.quick;
const cfg = quick
  ? { reps: 1, calls: 500, throughputCalls: 200, workers: 16, stubN: [100, 1000], realN: [100], memorySamples: 1, startupSamples: 2 }
  : { reps: 5, calls: 20000, throughputCalls: 2000, workers: 16, stubN: [100, 1000, 10000], realN: [100, 1000], memorySamples: 3, startupSamples: 20 };
if (args.reps) cfg.reps = Number(args.reps);
const outFile = resolve(args.out ?? (quick ? "/tmp/tokenflight-bench-quick.md" : join(root, "BENCHMARKS.md")));
const chartDir = resolve(args.charts ?? (quick ? "/tmp/tokenflight-bench-quick" : join(root, "docs/bench")));

const pkg = resolve(process.env.BENCH_TOKENFLIGHT_PKG ?? join(root, "pkg"));
const baseline = process.env.BENCH_BASELINE_PKG && resolve(process.env.BENCH_BASELINE_PKG);
const entry = (n) => `bench/contenders/${n}.js`;
const CONTENDERS = [
  { name: "tokenflight", label: "tokenflight", entry: entry("tokenflight"), pkg, highlight: true, must1: true },
  ...(baseline
    ? [{ name: "tokenflight-before", label: process.env.BENCH_BASELINE_LABEL ?? "tokenflight (baseline)", entry: entry("tokenflight"), pkg: baseline, must1: true }]
    : []),
  { name: "axios-interceptor", label: "axios + interceptor", entry: entry("axios-interceptor") },
  { name: "axios-auth-refresh", label: "axios + axios-auth-refresh", entry: entry("axios-auth-refresh") },
  { name: "ky", label: "ky + afterResponse hook", entry: entry("ky") },
  { name: "plain", label: "plain fetch wrapper (floor)", entry: entry("plain"), floor: true },
];
/** Not a contender: the fetch in use with a fixed header, to show what the floor itself costs. */
const BARE = { name: "bare", label: "fetch alone (reference)", entry: entry("bare"), reference: true };
const ALL = [...CONTENDERS, BARE];
const label = (name) => ALL.find((c) => c.name === name)?.label ?? name;

const log = (...a) => console.log(...a);
const failures = [];

// The quick check bundles elsewhere, so it can run while a full benchmark serves bench/dist.
const distDir = quick ? "/tmp/tokenflight-bench-quick-dist" : join(root, "bench/dist");
log(`bench: bundling ${ALL.length} contenders and 3 references with esbuild`);
const sizes = await bundleAll({ root, distDir, contenders: ALL });
if (args["bundle-only"]) process.exit(0);
const server = await startServer({ pageDir: join(root, "bench/page"), distDir });
const browser = await launchChromium(["--js-flags=--expose-gc", "--enable-precise-memory-info"]);
const chromiumVersion = browser.version();

async function freshPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => window.bench !== undefined);
  return { page, close: () => context.close() };
}
// A measurement that throws is recorded as that contender's failure; the run goes on.
// A measurement that does not settle in 3 minutes (a crashed page never answers) counts as failed.
const call = (page, fn, ...a) => {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("no answer in 180 s")), 180_000)));
  return Promise.race([page.evaluate(([fn, a]) => window.bench[fn](...a), [fn, a]), timeout])
    .catch((e) => ({ crashed: String(e?.message ?? e).split("\n")[0].slice(0, 160) }))
    .finally(() => clearTimeout(timer));
};

// Each repetition runs every contender once per measurement, in an order rotated per repetition.
const rotate = (list, k) => list.map((_, i) => list[(i + k) % list.length]);
const results = {}; // key -> name -> [samples]
const record = (key, name, sample) => ((results[key] ??= {})[name] ??= []).push(sample);

function check(key, name, s, { refreshes }) {
  const problems = [];
  if (s.crashed) problems.push(`measurement failed: ${s.crashed}`);
  if (s.lost) problems.push(`${s.lost} lost`);
  if (!s.crashed && refreshes !== undefined && s.refreshes !== refreshes) problems.push(`${s.refreshes} refreshes`);
  if (s.warm === false) problems.push("warm-up call failed");
  if (s.settled === false) problems.push("never queued");
  if (problems.length) {
    s.problems = problems;
    const c = ALL.find((x) => x.name === name);
    if (c?.must1 || c?.floor || c?.reference) failures.push(`${key} ${name}: ${problems.join(", ")}`);
  }
}

const loadBefore = loadavg()[0];
/** A call in the shared page; after a failure the page is replaced, so one crash costs one sample. */
async function mainCall(fn, ...a) {
  const s = await call(main.page, fn, ...a);
  if (s.crashed) {
    await main.close().catch(() => {});
    main = await freshPage();
  }
  return s;
}
let main = await freshPage();
log(`bench: Chromium ${chromiumVersion}, ${cfg.reps} repetitions`);
// Warm-up (not recorded): let each contender's code be compiled before it is timed.
for (const c of ALL) {
  await mainCall("overhead", c.name, "sequential", Math.min(2000, cfg.calls));
  await mainCall("overhead", c.name, "concurrent", Math.min(2000, cfg.calls));
  if (!c.reference) await mainCall("stubStorm", c.name, 100);
}
for (let rep = 0; rep < cfg.reps; rep++) {
  log(`bench: repetition ${rep + 1}/${cfg.reps}`);
  for (const mode of ["sequential", "concurrent"]) {
    for (const c of rotate(ALL, rep)) {
      const s = await mainCall("overhead", c.name, mode, cfg.calls);
      check(`overhead ${mode}`, c.name, s, { refreshes: 0 });
      record(`overhead-${mode}`, c.name, s);
    }
  }
  for (const c of rotate(ALL, rep)) {
    const s = await mainCall("throughput", c.name, cfg.throughputCalls, cfg.workers);
    check("throughput", c.name, s, { refreshes: 0 });
    record("throughput", c.name, s);
  }
  for (const n of cfg.stubN) {
    for (const c of rotate(CONTENDERS, rep)) {
      const s = await mainCall("stubStorm", c.name, n);
      check(`stub storm N=${n}`, c.name, s, { refreshes: 1 });
      record(`stub-${n}`, c.name, s);
    }
  }
  for (const n of cfg.realN) {
    for (const c of rotate(CONTENDERS, rep)) {
      const s = await mainCall("realStorm", c.name, n);
      check(`loopback storm N=${n}`, c.name, s, { refreshes: 1 });
      record(`real-${n}`, c.name, s);
    }
  }
}
await main.close();

log("bench: memory at the peak of each storm (a fresh page per sample)");
for (let i = 0; i < cfg.memorySamples; i++) {
  for (const n of cfg.stubN) {
    for (const c of rotate(CONTENDERS, i)) {
      const p = await freshPage();
      const s = await call(p.page, "stubStorm", c.name, n, true);
      await p.close();
      check(`memory storm N=${n}`, c.name, s, { refreshes: 1 });
      record(`memory-${n}`, c.name, s);
    }
  }
}

log(`bench: start-up, ${cfg.startupSamples} cold samples each (a fresh browser context per sample)`);
for (let i = 0; i < cfg.startupSamples; i++) {
  for (const c of rotate(ALL, i)) {
    const p = await freshPage();
    const s = await call(p.page, "startup", c.name);
    await p.close();
    if (!s.ready) failures.push(`startup ${c.name}: not ready${s.crashed ? ` (${s.crashed})` : ""}`);
    record("startup", c.name, s);
  }
}
await browser.close();
await server.close();

// ---- statistics and report ----
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stat = (key, name, field) => {
  const xs = (results[key]?.[name] ?? []).map((s) => s[field]).filter(Number.isFinite);
  return xs.length ? { min: Math.min(...xs), max: Math.max(...xs), median: median(xs), n: xs.length } : { min: NaN, max: NaN, median: NaN, n: 0 };
};
const problems = (key, name) => {
  const all = (results[key]?.[name] ?? []).flatMap((s) => s.problems ?? []);
  return [...new Set(all)];
};
const verdict = (keys, name) => {
  const p = [...new Set(keys.flatMap((k) => problems(k, name)))];
  return p.length ? `**${p.join("; ")}**` : "ok";
};
const refreshRange = (key, name) => {
  const xs = (results[key]?.[name] ?? []).map((s) => s.refreshes).filter(Number.isFinite);
  if (!xs.length) return "—";
  const lo = Math.min(...xs), hi = Math.max(...xs);
  return lo === hi ? `${lo}` : `${lo}–${hi}`;
};

const md = [];
const charts = {};
const chartRel = (file) => relative(resolve(outFile, ".."), join(chartDir, file));
const commit = (() => {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root }).toString().trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: root }).toString().trim();
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return "unknown";
  }
})();
const cpu = cpus();
md.push("# Benchmarks", "");
md.push(
  "tokenflight against what apps use today for the same job, measured side by side in one run of",
  "`bash scripts/bench.sh` (it writes this file and the charts in `docs/bench/`). Every contender is",
  "bundled for the browser with esbuild (ESM, minified) and loaded into the same Chromium page;",
  "contenders and repetitions are interleaved; tables give the median and the minimum over the",
  "repetitions. Correctness is checked while measuring: the refresh calls each storm made and every",
  "call's answer (the server's 200 body) are counted, and a failure is printed next to the numbers.",
  "",
);
md.push("| | |", "|---|---|");
md.push(`| command | \`bash scripts/bench.sh\`${quick ? " --quick (harness check, small counts: not a measurement)" : ""} |`);
md.push(`| date | ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC |`);
md.push(`| machine | ${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${type()} ${release()}; load average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end (shared with other work: absolute numbers are noisy, the side-by-side ratios less so) |`);
md.push(`| browser | Chromium ${chromiumVersion} (headless, playwright-core), flags \`--js-flags=--expose-gc --enable-precise-memory-info\` |`);
md.push(`| Node | ${process.version} (drives the page and serves loopback HTTP/1.1) |`);
md.push(`| tokenflight | commit ${commit}, package \`${relative(root, pkg) || "."}\`${baseline ? `; baseline \`${baseline}\` (${label("tokenflight-before")})` : ""} |`);
md.push(`| repetitions | ${cfg.reps} (overhead, throughput, storms), ${cfg.memorySamples} fresh pages (memory), ${cfg.startupSamples} fresh contexts (start-up) |`);
md.push("");
md.push("Contenders (sources in `bench/contenders/`):", "");
md.push("- **tokenflight**: `auth.fetch(url)`, the package built by `scripts/build.sh`.");
if (baseline) md.push(`- **${label("tokenflight-before")}**: the same contender code against an earlier package.`);
md.push(
  "- **axios + interceptor**: axios (fetch adapter) with the classic `isRefreshing` + `failedQueue` response interceptor.",
  "- **axios + axios-auth-refresh**: axios (fetch adapter) with `createAuthRefresh(..., { pauseInstanceWhileRefreshing: true })`.",
  "- **ky + afterResponse hook**: ky with an `afterResponse` hook that refreshes on 401 through one shared promise and retries with `ky.retry`.",
  "- **plain fetch wrapper (floor)**: 30 lines, a shared refresh promise; the least any correct wrapper does.",
  "- *fetch alone (reference)*: the fetch in use called with a fixed header and no refresh logic.",
  "",
  "Every call reads the JSON body (`r.json()`, or axios' `data`). The stubbed network is a fetch that answers in the page at once: it builds `new Request(input, init)` as fetch does, checks the bearer token, and answers 200, 401 or a new token.",
  "",
);

// Targets (issue 16), judged from this run.
const floorName = "plain";
{
  const tf = "tokenflight";
  const med = (key, name, field) => stat(key, name, field).median;
  const rows = [];
  for (const mode of ["sequential", "concurrent"]) {
    const key = `overhead-${mode}`;
    const above = med(key, tf, "usPerCall") - med(key, floorName, "usPerCall");
    rows.push([`per-request overhead above the plain-fetch floor, ${mode}`, `${fmt(above)} µs`, "≤ 25 µs", above <= 25]);
    const axios = med(key, "axios-interceptor", "usPerCall");
    rows.push([`per-request cost vs axios + interceptor, ${mode}`, `${fmt(med(key, tf, "usPerCall"))} vs ${fmt(axios)} µs`, "never above", med(key, tf, "usPerCall") <= axios]);
  }
  const first = cfg.stubN[0], last = cfg.stubN.at(-1);
  const growth = med(`stub-${last}`, tf, "usPerQueued") / med(`stub-${first}`, tf, "usPerQueued");
  rows.push([`storm cost per queued request, N = ${fmt(last)} / N = ${fmt(first)}`, `${fmt(growth)} ×`, "≤ 1.5 ×", growth <= 1.5]);
  const keys = Object.keys(results).filter((k) => /^(stub|real|memory)-/.test(k));
  const counts = [...new Set(keys.flatMap((k) => (results[k][tf] ?? []).map((s) => s.refreshes ?? "failed")))];
  rows.push(["refresh calls per storm, every N and repetition", counts.join(", "), "exactly 1", counts.length === 1 && counts[0] === 1]);
  const su = med("startup", tf, "ms");
  rows.push(["start-up, import to ready manager (cold, median)", `${fmt(su)} ms`, "≤ 5 ms", su <= 5]);
  md.push("## Targets (issue 16), from this run", "", "| target | measured | goal | met |", "|---|---:|---|---|");
  for (const [what, value, goal, met] of rows) md.push(`| ${what} | ${value} | ${goal} | ${met ? "yes" : "**no**"} |`);
  md.push("");
}

// 1. overhead
md.push("## 1. Per-request overhead (stubbed network)", "");
md.push(`${fmt(cfg.calls)} calls per repetition, sequential (\`await\` one after another) and concurrent (all started, then \`Promise.all\`). µs per call; "above floor" is the median minus the plain wrapper's median in the same run.`, "");
const overheadGroups = [];
for (const mode of ["sequential", "concurrent"]) {
  const key = `overhead-${mode}`;
  const floor = stat(key, floorName, "usPerCall").median;
  md.push(`### ${mode}`, "", "| contender | median µs/call | min µs/call | above floor (µs) | × floor | correct |", "|---|---:|---:|---:|---:|---|");
  const rows = [];
  for (const c of ALL) {
    const s = stat(key, c.name, "usPerCall");
    md.push(`| ${c.label} | ${fmt(s.median)} | ${fmt(s.min)} | ${c.floor ? "—" : fmt(s.median - floor)} | ${fmt(s.median / floor)} | ${verdict([key], c.name)} |`);
    rows.push({ label: c.label, value: s.median, highlight: c.highlight, failed: problems(key, c.name).length > 0, note: `${fmt(s.median)} µs (×${fmt(s.median / floor)})` });
  }
  md.push("");
  overheadGroups.push({ title: `${mode}, ${fmt(cfg.calls)} calls`, unit: "µs", rows });
}
charts["overhead.svg"] = barChart({ title: "Per-request overhead, stubbed network (median µs per call; lower is better)", subtitle: `Chromium ${chromiumVersion}, median of ${cfg.reps}`, groups: overheadGroups });
md.push(`![Per-request overhead](${chartRel("overhead.svg")})`, "");

// 2. throughput
md.push("## 2. Loopback throughput (real server, valid token)", "");
md.push(`${fmt(cfg.throughputCalls)} GET requests per repetition to a Node HTTP/1.1 server on 127.0.0.1 (\`bench/server.mjs\`), ${cfg.workers} in flight (Chromium uses 6 connections per host). Requests per second.`, "");
md.push("| contender | median req/s | best req/s | correct |", "|---|---:|---:|---|");
const tpRows = [];
for (const c of ALL) {
  const s = stat("throughput", c.name, "perSecond");
  md.push(`| ${c.label} | ${fmt(s.median)} | ${fmt(s.max)} | ${verdict(["throughput"], c.name)} |`);
  tpRows.push({ label: c.label, value: s.median, highlight: c.highlight, failed: problems("throughput", c.name).length > 0, note: `${fmt(s.median)} req/s` });
}
md.push("");
charts["throughput.svg"] = barChart({ title: "Loopback throughput, valid token (median requests/s; higher is better)", subtitle: `${fmt(cfg.throughputCalls)} requests, ${cfg.workers} in flight, Node server on 127.0.0.1`, groups: [{ title: "requests per second", unit: "req/s", rows: tpRows }] });
md.push(`![Loopback throughput](${chartRel("throughput.svg")})`, "");

// 3. storms
md.push("## 3. Storms after expiry", "");
md.push(
  "The server has expired the token the client holds; N calls start at once. **Stubbed**: every first try is answered 401 while the refresh answer is held until nothing moves any more (every contender has queued what it queues), then released; time to settle runs from the first call to the last answer. **Loopback**: the real server, which answers the refresh at once (so late 401s of the same storm arrive after the refresh: a contender must replay them with the new token, not refresh again). Refresh calls must be exactly 1.",
  "",
);
md.push(
  "Why a contender fails (from its source): **axios + axios-auth-refresh** with its default `deduplicateRefresh: true` stops intercepting while its refresh runs, so the 401s of requests already in flight reject (only requests started later are paused); the **classic interceptor** clears `isRefreshing` when its refresh ends, so a 401 that arrives after that (the loopback storms) starts another refresh.",
  "",
);
const stormGroups = [];
for (const [kind, ns] of [["stub", cfg.stubN], ["real", cfg.realN]]) {
  md.push(`### ${kind === "stub" ? "Stubbed network" : "Loopback server"}`, "");
  md.push("| contender | N | refresh calls | answered | median time to settle (ms) | min (ms) | µs per queued request (median) | correct |", "|---|---:|---:|---:|---:|---:|---:|---|");
  for (const n of ns) {
    const key = `${kind}-${n}`;
    const rows = [];
    for (const c of CONTENDERS) {
      const t = stat(key, c.name, "ms");
      const per = stat(key, c.name, "usPerQueued");
      const ans = stat(key, c.name, "answered");
      md.push(`| ${c.label} | ${fmt(n)} | ${refreshRange(key, c.name)} | ${ans.min === ans.max ? ans.min : `${ans.min}–${ans.max}`} / ${n} | ${fmt(t.median)} | ${fmt(t.min)} | ${fmt(per.median)} | ${verdict([key], c.name)} |`);
      const bad = problems(key, c.name);
      rows.push({ label: c.label, value: per.median, highlight: c.highlight, failed: bad.length > 0, note: `${fmt(per.median)} µs${bad.length ? ` — ${bad.join(", ")}` : ""}` });
    }
    stormGroups.push({ title: `${kind === "stub" ? "stubbed" : "loopback"}, N = ${fmt(n)}`, unit: "µs", rows });
  }
  md.push("");
}
const tfGrowth = (() => {
  const a = stat(`stub-${cfg.stubN[0]}`, "tokenflight", "usPerQueued").median;
  const b = stat(`stub-${cfg.stubN.at(-1)}`, "tokenflight", "usPerQueued").median;
  return b / a;
})();
md.push(`tokenflight's cost per queued request at N = ${fmt(cfg.stubN.at(-1))} is ${fmt(tfGrowth)} × its cost at N = ${fmt(cfg.stubN[0])} (stubbed, medians).`, "");
charts["storms.svg"] = barChart({ title: "Storm after expiry: time to settle per queued request (median µs; lower is better)", subtitle: "red: more than one refresh call or a lost request", groups: stormGroups });
md.push(`![Storms](${chartRel("storms.svg")})`, "");

md.push("### Memory at the peak of a storm (stubbed)", "");
md.push(
  "Each sample in a fresh page: garbage collected, JS heap read (`performance.memory.usedJSHeapSize`, precise) before the storm and again (after a collection) while every call waits for the held refresh; the difference per queued request. It includes the benchmark's own two promises per call (the same for every contender). Wasm: the growth of tokenflight's linear memory (it grows by 64 KiB pages and never shrinks).",
  "",
  "| contender | N | JS heap per queued request (B, median) | Wasm memory growth | correct |",
  "|---|---:|---:|---:|---|",
);
const memGroups = [];
for (const n of cfg.stubN) {
  const key = `memory-${n}`;
  const rows = [];
  for (const c of CONTENDERS) {
    const h = stat(key, c.name, "heapPerQueued");
    const w = stat(key, c.name, "wasmGrowth");
    md.push(`| ${c.label} | ${fmt(n)} | ${fmt(h.median)} | ${c.pkg ? `${fmt(w.median / 1024)} KiB (${fmt(w.median / n)} B per request)` : "—"} | ${verdict([key], c.name)} |`);
    rows.push({ label: c.label, value: h.median, highlight: c.highlight, failed: problems(key, c.name).length > 0, note: `${fmt(h.median)} B${c.pkg ? ` + Wasm ${fmt(w.median / n)} B` : ""}` });
  }
  memGroups.push({ title: `N = ${fmt(n)}`, unit: "B", rows });
}
md.push("");
charts["storm-memory.svg"] = barChart({ title: "JS heap per queued request at the peak of a storm (median bytes; lower is better)", subtitle: "fresh page per sample; tokenflight's Wasm memory growth per request noted", groups: memGroups });
md.push(`![Memory per queued request](${chartRel("storm-memory.svg")})`, "");

// 4. start-up
md.push("## 4. Start-up: import to ready client (cold)", "");
md.push(`Each sample in a fresh browser context (empty HTTP and code caches): \`await import(bundle)\` then create the client (tokenflight: \`createTokenManager\`, which fetches and instantiates the Wasm) — median of ${cfg.startupSamples}.`, "");
md.push("| contender | median ms | min ms |", "|---|---:|---:|");
const suRows = [];
for (const c of ALL) {
  const s = stat("startup", c.name, "ms");
  md.push(`| ${c.label} | ${fmt(s.median)} | ${fmt(s.min)} |`);
  suRows.push({ label: c.label, value: s.median, highlight: c.highlight, note: `${fmt(s.median)} ms` });
}
md.push("");
charts["startup.svg"] = barChart({ title: "Start-up, cold: import to ready client (median ms; lower is better)", subtitle: `median of ${cfg.startupSamples}, fresh browser context each`, groups: [{ title: "import → ready", unit: "ms", rows: suRows }] });
md.push(`![Start-up](${chartRel("startup.svg")})`, "");

// 5. bytes
md.push("## 5. Bytes", "");
md.push("What each contender's bundle loads (esbuild, ESM, minified; tokenflight: the JS bundle plus its `.wasm`), gzip -9 and brotli quality 11. The three references are token/OIDC libraries for SPAs bundled with the export an app calls; they do more (login flows, PKCE) and are listed for scale.", "");
md.push("| bundle | raw B | gzip B | brotli B |", "|---|---:|---:|---:|");
const byteRows = { gzip: [], brotli: [] };
for (const [name, s] of Object.entries(sizes)) {
  const c = ALL.find((x) => x.name === name);
  const lbl = c ? c.label : `${name} (reference)`;
  const detail = s.wasm ? ` (JS ${fmt(s.js.gzip)} + Wasm ${fmt(s.wasm.gzip)} gzip)` : "";
  md.push(`| ${lbl}${detail} | ${s.total.raw.toLocaleString("en-US")} | ${s.total.gzip.toLocaleString("en-US")} | ${s.total.brotli.toLocaleString("en-US")} |`);
  for (const k of ["gzip", "brotli"]) byteRows[k].push({ label: c ? c.label : name, value: s.total[k], highlight: c?.highlight, note: `${s.total[k].toLocaleString("en-US")} B` });
}
md.push("");
charts["bytes.svg"] = barChart({ title: "Bytes loaded (lower is better)", subtitle: "esbuild bundle, minified; tokenflight includes its Wasm", groups: [{ title: "gzip -9", unit: "B", rows: byteRows.gzip }, { title: "brotli 11", unit: "B", rows: byteRows.brotli }] });
md.push(`![Bytes](${chartRel("bytes.svg")})`, "");

md.push(
  "## Finding where the time goes",
  "",
  "`node bench/probe.mjs --profile overhead tokenflight sequential 20000` (after a run, which leaves the bundles in `bench/dist`) runs one measurement under Chromium's CPU profiler (DevTools protocol) and prints the functions with the most self time; `BENCH_TOKENFLIGHT_PKG=dir` bundles another build, e.g. one that keeps function names for the profile: `wasm-pack build --release --target web --out-dir dir --out-name tokenflight_wasm --no-pack -- --features npm` plus `pkg-template/index.js` copied in. `stubStorm tokenflight 10000` and `throughput`, `realStorm`, `startup` work the same way.",
  "",
);
if (failures.length) md.push("## Correctness failures of tokenflight or the floor", "", ...failures.map((f) => `- ${f}`), "");

await mkdir(chartDir, { recursive: true });
for (const [file, svg] of Object.entries(charts)) await writeFile(join(chartDir, file), svg);
await writeFile(outFile, md.join("\n"));
await writeFile(outFile.replace(/\.md$/, ".json"), JSON.stringify({ cfg, sizes, results }, null, 1));
log(`bench: wrote ${relative(process.cwd(), outFile)} and ${Object.keys(charts).length} charts in ${relative(process.cwd(), chartDir) || "."}`);

// The figures the targets are about, one line each (scripts and the lead read these).
for (const mode of ["sequential", "concurrent"]) {
  const key = `overhead-${mode}`;
  const floor = stat(key, floorName, "usPerCall").median;
  for (const c of CONTENDERS) {
    const s = stat(key, c.name, "usPerCall").median;
    log(`BENCH overhead ${mode} ${c.name}: ${fmt(s)} µs/call, ${fmt(s - floor)} µs above floor`);
  }
}
for (const n of cfg.stubN) for (const c of CONTENDERS.filter((c) => c.pkg)) log(`BENCH storm N=${n} ${c.name}: refreshes ${refreshRange(`stub-${n}`, c.name)}, ${fmt(stat(`stub-${n}`, c.name, "usPerQueued").median)} µs per queued request`);
for (const c of CONTENDERS.filter((c) => c.pkg)) log(`BENCH startup ${c.name}: ${fmt(stat("startup", c.name, "ms").median)} ms median`);
if (failures.length) {
  console.error(`bench: ${failures.length} correctness failure(s):\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
log("bench: correctness ok (tokenflight: 1 refresh per storm, every call answered)");
