#!/usr/bin/env bash
# The long fuzz run (not in CI): every parser that sees outside bytes, 2,000,000 inputs per target
# (12,000,000 in all) by default, optimised build. The quick run of the same harness is part of
# `cargo test` (tests/fuzz.rs). Usage: scripts/fuzz.sh [inputs-per-target] [seed]
# A crash prints the target, the input's seed and the input; make it a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
inputs="${1:-2000000}"
seed="${2:-$(date +%s)}"
FUZZ_INPUTS="$inputs" FUZZ_SEED="$seed" \
  cargo test --quiet --profile fuzz --test fuzz -- --nocapture 2>&1 | grep -E '^(FUZZ|[a-z_]+ \(input seed|  input:|test result)'
