// Replaces the bodies of core's formatting routines with `unreachable` in the npm Wasm, where
// they can never run, so that the optimizer drops them and what only they use (~2 KB raw).
//
// Why they are in the Wasm at all: panic sites inside core, alloc and wasm-bindgen build
// `fmt::Arguments` that point at `Display` impls (a RefCell borrow error, an integer), and those
// pointers keep the impls and `Formatter::pad*` alive through the function table. But a
// formatting routine needs a `Formatter`, and the only code that makes one is `core::fmt::write`
// (reached through `format!`, `to_string()`, `write!`), which this build does not contain: the
// panic handler (src/runtime.rs) traps without formatting. So no `Formatter` ever exists and no
// function taking one can ever be called. This script checks that premise on every build and
// refuses to touch anything if it does not hold.
//   usage: node scripts/stub_fmt.mjs IN.wasm OUT.wasm   (IN must carry the name section)
import binaryen from "binaryen";
import { readFileSync, writeFileSync } from "node:fs";

const [input, output] = process.argv.slice(2);
const module = binaryen.readBinary(readFileSync(input));
binaryen.setDebugInfo(true); // keep the names for the later steps and for twiggy

const functions = [];
for (let i = 0; i < module.getNumFunctions(); i++) {
  functions.push(binaryen.getFunctionInfo(module.getFunctionByIndex(i)));
}
if (!functions.some((f) => f.name.includes("::"))) {
  throw new Error("stub_fmt: the Wasm has no function names; run it before names are stripped");
}

// What would construct a Formatter (and so could call the routines below).
const makesFormatter = /core\[[0-9a-f]+\]::fmt::write\b|::fmt::format\b|fmt::Formatter>::new\b|fmt::Formatter>::with_options\b/;
const offending = functions.filter((f) => makesFormatter.test(f.name)).map((f) => f.name);
if (offending.length) {
  throw new Error(`stub_fmt: this build can format (${offending.join(", ")}); stubbing would be unsound`);
}

// Everything that takes a Formatter: `Display`/`Debug` impls and `Formatter`'s own methods.
const takesFormatter = /::fmt::(Display|Debug|LowerHex|UpperHex|Octal|Binary)>::fmt$|::fmt::Formatter>::/;
const stubbed = functions.filter((f) => takesFormatter.test(f.name) && f.body !== 0);
for (const f of stubbed) {
  const vars = [];
  module.removeFunction(f.name);
  module.addFunction(f.name, f.params, f.results, vars, module.unreachable());
}
if (!module.validate()) throw new Error("stub_fmt: the rewritten module does not validate");
writeFileSync(output, module.emitBinary());
console.error(`stub_fmt: ${stubbed.length} formatting routines replaced by unreachable`);
