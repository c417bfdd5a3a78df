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
source scripts/wasm_opt_flags.sh
wasm-opt $WASM_SIZE_FLAGS $WASM_FEATURES -g \
  "$tmp/named_bg.wasm" -o "$out"
rm -rf "$tmp"
