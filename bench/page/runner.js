// The measurements, run inside one Chromium page; bench/run.mjs calls them one at a time,
// interleaving contenders and repetitions. Every measurement also checks correctness: how many
// refresh calls were made and whether every call was answered with the server's 200 body.
import { stubNetwork, REFRESH_PATH } from "./stub.js";

const DATA_URL = "/api/data";
const modules = {};

async function contender(name) {
  modules[name] ??= await import(`/dist/${name}/index.js`);
  return modules[name];
}

/** One macrotask: every microtask queued before it has run by the time it resolves. */
function macrotask() {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(0);
  });
}

function collect() {
  if (typeof globalThis.gc === "function") globalThis.gc();
}

// The first failure's message is kept (a contender that loses requests says why).
let firstError = null;
const succeeded = (promise) =>
  promise.then(
    (d) => d?.ok === true || ((firstError ??= `resolved with ${JSON.stringify(d)}`), false),
    (e) => ((firstError ??= String(e?.message ?? e).slice(0, 120)), false),
  );
const takeError = () => {
  const e = firstError;
  firstError = null;
  return e;
};

/** Calls answered with the 200 body out of `outcomes`. */
const countTrue = (outcomes) => outcomes.reduce((n, ok) => n + (ok ? 1 : 0), 0);

/** Per-call cost against a network that answers at once (no refresh needed). */
export async function overhead(name, mode, n) {
  const net = stubNetwork();
  const client = await (await contender(name)).create({ fetch: net.fetch, refreshUrl: REFRESH_PATH, access: net.token() });
  collect();
  let answered = 0;
  const t0 = performance.now();
  if (mode === "sequential") {
    for (let i = 0; i < n; i++) if (await succeeded(client.get(DATA_URL))) answered++;
  } else {
    const calls = new Array(n);
    for (let i = 0; i < n; i++) calls[i] = succeeded(client.get(DATA_URL));
    answered = countTrue(await Promise.all(calls));
  }
  const ms = performance.now() - t0;
  return { ms, usPerCall: (ms * 1000) / n, answered, lost: n - answered, error: takeError(), refreshes: net.counts.refreshes };
}

async function bench(path, init) {
  // The harness's own calls retry once: a network hiccup there is not a contender's failure.
  const r = await fetch(path, init).catch(() => fetch(path, init));
  if (!r.ok) throw new Error(`${path} answered ${r.status}`);
  return r.json();
}

/** Requests per second to the loopback server with a valid token, `workers` calls in flight. */
export async function throughput(name, n, workers) {
  const { token } = await bench("/__bench/token");
  const before = await bench("/__bench/counters");
  const client = await (await contender(name)).create({ refreshUrl: REFRESH_PATH, access: token });
  let next = 0;
  let answered = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      if (await succeeded(client.get(DATA_URL))) answered++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: workers }, worker));
  const ms = performance.now() - t0;
  const after = await bench("/__bench/counters");
  return { ms, perSecond: (n * 1000) / ms, answered, lost: n - answered, error: takeError(), refreshes: after.refreshes - before.refreshes };
}

/** Waits until nothing moves for two macrotasks and the refresh call arrived (deadline 30 s). */
async function queued(counts) {
  const end = performance.now() + 30000;
  let last = -1;
  let still = 0;
  while (performance.now() < end) {
    await macrotask();
    still = counts.requests === last ? still + 1 : 0;
    last = counts.requests;
    if (still >= 2 && counts.refreshes > 0) return true;
  }
  return false;
}

/**
 * A storm after expiry against the stubbed network: `n` concurrent calls all meet 401 while the
 * refresh answer is held, then it is released. `memory`: collect garbage and read the JS heap
 * (and tokenflight's Wasm memory) before the storm and at its peak, outside the timed spans.
 */
export async function stubStorm(name, n, memory = false) {
  const net = stubNetwork();
  const mod = await contender(name);
  const client = await mod.create({ fetch: net.fetch, refreshUrl: REFRESH_PATH, access: net.token() });
  const warm = await succeeded(client.get(DATA_URL));
  net.expire();
  const release = net.hold();
  const heap = () => performance.memory?.usedJSHeapSize ?? NaN;
  const wasm = async () => (mod.wasmBytes ? mod.wasmBytes() : NaN);
  let heap0 = NaN, wasm0 = NaN, heap1 = NaN, wasm1 = NaN;
  if (memory) {
    collect();
    heap0 = heap();
    wasm0 = await wasm();
  } else collect();
  const t0 = performance.now();
  const calls = new Array(n);
  for (let i = 0; i < n; i++) calls[i] = succeeded(client.get(DATA_URL));
  const settled = await queued(net.counts);
  const queueMs = performance.now() - t0;
  if (memory) {
    collect();
    heap1 = heap();
    wasm1 = await wasm();
  }
  const t1 = performance.now();
  release();
  const answered = countTrue(await Promise.all(calls));
  const releaseMs = performance.now() - t1;
  const ms = queueMs + releaseMs;
  return {
    warm, settled, ms, queueMs, releaseMs, usPerQueued: (ms * 1000) / n,
    answered, lost: n - answered, error: takeError(), refreshes: net.counts.refreshes, unauthorized: net.counts.unauthorized,
    heapPerQueued: (heap1 - heap0) / n, wasmGrowth: wasm1 - wasm0,
  };
}

/** A storm after expiry against the loopback server (Chromium's 6 connections per host apply). */
export async function realStorm(name, n) {
  const { token } = await bench("/__bench/token");
  const client = await (await contender(name)).create({ refreshUrl: REFRESH_PATH, access: token });
  const warm = await succeeded(client.get(DATA_URL));
  await bench("/__bench/expire", { method: "POST" });
  const before = await bench("/__bench/counters");
  collect();
  const t0 = performance.now();
  const calls = new Array(n);
  for (let i = 0; i < n; i++) calls[i] = succeeded(client.get(DATA_URL));
  const answered = countTrue(await Promise.all(calls));
  const ms = performance.now() - t0;
  const after = await bench("/__bench/counters");
  return {
    warm, ms, usPerQueued: (ms * 1000) / n, answered, lost: n - answered, error: takeError(),
    refreshes: after.refreshes - before.refreshes, unauthorized: after.unauthorized - before.unauthorized,
  };
}

/** Import to ready client, in a page that has loaded nothing else (run in a fresh context). */
export async function startup(name) {
  const t0 = performance.now();
  const mod = await import(`/dist/${name}/index.js`);
  const client = await mod.create({ refreshUrl: REFRESH_PATH, access: "startup-token" });
  const ms = performance.now() - t0;
  return { ms, ready: typeof client.get === "function" };
}
