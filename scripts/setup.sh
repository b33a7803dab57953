#!/usr/bin/env bash
# Installs whatever this machine lacks to build, serve and test lnn-web, and nothing else.
# Idempotent: every step checks first, so a re-run on a ready machine takes seconds.
# Every tool comes from a registry (crates.io, Debian, npm); nothing downloads prebuilt binaries.
#
#   scripts/setup.sh            everything (serve + test)
#   scripts/setup.sh serve      only what building and serving the page needs
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"

# Pinned versions. wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock exactly.
TRUNK_VERSION=0.21.14
WASM_PACK_VERSION=0.15.1
GECKODRIVER_VERSION=0.37.1
BINARYEN_VERSION=132.0.0
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock 2>/dev/null || true)
WASM_BINDGEN_VERSION=${WASM_BINDGEN_VERSION:-0.2.130}

export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH"
log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

# `have TOOL VERSION` is true when TOOL is on PATH and its --version output mentions VERSION.
have() { command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF "$2"; }

cargo_tool() { # cargo_tool BINARY CRATE VERSION
  local bin=$1 crate=$2 version=$3
  if have "$bin" "$version"; then return; fi
  log "building $crate $version from crates.io (a few minutes, once)"
  # --locked keeps the tool's own tested dependency set; some locks name versions the registry
  # mirror lacks (wasm-bindgen-cli's webpki-roots), so fall back to a fresh resolution.
  cargo install "$crate" --version "=$version" --locked --quiet ||
    cargo install "$crate" --version "=$version" --force --quiet
}

apt_packages() { # apt_packages PKG... : installs those not yet installed
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return
  log "apt-get install ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

rust_targets() {
  local installed; installed=$(rustup target list --installed)
  for t in wasm32-unknown-unknown thumbv7em-none-eabihf; do
    grep -qx "$t" <<<"$installed" || { log "rustup target add $t"; rustup target add "$t"; }
  done
  for c in rustfmt clippy; do
    rustup component list --installed | grep -q "^$c" || rustup component add "$c"
  done
}

wasm_opt() {
  # Debian's binaryen (108) miscompiles wasm-bindgen 0.2.130 output; npm's is current.
  if command -v wasm-opt >/dev/null 2>&1 && wasm-opt --version | grep -q "version ${BINARYEN_VERSION%%.*}"; then return; fi
  log "npm install -g binaryen@$BINARYEN_VERSION (wasm-opt)"
  npm install -g --silent --prefix /usr/local "binaryen@$BINARYEN_VERSION" >/dev/null
}

python_env() {
  # .venv/ at the root: the JAX package in python/ (issue 17's interface), with its pinned
  # dependencies from PyPI (CPU jaxlib). Re-installed when python/pyproject.toml changes.
  local stamp=.venv/.pyproject.sha256 want
  want=$(sha256sum python/pyproject.toml | cut -d' ' -f1)
  if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then return; fi
  log "python3 -m venv .venv; pip install -e python[test] (jax, optax, numpy, pytest from PyPI)"
  if [ ! -x .venv/bin/python ]; then
    # Debian's own python3 needs python3-venv for ensurepip; rustup machines' pyenv has it.
    python3 -m venv .venv 2>/dev/null || { rm -rf .venv; apt_packages python3-venv; python3 -m venv .venv; }
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "python[test]"
  echo "$want" >"$stamp"
}

node_modules() {
  [ -d tests/node_modules/playwright-core ] && return
  log "npm ci in tests/ (playwright-core; it uses Debian's chromium, no browser download)"
  (cd tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund)
}

rust_targets
cargo_tool wasm-bindgen wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
cargo_tool trunk trunk "$TRUNK_VERSION"
wasm_opt
if [ "$what" = all ]; then
  apt_packages chromium chromium-driver firefox-esr poppler-utils # poppler: pdftotext, pdfimages for the print test
  cargo_tool wasm-pack wasm-pack "$WASM_PACK_VERSION"
  cargo_tool geckodriver geckodriver "$GECKODRIVER_VERSION"
  node_modules
  python_env
fi
log "tools ready"
