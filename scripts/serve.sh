#!/usr/bin/env bash
# Builds the page (release) and serves it on http://127.0.0.1:8080, rebuilding on change.
# Installs first whatever this machine lacks to do so (scripts/setup.sh serve).
# Extra arguments go to `trunk serve` (e.g. --port 9000).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH"
scripts/setup.sh serve
cargo fetch --quiet
exec trunk serve --release --offline "$@"
