#!/usr/bin/env bash
# Benchmarks tokenflight against axios (+ a refresh interceptor, + axios-auth-refresh), ky (+ a
# refresh hook) and a plain fetch wrapper, side by side in one Chromium page, and writes
# BENCHMARKS.md with one SVG chart per measurement in docs/bench/. Takes several minutes; not
# part of scripts/test.sh (which runs `--quick`, a small correctness check of the harness).
#   bash scripts/bench.sh            # the full run
#   bash scripts/bench.sh --quick    # small counts, writes to /tmp, fails on a correctness error
# BENCH_BASELINE_PKG=dir (a package built by scripts/build.sh from another commit) adds that
# package as a second tokenflight contender, for before/after numbers from one run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
bash scripts/setup.sh >/dev/null
if [ -z "${BENCH_TOKENFLIGHT_PKG:-}" ]; then
  bash scripts/build.sh
fi
node bench/run.mjs "$@"
