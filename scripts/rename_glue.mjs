// Rewrites the wasm-bindgen JS glue after `wasm-opt --minify-imports-and-exports-and-modules`
// renamed the Wasm's imports, exports and import modules. Every wasm-bindgen import name carries
// a 16-hex-digit hash that appears in both files and does not compress (about 2 KB gzip).
//
// usage: node scripts/rename_glue.mjs GLUE.js MINIFIED.wasm MAPPING.json
// MAPPING.json is wasm-opt's stdout: {"imports": [[module, old, new]...], "exports": [[old, new]...]}.
import { readFileSync, writeFileSync } from "node:fs";

const [gluePath, wasmPath, mappingPath] = process.argv.slice(2);
let glue = readFileSync(gluePath, "utf8");
const text = readFileSync(mappingPath, "utf8");
const mapping = JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1).replace(/,\s*\]/g, "]"));
const module = new WebAssembly.Module(readFileSync(wasmPath));

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
function replaceAll(pattern, replacement, what, { required = true } = {}) {
  const before = glue;
  glue = glue.replace(pattern, replacement);
  if (required && glue === before) throw new Error(`rename_glue: ${what} not found in the glue`);
}

// Import modules: read the new names from the minified module, paired through the new import names.
const newModuleOf = new Map(WebAssembly.Module.imports(module).map((i) => [i.name, i.module]));
const moduleRenames = new Map();
for (const [oldModule, oldName, newName] of mapping.imports) {
  replaceAll(new RegExp(`(?<![\\w$])${escape(oldName)}(?=\\s*:)`, "g"), newName, `import ${oldName}`);
  moduleRenames.set(oldModule, newModuleOf.get(newName));
}
for (const [oldModule, newModule] of moduleRenames) {
  replaceAll(new RegExp(`(["'])${escape(oldModule)}\\1(?=\\s*:)`, "g"), JSON.stringify(newModule), `module ${oldModule}`);
}
// Some exports exist for other hosts and are unused by this glue: they need no renaming.
for (const [oldName, newName] of mapping.exports) {
  replaceAll(new RegExp(`\\bwasm\\.${escape(oldName)}\\b`, "g"), `wasm.${newName}`, `export ${oldName}`, { required: false });
}

// Every export the glue uses must exist; no old name may remain.
const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
for (const [, used] of glue.matchAll(/\bwasm\.([\w$]+)/g)) {
  if (!exported.has(used)) throw new Error(`rename_glue: the glue uses wasm.${used}, which the module does not export`);
}
writeFileSync(gluePath, glue);
