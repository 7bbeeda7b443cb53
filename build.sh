#!/usr/bin/env bash
# softmodem's one build script.
#
#   ./build.sh serve [PORT]   install what is missing, build, serve the page on http://127.0.0.1:8000
#   ./build.sh test           install what is missing, run every test (native, WASM in Chromium, e2e)
#   ./build.sh build          build the native CLI and the page's WebAssembly (www/pkg)
#   ./build.sh setup          only install what is missing
#   ./build.sh bench          the performance figures: softmodem bench, CPU against spandsp, link quality, WASM
#   ./build.sh fuzz [SECONDS] run each fuzz target for SECONDS (default 60) with cargo-fuzz, from
#                             its seeds (fuzz/seeds/<target>, made by tests/fuzz_seeds.rs)
#
# Works on a fresh Debian 12 machine with rustup's stable toolchain; apt-get needs root (or sudo).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
# Cargo's output directory (CARGO_TARGET_DIR is honoured, so concurrent builds can keep apart).
TARGET_DIR=${CARGO_TARGET_DIR:-target}
# Tools installed by `cargo install` land here; a shell without rustup's profile may lack it.
export PATH="$HOME/.cargo/bin:$PATH"

# Tools installed with cargo, pinned (wasm-bindgen-cli's version is the one in Cargo.lock).
WASM_PACK_VERSION=0.15.1
CARGO_FUZZ_VERSION=0.13.1

# What building the native CLI needs: ALSA's headers for `softmodem pty --audio alsa` (cpal).
BUILD_PACKAGES=(libasound2-dev pkg-config)
# What the tests need: the browser, and the real peer modems and signal tools.
TEST_PACKAGES=(chromium chromium-driver libspandsp-dev libgsm1-dev libopencore-amrnb-dev minimodem sox libsox-fmt-all pkg-config lrzsz slirp ppp)

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $*"; fi
}

# Installs those of the Debian packages named (and python3) that are not there yet.
setup_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  command -v python3 >/dev/null || missing+=(python3)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# The wasm-bindgen crate version in Cargo.lock: the CLI must match it exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

# The toolchain rust-toolchain.toml pins. rustup cannot alias one toolchain name to another, and
# a download is not always possible, so when its `stable` is exactly the pinned version it gets
# the pinned name as a link (the same thing rustup would have installed).
setup_toolchain() {
  command -v rustup >/dev/null || die "rustup not found: install Rust with rustup (https://rustup.rs)"
  local want host stable home
  want=$(sed -n 's/^channel = "\(.*\)"$/\1/p' rust-toolchain.toml)
  [ -n "$want" ] || die "rust-toolchain.toml names no channel"
  host=$(rustc +stable -vV | sed -n 's/^host: //p')
  if rustup toolchain list | grep -q "^$want-$host"; then return; fi
  stable=$(rustc +stable --version | awk '{print $2}')
  home=${RUSTUP_HOME:-$HOME/.rustup}
  if [ "$stable" = "$want" ] && [ -d "$home/toolchains/stable-$host" ]; then
    log "rustup's stable is $want: naming it $want-$host as rust-toolchain.toml asks"
    ln -s "$home/toolchains/stable-$host" "$home/toolchains/$want-$host"
  else
    log "installing Rust $want (rust-toolchain.toml)"
    rustup toolchain install "$want" --profile minimal -t wasm32-unknown-unknown \
      || die "Rust $want is needed (rust-toolchain.toml); stable here is $stable"
  fi
}

setup_rust() {
  command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs)"
  setup_toolchain
  if ! rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  local want; want=$(wasm_bindgen_version)
  [ -n "$want" ] || die "wasm-bindgen not found in Cargo.lock"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    log "installing wasm-bindgen-cli $want (a few minutes the first time)"
    # Not --locked: its lockfile pins a crate version the registry no longer serves.
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

setup_wasm_pack() {
  if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$WASM_PACK_VERSION" ]; then
    log "installing wasm-pack $WASM_PACK_VERSION (a few minutes the first time)"
    cargo install --locked wasm-pack --version "$WASM_PACK_VERSION"
  fi
}

