#!/usr/bin/env bash
# Runs every check and test: installs what is missing, then formatting, clippy (native, wasm32,
# and the no_std npm build), native tests, the package build with its size limit, and the
# browser tests in headless Chrome and Firefox.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

section() { printf '\n==== %s\n' "$*"; }

section "setup"
bash scripts/setup.sh

section "cargo fmt --check"
cargo fmt --all -- --check

section "clippy (native workspace, wasm32, npm build)"
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy -p tokenflight --all-targets --quiet --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p tokenflight --lib --quiet --target wasm32-unknown-unknown --features npm -- -D warnings

section "native tests (pure core, reference server)"
cargo test --workspace --quiet

section "package build and size"
bash scripts/build.sh

# The long-run browser test (100,000 requests) takes ~25 s in Firefox; the runner's default
# per-binary timeout is 20 s.
export WASM_BINDGEN_TEST_TIMEOUT=300

section "browser tests: headless Chrome"
wasm-pack test --headless --chrome -- --test browser --test browser_lifecycle --test browser_tabs --test browser_hardening --test browser_longrun -- --nocapture 2>&1 | grep -vE '^\s+(Compiling|Finished|Running|Downloaded|Downloading)\b'
section "browser tests: headless Firefox"
wasm-pack test --headless --firefox -- --test browser --test browser_lifecycle --test browser_tabs --test browser_hardening --test browser_longrun -- --nocapture 2>&1 | grep -vE '^\s+(Compiling|Finished|Running|Downloaded|Downloading)\b'

section "bundler check: one app built with Vite 7, webpack 5, esbuild and Rollup, plus an import-map page, run in Chromium"
node tests/bundler/check.mjs

section "package: npm pack contents and manifest, size claim, SSR import in Node"
node --test tests/package/

section "TypeScript: tsc --strict on a consumer of every API and on deliberate misuse; d.ts matches the runtime"
node --test tests/types/

section "end-to-end: Chromium against the reference server"
cargo build --quiet -p tokenflight-server
# A per-test timeout: a test that hangs fails instead of stalling CI.
node --test --test-concurrency=1 --test-timeout=120000 tests/e2e/

section "benchmark harness: a quick correctness run (bash scripts/bench.sh is the full benchmark)"
node bench/run.mjs --quick

section "all tests passed"
