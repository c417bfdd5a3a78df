#!/usr/bin/env bash
# Builds the npm package into pkg/: wasm-pack (release profile tuned for size, core and alloc
# rebuilt for size: see wasm_pack_npm.sh), wasm-opt (-Os,
# tuned inlining), then pkg-template/ merged in. Prints and checks the gzipped size of what a
# browser downloads.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
LIMIT_BYTES=${TOKENFLIGHT_SIZE_LIMIT:-38912}   # 38 KiB: 38,215 B after issue 12's second round, rounded up to the next KiB; only goes down

bash scripts/wasm_pack_npm.sh pkg tokenflight_wasm >/dev/null 2>pkg-build.log \
  || { cat pkg-build.log; exit 1; }
rm -f pkg-build.log
wasm="pkg/tokenflight_wasm_bg.wasm"
# js-sys's JSPI waker can never run here (no JSPI export); the script checks that and replaces its
# functions, which the function table would otherwise keep.
node scripts/stub_jspi.mjs "$wasm" "$wasm" >/dev/null
source scripts/wasm_opt_flags.sh
wasm-opt $WASM_SIZE_FLAGS $WASM_FEATURES \
  --strip-debug --strip-producers --strip-target-features \
  "$wasm" -o "$wasm.opt" 2>pkg-opt.log || { head -40 pkg-opt.log; exit 1; }
# Import/export names are minified too (wasm-bindgen's carry incompressible hashes); the glue is
# rewritten with wasm-opt's mapping and the result is smoke-tested in Node below. The
# target_features section only informs tools that link or optimize the module further.
wasm-opt $WASM_FEATURES --minify-imports-and-exports-and-modules \
  "$wasm.opt" -o "$wasm.opt" >pkg-names.json 2>pkg-opt.log || { head -40 pkg-opt.log; exit 1; }
node scripts/rename_glue.mjs pkg/tokenflight_wasm.js "$wasm.opt" pkg-names.json
# Less glue for the same work (fallbacks for engines that cannot run this Wasm anyway).
node scripts/slim_glue.mjs pkg/tokenflight_wasm.js
rm -f pkg-opt.log pkg-names.json
mv "$wasm.opt" "$wasm"
rm -f pkg/.gitignore pkg/package.json pkg/README.md pkg/tokenflight_wasm.d.ts pkg/tokenflight_wasm_bg.wasm.d.ts
cp pkg-template/package.json pkg-template/index.js pkg-template/index.d.ts pkg-template/README.md pkg/
# Ship the generated glue and the entry minified (the readable source is the Rust and
# pkg-template/; index.d.ts carries the documentation). Function expressions that use no `this`
# become arrows (ES2020 is below what the Wasm needs).
for js in pkg/tokenflight_wasm.js pkg/index.js; do
  terser "$js" --module --compress ecma=2020,passes=2,unsafe_arrows --mangle -o "$js"
done
node scripts/smoke_pkg.mjs

size() { gzip -9 -c "$@" | wc -c; }
wasm_gz=$(size "$wasm")
js_gz=$(cat pkg/tokenflight_wasm.js pkg/index.js | gzip -9 -c | wc -c)
total=$((wasm_gz + js_gz))
# Brotli quality 11 (what a CDN usually serves), for the record; the limit is on gzip -9.
brotli=$(node -e 'const z = require("zlib"), fs = require("fs");
  const b = (buf) => z.brotliCompressSync(buf, { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  console.log(b(fs.readFileSync(process.argv[1])) + b(Buffer.concat(process.argv.slice(2).map((f) => fs.readFileSync(f)))));' \
  "$wasm" pkg/tokenflight_wasm.js pkg/index.js)
printf 'package size: wasm %d B raw, %d B gzip; js %d B gzip; total %d B gzip (limit %d B); brotli -11 %d B\n' \
  "$(wc -c <"$wasm")" "$wasm_gz" "$js_gz" "$total" "$LIMIT_BYTES" "$brotli"
if [ "$total" -gt "$LIMIT_BYTES" ]; then
  echo "package size: FAILED: over the limit" >&2
  exit 1
fi
