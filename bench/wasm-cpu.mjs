// CPU cost of one V.22bis modem (receive + transmit, 2400 bit/s data mode) running as WebAssembly
// in Node: the WASM counterpart of `cargo bench --bench cpu` (benches/cpu.rs).
//
// It builds nothing. Build the Node-targeted package first, from the repository root:
//
//   cargo build --release --target wasm32-unknown-unknown --lib
//   wasm-bindgen --target nodejs --out-dir target/wasm-node \
//       target/wasm32-unknown-unknown/release/softmodem.wasm
//   node bench/wasm-cpu.mjs [--seconds 30] [--repeats 31] [--pkg target/wasm-node]
//
// (wasm-bindgen must be the CLI matching the crate's pinned wasm-bindgen, 0.2.130.)
//
// The measurement is `bench_v22bis` in src/web/mod.rs: a call of our caller against our answerer
// is recorded inside the module, then a copy of the trained caller is fed the recording in
// 160-sample blocks and only `Modem::process` is timed, with `performance.now()`. The figure is
// milliseconds per second of audio (wall-clock time of the single JS thread). The last line,
// starting RESULT, is for scripts.

import { createRequire } from "node:module";
import path from "node:path";
import process from "node:process";

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const seconds = Number(option("seconds", "30"));
const repeats = Number(option("repeats", "31"));
const pkg = path.resolve(option("pkg", "target/wasm-node"));
if (!(seconds >= 1 && repeats >= 1)) {
  console.error("usage: node bench/wasm-cpu.mjs [--seconds N] [--repeats N] [--pkg DIR]");
  process.exit(2);
}

let wasm;
try {
  wasm = createRequire(import.meta.url)(path.join(pkg, "softmodem.js"));
} catch (e) {
  console.error(`cannot load ${pkg}/softmodem.js (build it first, see the top of this file): ${e.message}`);
  process.exit(1);
}
if (typeof wasm.bench_v22bis !== "function") {
  console.error(`${pkg}/softmodem.js has no bench_v22bis: rebuild it from this tree`);
  process.exit(1);
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

// One untimed run first: the engine compiles the module in tiers, so the first run is slower.
wasm.bench_v22bis(Math.min(seconds, 5), 1);
const t0 = performance.now();
const runs = Array.from(wasm.bench_v22bis(seconds, repeats));
const med = median(runs);
const min = Math.min(...runs);

console.log(
  `V.22bis, one calling modem (receive + transmit), 2400 bit/s data both ways, WASM in Node ${process.version}, ` +
    `${seconds} s of audio in 160-sample blocks, ${repeats} repeats`,
);
console.log("CPU ms per second of audio (lower is better):");
console.log("");
console.log("| modem                        | median | min    | x real time (median) |");
console.log("|------------------------------|--------|--------|----------------------|");
console.log(
  `| ours, WASM (Modem::process)  | ${med.toFixed(3).padStart(6)} | ${min.toFixed(3).padStart(6)} | ` +
    `${(1000 / med).toFixed(0).padStart(20)} |`,
);
console.log("");
console.log(`runs: ${runs.map((v) => v.toFixed(3)).join(" ")} (${((performance.now() - t0) / 1000).toFixed(1)} s in all)`);
console.log(
  `RESULT wasm_ours_ms_per_s=${med.toFixed(4)} wasm_ours_min_ms_per_s=${min.toFixed(4)} ` +
    `audio_s=${seconds} repeats=${repeats} node=${process.version}`,
);
