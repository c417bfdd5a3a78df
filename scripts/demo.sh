#!/usr/bin/env bash
# Builds the package if needed and serves the demo page on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8080}
if [ ! -f pkg/tokenflight_wasm_bg.wasm ] || [ -n "$(find src pkg-template Cargo.toml -newer pkg/tokenflight_wasm_bg.wasm -print -quit)" ]; then
  bash scripts/setup.sh
  bash scripts/build.sh
fi
echo "tokenflight demo: http://127.0.0.1:$PORT/www/"
exec python3 -m http.server --bind 127.0.0.1 "$PORT"
