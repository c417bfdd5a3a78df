// Replaces the bodies of js-sys's JSPI waker functions with `unreachable` in the npm Wasm, where
// they can never run, so that the optimizer drops them and what only they reach.
//
// Why they are in the Wasm at all: js-sys exports a JS Promise Integration poll trampoline
// (`__wbg_jspi_task_poll`), which the wasm-bindgen CLI deletes, with everything it alone calls,
// when the crate has no `#[wasm_bindgen(jspi)]` export (this one has none). What stays is the
// waker vtable of JSPI tasks: a static in the data section, whose four functions sit in the
// function table, which no optimizer can prove unused. A waker with that vtable is made only by
// the trampoline's poll loop (`SpawnedTask::poll`, `task_waker`), so once those are gone no such
// waker can exist and its functions can never be called. This script checks that premise on
// every build and refuses to touch anything if it does not hold.
//   usage: node scripts/stub_jspi.mjs IN.wasm OUT.wasm   (IN must carry the name section)
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
  throw new Error("stub_jspi: the Wasm has no function names; run it before names are stripped");
}
const exports = [];
for (let i = 0; i < module.getNumExports(); i++) {
  exports.push(binaryen.getExportInfo(module.getExportByIndex(i)).name);
}

// What could make a JSPI waker: the poll loop, the waker constructor, the trampoline.
const makesWaker = /::jspi::SpawnedTask>::poll\b|::jspi::task_waker$|::jspi::task_waker::<|__wbg_jspi_task_poll|::jspi::spawn_promising/;
const offending = [...functions.map((f) => f.name), ...exports].filter((name) => makesWaker.test(name));
if (offending.length) {
  throw new Error(`stub_jspi: this build can make a JSPI waker (${offending.join(", ")}); stubbing would be unsound`);
}

// The vtable's functions.
const vtable = /::jspi::task_waker::raw_(clone|wake|wake_by_ref|drop)$/;
const stubbed = functions.filter((f) => vtable.test(f.name) && f.body !== 0);
if (stubbed.length === 0) {
  throw new Error("stub_jspi: no JSPI waker functions found; js-sys changed, and this script is no longer needed or must follow");
}
for (const f of stubbed) {
  module.removeFunction(f.name);
  module.addFunction(f.name, f.params, f.results, [], module.unreachable());
}
if (!module.validate()) throw new Error("stub_jspi: the rewritten module does not validate");
writeFileSync(output, module.emitBinary());
console.log(`stub_jspi: ${stubbed.length} JSPI waker functions replaced by unreachable`);
