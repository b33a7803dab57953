#!/usr/bin/env bash
# Benchmarks: the native tables of `lnn bench`, then native vs wasm training speed in one run.
#   scripts/bench.sh [--seconds S]      (S: time budget per row, default 1)
#   scripts/bench.sh --ttq [ARGS...]    time to quality on the real page instead: trains in headless
#                                       Chromium and scores with the paper's protocol (about an hour
#                                       for the default ten seeds); ARGS go to
#                                       tests/bench/time-to-quality.mjs (default
#                                       --minutes 1,2,5 --seeds 0,...,9 --score native)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH"
scripts/setup.sh >&2
cargo build --release -p lnn-cli --quiet
trunk build --release --offline >&2
if [ "${1:-}" = --ttq ]; then
  shift
  [ $# -eq 0 ] && set -- --minutes 1,2,5 --seeds 0,1,2,3,4,5,6,7,8,9 --score native
  exec node tests/bench/time-to-quality.mjs "$@"
fi
./target/release/lnn bench --only engine "$@"
echo
node tests/bench/compare.mjs "$@"
