// Rewrites the JS glue of wasm-bindgen 0.2.130 (after rename_glue.mjs) into less code that does
// the same in the browsers the Wasm itself needs (reference types: Chrome 96, Firefox 79,
// Safari 15), before terser minifies it:
// - the `handleError` wrapper (an import that may throw hands the exception to Rust) is made
//   once by one function instead of spelled out around each of those imports;
// - the `FinalizationRegistry` and `TextEncoder.encodeInto` fallbacks, for engines older than
//   reference types, are dropped, with the branch of `passStringToWasm0` no caller takes;
// - the memory-view cache check keeps its one test that covers both cases;
// - `initSync` and the init promise cache go: the package entry is the glue's only user.
// Every rewrite checks that its pattern is there: when wasm-bindgen's output changes, the build
// fails here instead of shipping glue this script did not understand.
//
// usage: node scripts/slim_glue.mjs GLUE.js
import { readFileSync, writeFileSync } from "node:fs";

const [gluePath] = process.argv.slice(2);
let glue = readFileSync(gluePath, "utf8");

/** Replaces every match of `pattern` (a global RegExp); fails unless it matched `count` times
 * (a number, or "some" for at least once). */
function rewrite(pattern, replacement, what, count = 1) {
  const found = glue.match(pattern)?.length ?? 0;
  if (count === "some" ? found === 0 : found !== count) {
    throw new Error(`slim_glue: ${what}: expected ${count} match(es), found ${found}; wasm-bindgen's output changed`);
  }
  glue = glue.replace(pattern, replacement);
}

// handleError(f, args) becomes handleError(f), returning the wrapped import.
rewrite(
  /function handleError\(f, args\) \{\s*try \{\s*return f\.apply\(this, args\);\s*\} catch \(e\) \{\s*const idx = addToExternrefTable0\(e\);\s*(wasm\.[\w$]+)\(idx\);\s*\}\s*\}/g,
  "const handleError = (f) => (...args) => {\n    try {\n        return f(...args);\n    } catch (e) {\n        $1(addToExternrefTable0(e));\n    }\n};",
  "handleError",
);
const opens = glue.match(/function\(\) \{ return handleError\(function \(/g)?.length ?? 0;
rewrite(/function\(\) \{ return handleError\(function \(/g, "handleError(function (", "handleError call sites", "some");
rewrite(/\}, arguments\); \}/g, "})", "handleError call ends", opens);
// The wrapper calls the import without a `this`: none of them uses one.
const imports = glue.slice(glue.indexOf("function __wbg_get_imports()"), glue.indexOf("\nfunction ", glue.indexOf("function __wbg_get_imports()") + 1));
if (/\bthis\b/.test(imports)) throw new Error("slim_glue: an import uses `this`");

// No engine that runs this Wasm lacks FinalizationRegistry.
rewrite(
  /\(typeof FinalizationRegistry === 'undefined'\)\s*\?\s*\{ register: \(\) => \{\}, unregister: \(\) => \{\} \}\s*:\s*new FinalizationRegistry/g,
  "new FinalizationRegistry",
  "FinalizationRegistry fallback",
  "some",
);
// Nor TextEncoder.encodeInto.
rewrite(
  /if \(!\('encodeInto' in cachedTextEncoder\)\) \{\s*cachedTextEncoder\.encodeInto = function \(arg, view\) \{[^}]*\{[^}]*\};\s*\};\s*\}\n/g,
  "",
  "encodeInto fallback",
);
// passStringToWasm0 without `realloc` (the `encode` path) is never called: every caller passes it.
const calls = glue.match(/passStringToWasm0\([^)]*\)/g) ?? [];
if (calls.some((c) => c.split(",").length !== 3)) throw new Error("slim_glue: passStringToWasm0 called without realloc");
rewrite(
  /\n    if \(realloc === undefined\) \{\n        const buf = cachedTextEncoder\.encode\(arg\);[^}]*\}\n/g,
  "\n",
  "passStringToWasm0's encode path",
);
// A detached buffer is never the current one: one comparison covers both tests.
rewrite(
  /cachedDataViewMemory0\.buffer\.detached === true \|\| \(cachedDataViewMemory0\.buffer\.detached === undefined && (cachedDataViewMemory0\.buffer !== wasm\.[\w$]+\.buffer)\)/g,
  "$1",
  "DataView cache check",
);

// `x instanceof C` throws only when `C` is missing or its `Symbol.hasInstance` throws; every
// class tested here exists wherever the Wasm runs.
rewrite(
  /function\(arg0\) \{\s*let result;\s*try \{\s*result = arg0 instanceof (\w+);\s*\} catch \(_\) \{\s*result = false;\s*\}\s*const ret = result;\s*return ret;\s*\}/g,
  "(arg0) => arg0 instanceof $1",
  "instanceof imports",
  "some",
);
// The deprecated way to call the init functions (the module, not `{ module }`) still works;
// only its console warning goes (the package entry always passes an object).
rewrite(
  /\} else \{\s*console\.warn\('using deprecated parameters for [^']*'\)\s*\}/g,
  "}",
  "deprecated-parameter warnings",
  2,
);

// The package entry (pkg-template/index.js) loads the module once, asynchronously, and retries a
// failed load itself: the glue's synchronous `initSync` and its own promise cache go.
rewrite(/\nfunction initSync\(module\) \{[\s\S]*?\n\}\n/g, "\n", "initSync");
rewrite(/export \{ initSync, __wbg_init as default \};/g, "export { __wbg_init as default };", "initSync export");
rewrite(
  /let __wbg_init_promise;\nasync function __wbg_init\(module_or_path\) \{\n    if \(wasm !== undefined\) return wasm;\n    if \(__wbg_init_promise === undefined\) \{[^}]*\}\);\n    \}\n    return __wbg_init_promise;\n\}\n/g,
  "async function __wbg_init(module_or_path) {\n    if (wasm !== undefined) return wasm;\n    return __wbg_init_once(module_or_path);\n}\n",
  "init promise cache",
);

writeFileSync(gluePath, glue);
