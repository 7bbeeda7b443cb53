// The terminal's cost as WebAssembly in Node: the counterpart of `cargo bench --bench terminal`
// (benches/terminal.rs); both run softmodem::sim::terminal_bench. Build the Node-targeted package
// first, as for bench/wasm-cpu.mjs:
//
//   cargo build --release --target wasm32-unknown-unknown --lib
//   wasm-bindgen --target nodejs --out-dir target/wasm-node \
//       target/wasm32-unknown-unknown/release/softmodem.wasm
//   node bench/wasm-terminal.mjs [--repeats 11] [--pkg target/wasm-node]
//
// Prints the medians: milliseconds to take in 1 MiB of ANSI art, and to draw one full 80x25
// screen change; the last line, starting RESULT, is for scripts.

import { createRequire } from "node:module";
import path from "node:path";
import process from "node:process";

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const repeats = Number(option("repeats", "11"));
const pkg = path.resolve(option("pkg", "target/wasm-node"));
let wasm;
try {
  wasm = createRequire(import.meta.url)(path.join(pkg, "softmodem.js"));
} catch (e) {
  console.error(`cannot load ${pkg}/softmodem.js (build it first, see the top of this file): ${e.message}`);
  process.exit(1);
}
if (typeof wasm.bench_terminal !== "function") {
  console.error(`${pkg}/softmodem.js has no bench_terminal: rebuild it from this tree`);
  process.exit(1);
}
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
wasm.bench_terminal(1, 50); // warm: the engine compiles in tiers
const runs = Array.from(wasm.bench_terminal(repeats, 500));
const feed = median(runs.filter((_, i) => i % 2 === 0));
const screen = median(runs.filter((_, i) => i % 2 === 1));
const bytesPerS = (1 << 20) / (feed / 1e3);
console.log(`ANSI in (WebAssembly): ${feed.toFixed(1)} ms per MiB (${(bytesPerS / 1e6).toFixed(1)} MB/s, ${Math.round((bytesPerS * 10) / 115200)} times 115 200 bit/s)`);
console.log(`a full 80x25 screen change drawn (WebAssembly): ${screen.toFixed(3)} ms`);
console.log(`RESULT wasm_terminal_feed_ms_per_mib=${feed.toFixed(2)} wasm_terminal_full_screen_ms=${screen.toFixed(4)}`);
