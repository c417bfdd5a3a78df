// Bundles axios, ky and ofetch (dev dependencies of the tests only) into one browser ES module,
// and serves it to a page at /__clients.js (same origin, so the page's CSP allows it).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

let bundled;

/** The bundle's text (built once per process). */
export function clientsBundle() {
  bundled ??= build({
    entryPoints: [fileURLToPath(new URL("./entry.mjs", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "warning",
  }).then((result) => result.outputFiles[0].text);
  return bundled;
}

/** Makes `/__clients.js` answer with the bundle in every page of `context`. */
export async function serveClients(context) {
  const body = await clientsBundle();
  await context.route("**/__clients.js", (route) => route.fulfill({ status: 200, contentType: "text/javascript", body }));
}
