#!/usr/bin/env bash
# Installs what building and testing tokenflight needs, skipping whatever is already present.
# Safe to run repeatedly; CI runs it on a clean clone (CI=true, no stdin).
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the `=` pin in Cargo.toml (wasm-pack refuses a mismatch)
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '== setup: %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
# rust-src: the npm build rebuilds core and alloc for size (scripts/wasm_pack_npm.sh).
for comp in clippy rustfmt rust-src; do
  rustup component list --installed | grep -q "^$comp" || rustup component add "$comp"
done

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  step "wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # --locked can fail when the registry lacks a locked transitive version; resolve afresh then.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked --force \
    || cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
command -v wasm-pack >/dev/null || { step "wasm-pack"; cargo install wasm-pack --locked || cargo install wasm-pack; }

apt_missing=()
command -v chromium >/dev/null || apt_missing+=(chromium)
command -v chromedriver >/dev/null || apt_missing+=(chromium-driver)
command -v firefox >/dev/null || command -v firefox-esr >/dev/null || apt_missing+=(firefox-esr)
if [ ${#apt_missing[@]} -gt 0 ]; then
  step "apt: ${apt_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi
command -v geckodriver >/dev/null || { step "geckodriver"; cargo install geckodriver --locked || cargo install geckodriver; }

# JS tooling (wasm-opt from npm binaryen, terser, vite, playwright-core) pinned by
# package-lock.json. `npm install` rather than `npm ci`: the registry mirror here lacks the other
# platforms' optional rollup packages, so the lock cannot list them and `npm ci` refuses it;
# `npm install` installs exactly the locked versions and leaves the lock unchanged.
if [ -f package-lock.json ] && { [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  step "npm install (locked versions)"
  npm install --no-audit --no-fund --loglevel=error
fi
step "ready"
