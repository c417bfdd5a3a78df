// Server-side rendering (Next.js, Nuxt, SvelteKit import the app's modules in Node): importing the
// package must never throw, and creating a manager there rejects with a clear, named error
// instead of failing deep inside the Wasm loader.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const entry = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../pkg/index.js");

test("importing in Node works; createTokenManager rejects with UnsupportedEnvironment, never synchronously", async () => {
  assert.equal(globalThis.location, undefined, "Node, as during SSR");
  const { createTokenManager } = await import(entry);
  let pending;
  assert.doesNotThrow(() => {
    pending = createTokenManager({ refreshUrl: "https://api.example.com/token/refresh/" });
  });
  await assert.rejects(pending, (error) => {
    assert.equal(error.name, "UnsupportedEnvironment");
    assert.match(error.message, /browser/);
    assert.match(error.message, /server-side rendering/);
    return true;
  });
});
