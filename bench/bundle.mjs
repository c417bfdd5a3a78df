// Bundles each contender for the browser with esbuild (ESM, minified), as an app would ship it,
// and measures what each one loads: gzip -9 and brotli (quality 11) of the JS (and the Wasm).
import { build } from "esbuild";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/** Libraries people use for tokens in SPAs, bundled with the export an app would call. */
const REFERENCES = {
  "@auth0/auth0-spa-js": 'export { createAuth0Client } from "@auth0/auth0-spa-js";',
  "oidc-client-ts": 'export { UserManager } from "oidc-client-ts";',
  "@badgateway/oauth2-client": 'export { OAuth2Client, OAuth2Fetch } from "@badgateway/oauth2-client";',
};

const compressed = (bytes) => ({
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  }).length,
});

const options = { bundle: true, format: "esm", minify: true, platform: "browser", target: "es2022", logLevel: "error", legalComments: "none" };

/**
 * contenders: [{ name, entry, pkg? }] (pkg: a tokenflight package directory, aliased and with its
 * Wasm copied next to the bundle). Returns { name: { js, wasm?, total } } for contenders and references.
 */
export async function bundleAll({ root, distDir, contenders }) {
  await rm(distDir, { recursive: true, force: true });
  const sizes = {};
  for (const c of contenders) {
    const out = join(distDir, c.name);
    await mkdir(out, { recursive: true });
    await build({
      ...options,
      entryPoints: [join(root, c.entry)],
      outfile: join(out, "index.js"),
      alias: c.pkg ? { "tokenflight-pkg": c.pkg } : {},
      nodePaths: [join(root, "node_modules")],
    });
    const js = compressed(await readFile(join(out, "index.js")));
    let wasm;
    if (c.pkg) {
      await copyFile(join(c.pkg, "tokenflight_wasm_bg.wasm"), join(out, "tokenflight_wasm_bg.wasm"));
      wasm = compressed(await readFile(join(out, "tokenflight_wasm_bg.wasm")));
    }
    sizes[c.name] = { js, wasm, total: sum(js, wasm) };
  }
  for (const [pkg, source] of Object.entries(REFERENCES)) {
    const out = join(distDir, "reference", pkg.replace(/[@/]/g, "_"));
    await mkdir(out, { recursive: true });
    await writeFile(join(out, "entry.js"), source);
    await build({ ...options, entryPoints: [join(out, "entry.js")], outfile: join(out, "index.js"), nodePaths: [join(root, "node_modules")] });
    const js = compressed(await readFile(join(out, "index.js")));
    sizes[pkg] = { js, total: js, reference: true };
  }
  return sizes;
}

function sum(a, b) {
  if (!b) return a;
  return { raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli };
}