setup_npm() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    setup_apt nodejs npm
  fi
  if [ ! -d e2e/node_modules/playwright-core ] || [ ! -x e2e/node_modules/.bin/tsc ]; then
    log "installing the end-to-end tests' npm packages (playwright-core, typescript)"
    (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# What building and serving the page needs.
setup_build() {
  setup_apt "${BUILD_PACKAGES[@]}"
  setup_rust
}

# Everything, for the tests.
setup() {
  setup_apt "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  setup_rust
  setup_wasm_pack
  setup_npm
}

build_wasm() {
  log "building the WebAssembly modem"
  cargo build --locked --release --target wasm32-unknown-unknown --lib --no-default-features --features web
  # The TypeScript declarations (softmodem.d.ts) are for the type check of the page's scripts.
  wasm-bindgen --target web --out-dir www/pkg "$TARGET_DIR/wasm32-unknown-unknown/release/softmodem.wasm"
}

build() {
  log "building the native CLI"
  cargo build --locked --release --bin softmodem
  build_wasm
}

run_tests() {
  log "native tests (unit, integration, interop with spandsp and minimodem, doc tests)"
  cargo test --locked --workspace
  log "the API documentation builds without a warning (broken or private links, missing docs)"
  RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --lib
  log "WASM tests in headless Chromium"
  wasm-pack test --headless --chrome --mode no-install . --locked
  build_wasm
  log "type check of the page's scripts (JSDoc, tsconfig.json)"
  e2e/node_modules/.bin/tsc -p .
  log "end-to-end tests of the page in headless Chromium"
  cargo build --locked --bin softmodem
  local bin="$TARGET_DIR/debug/softmodem"
  case "$bin" in /*) ;; *) bin="$ROOT/$bin" ;; esac
  (cd e2e && SOFTMODEM_BIN="$bin" node --test)
  log "all tests passed"
}

bench() {
  log "softmodem bench (BER curves, tolerance, speech codecs, CPU)"
  cargo build --locked --release --bin softmodem
  "$TARGET_DIR/release/softmodem" bench "$@"
  log "CPU against spandsp, native"
  cargo bench --locked --bench cpu
  log "Full-duplex calls through speech codecs, ours against spandsp"
  cargo bench --locked --bench codecs
  log "Link quality: time to NO CARRIER, characters lost per dropout, rate and CER by SNR and codec"
  cargo bench --locked --bench link
  log "Error control (V.42, V.42bis): throughput against the line rate, and the 10 MB soak through noise bursts and dropouts"
  cargo bench --locked --bench v42
  log "File transfer: throughput against the line's character rate, ours and lrzsz's"
  cargo bench --locked --bench transfer
  log "Dial-up networking: CONNECT to an IP address, HTTP throughput against the line's character rate"
  cargo bench --locked --bench ppp
  log "CPU in WebAssembly (Node)"
  cargo build --locked --release --target wasm32-unknown-unknown --lib --no-default-features --features web
  wasm-bindgen --target nodejs --out-dir target/wasm-node "$TARGET_DIR/wasm32-unknown-unknown/release/softmodem.wasm"
  node bench/wasm-cpu.mjs
  node bench/worklet-quantum.mjs
  log "The terminal: ANSI in and a full screen drawn, native and in WebAssembly; the page at 115 200 bit/s"
  cargo bench --locked --bench terminal
  node bench/wasm-terminal.mjs
  log "The worklet's allocations per render quantum, in headless Chromium"
  build_wasm
  node e2e/measure-alloc.mjs
  node bench/page-terminal.mjs
  log "Dial-up networking in the page: the demo dial-up server's web pages fetched in real time"
  node bench/page-fetch.mjs
}

serve() {
  local port=${1:-8000}
  log "serving http://127.0.0.1:$port/ (Ctrl-C to stop)"
  exec python3 -m http.server "$port" --bind 127.0.0.1 --directory www
}

fuzz() {
  local seconds=${1:-60}
  if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]; then
    log "installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
  fi
  # cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP lets the stable compiler use them.
  # Each target grows its working corpus (fuzz/corpus/<target>, not committed) from its committed
  # seeds (fuzz/seeds/<target>), which libFuzzer reads as a second corpus and never writes.
  for t in $(cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz list); do
    [ -d "fuzz/seeds/$t" ] || die "no seeds for fuzz target $t: cargo test --test fuzz_seeds -- --ignored write_seeds"
    mkdir -p "fuzz/corpus/$t"
    log "fuzzing $t for $seconds s (seeds: $(ls "fuzz/seeds/$t" | wc -l))"
    (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run "$t" "corpus/$t" "seeds/$t" -- -max_total_time="$seconds")
  done
}

cmd=${1:-}
shift || true
case "$cmd" in
  setup) setup ;;
  build) setup_build; build ;;
  serve) setup_build; build; serve "$@" ;;
  test) setup; run_tests ;;
  fuzz) setup; fuzz "$@" ;;
  bench) setup; bench "$@" ;;
  *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
