// Smoke test of the built package in Node: the glue's imports and exports line up with the Wasm
// (after renaming), the module starts, and a manager can be created through the entry (which
// defines the promise-returning methods) and used offline.
import { readFileSync } from "node:fs";
import init from "../pkg/tokenflight_wasm.js";
import { createTokenManager } from "../pkg/index.js";

// Loaded here from the file (Node's fetch reads no file: URLs); the entry's load then finds it
// loaded. The entry wants a page.
await init({ module_or_path: readFileSync(new URL("../pkg/tokenflight_wasm_bg.wasm", import.meta.url)) });
globalThis.location ??= new URL("http://127.0.0.1:9/");
const calls = [];
const auth = await createTokenManager({
  refreshUrl: "http://127.0.0.1:9/refresh",
  allowedOrigins: ["http://127.0.0.1:9"],
  fetch: async (request) => {
    calls.push(request.url);
    return request.url.endsWith("/refresh")
      ? new Response(JSON.stringify({ access_token: "fresh", expires_in: 60 }), { headers: { "content-type": "application/json" } })
      : new Response(null, { status: request.headers.get("authorization") === "Bearer fresh" ? 200 : 401 });
  },
});
auth.setTokens({ access: "stale" });
const statuses = await Promise.all([1, 2, 3].map(() => auth.fetch("http://127.0.0.1:9/api").then((r) => r.status)));
const bad = await createTokenManager({}).catch((e) => e.name);
if (statuses.join() !== "200,200,200" || auth.stats().refreshes !== 1 || bad !== "InvalidOptions") {
  console.error("package smoke test FAILED", { statuses, stats: auth.stats(), bad, calls });
  process.exit(1);
}
console.log("package smoke test: ok (3 × 200 after one refresh, options validated)");
// The renewal timer of the refreshed token would keep Node running: this check is done.
process.exit(0);
