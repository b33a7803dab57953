#!/usr/bin/env bash
# Runs every test of lnn-web, installing first whatever this machine lacks (scripts/setup.sh).
# This is the README's test command and what CI runs (.ci/run).
#
#   scripts/test.sh           everything
#   SKIP_FIREFOX=1 scripts/test.sh    all but the Firefox browser tests (for a quick local loop)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

step() { printf '\n\033[1;32m==> %s\033[0m\n' "$*"; }
started=$(date +%s)

step "setup (skips what is installed)"
scripts/setup.sh
cargo fetch --quiet

step "format"
cargo fmt --all -- --check

step "clippy (native, and the wasm browser tests)"
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy -p lnn-wasm --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings

step "no_std: lnn-core for thumbv7em-none-eabihf, without std"
cargo build -p lnn-core --no-default-features --target thumbv7em-none-eabihf --quiet

step "cargo test (workspace, native)"
cargo test --workspace

step "python: the JAX package (python/) against the lnn CLI, sharded training on 4 CPU devices"
cargo build --release -p lnn-cli --quiet
LNN_BIN="$PWD/target/release/lnn" .venv/bin/python -m pytest python/tests -q -p no:cacheprovider

step "lnn-wasm in headless Chromium (wasm-pack)"
wasm-pack test --headless --chrome --mode no-install crates/lnn-wasm
if [ "${SKIP_FIREFOX:-0}" != 1 ]; then
  step "lnn-wasm in headless Firefox (wasm-pack)"
  wasm-pack test --headless --firefox --mode no-install crates/lnn-wasm
fi

step "page: trunk build --release"
trunk build --release --offline

step "end-to-end: the built page in headless Chromium (Playwright)"
(cd tests && npm test)

step "all tests passed in $(( $(date +%s) - started )) s"
