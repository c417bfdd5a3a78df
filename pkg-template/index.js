// tokenflight: the package entry. Loads the WebAssembly module once, next to this file
// (new URL(..., import.meta.url) works in browsers and in Vite/webpack 5 without configuration).
import init, { TokenManager } from "./tokenflight_wasm.js";

let ready;

function loadOnce() {
  // A failed load (offline) is not cached: the next call tries again.
  ready ??= init({ module_or_path: new URL("./tokenflight_wasm_bg.wasm", import.meta.url) }).catch((error) => {
    ready = undefined;
    throw error;
  });
  return ready;
}

/**
 * Creates a token manager. Rejects with an `InvalidOptions` error naming the option when an
 * option is missing or malformed.
 * @param {import("./index.js").TokenManagerOptions} options
 */
export async function createTokenManager(options) {
  // Importing this module on a server (SSR) is harmless; a manager needs a browser.
  if (!globalThis.location) {
    const error = new Error("tokenflight needs a browser, not server-side rendering");
    error.name = "UnsupportedEnvironment";
    throw error;
  }
  await loadOnce();
  const auth = new TokenManager(options);
  // The promise-returning methods share one Wasm export, `call(op, a, b)`; `op` is the
  // position in this list (`mod op` in src/web/manager.rs). Own, bound functions: HTTP clients
  // (axios, ky, ofetch) call fetch unbound.
  ["fetch", "getAccessToken", "login", "exchangeCode", "restore", "logout"].forEach((name, op) => {
    auth[name] = (a, b) => auth.call(op, a, b);
  });
  return auth;
}
