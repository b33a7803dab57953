#!/usr/bin/env bash
# Benchmarks: the native tables of `lnn bench`, then native vs wasm training speed in one run.
#   scripts/bench.sh [--seconds S]      (S: time budget per row, default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH"
scripts/setup.sh >&2
cargo build --release -p lnn-cli --quiet
trunk build --release --offline >&2
./target/release/lnn bench --only engine "$@"
echo
node tests/bench/compare.mjs "$@"
