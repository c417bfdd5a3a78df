#!/usr/bin/env bash
# Builds the npm Wasm as scripts/build.sh does, but keeps function names (wasm-opt -g), for
# size analysis: `bash scripts/named_wasm.sh OUT.wasm && twiggy top -n 40 OUT.wasm`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
out=${1:?usage: named_wasm.sh OUT.wasm}
tmp=$(mktemp -d)
bash scripts/wasm_pack_npm.sh "$tmp" named >/dev/null 2>"$tmp/log" || { cat "$tmp/log"; exit 1; }
node scripts/stub_jspi.mjs "$tmp/named_bg.wasm" "$tmp/named_bg.wasm" >/dev/null
features="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"
wasm-opt -Os --converge --one-caller-inline-max-function-size=20 --always-inline-max-function-size=4 $features -g \
  "$tmp/named_bg.wasm" -o "$out"
rm -rf "$tmp"
