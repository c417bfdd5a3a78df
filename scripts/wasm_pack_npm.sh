#!/usr/bin/env bash
# Compiles the npm Wasm (release, the `npm` feature) with wasm-pack into OUT_DIR/OUT_NAME*.
# Shared by build.sh and named_wasm.sh so that size analysis sees exactly what ships.
#   usage: wasm_pack_npm.sh OUT_DIR OUT_NAME
#
# core and alloc are rebuilt from source (rust-src, installed by setup.sh) with two settings the
# prebuilt standard library cannot have, worth ~1.7 KB gzip (measured in README "Package size"):
# - panic=immediate-abort: a panic inside core/alloc traps at once instead of building a
#   message for a handler that would discard it (src/runtime.rs traps without formatting anyway),
#   so the message-building paths and their strings are not linked;
# - location-detail=none: no file/line/column records for panic sites (a trap reports none).
# These are unstable flags of the stable compiler, enabled with RUSTC_BOOTSTRAP=1 for this one
# build, as the Linux kernel builds its Rust; neither changes what safe code means. If a future
# toolchain renames them, this build fails loudly. Tests that use std (cargo test,
# wasm-pack test) build with the stock standard library and are unaffected.
set -euo pipefail
cd "$(dirname "$0")/.."
out_dir=${1:?usage: wasm_pack_npm.sh OUT_DIR OUT_NAME}
out_name=${2:?usage: wasm_pack_npm.sh OUT_DIR OUT_NAME}
# Its own target directory: other RUSTFLAGS would otherwise rebuild the test builds each time.
RUSTC_BOOTSTRAP=1 \
RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
CARGO_TARGET_DIR="$PWD/target/npm" \
  wasm-pack build --release --target web --out-dir "$out_dir" --out-name "$out_name" --no-pack \
  -- --features npm -Zbuild-std=core,alloc
