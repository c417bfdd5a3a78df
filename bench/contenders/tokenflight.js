// tokenflight: the built package (pkg/ from scripts/build.sh), aliased by the bench's bundler.
import { createTokenManager } from "tokenflight-pkg/index.js";
import init from "tokenflight-pkg/tokenflight_wasm.js";

export async function create({ fetch, refreshUrl, access }) {
  const auth = await createTokenManager({ refreshUrl, ...(fetch ? { fetch } : {}) });
  auth.setTokens({ access, expiresIn: 3600 });
  return {
    async get(url) {
      const r = await auth.fetch(url);
      if (!r.ok) throw new Error(`answered ${r.status}`);
      return r.json();
    },
    stats: () => auth.stats(),
  };
}

/** Bytes of Wasm linear memory (the instance is loaded once, so `init()` returns it). */
export async function wasmBytes() {
  const exports = await init();
  const memory = Object.values(exports).find((v) => v instanceof WebAssembly.Memory);
  return memory.buffer.byteLength;
}
