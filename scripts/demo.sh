#!/usr/bin/env bash
# Builds what is missing (tools, the package, the reference server) and runs the demo on
# 127.0.0.1. PORT (default 8080) and ACCESS_TTL (default 20 s) can be set.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
PORT=${PORT:-8080}
bash scripts/setup.sh >/dev/null
if [ ! -f pkg/tokenflight_wasm_bg.wasm ] || [ -n "$(find src pkg-template Cargo.toml -newer pkg/tokenflight_wasm_bg.wasm -print -quit)" ]; then
  bash scripts/build.sh
fi
cargo build --quiet --release -p tokenflight-server
echo "tokenflight demo (Ctrl-C to stop):"
exec target/release/tokenflight-server --port "$PORT" --access-ttl "${ACCESS_TTL:-20}"
