// What a render quantum costs the page's worklet in calls through the wasm-bindgen glue: an idle
// session (manual link, on-hook, at the AudioContext's 48 kHz) driven the way
// www/worklet/processor.js drives it: 128 samples in, process, samples out to two channels, the
// terminal, phone and log drained. The modem has little to do on-hook (the two resamplers run), so
// the glue's share shows. Microseconds per quantum, in Node.
//
// Build the Node package first (see bench/wasm-cpu.mjs), then:
//
//   node bench/worklet-quantum.mjs [--pkg target/wasm-node] [--quanta 50000] [--repeats 11]
//
// It also drives packages from before the session owned its buffers (process(input, output) and
// to_terminal(buf) copying through the glue), so the two can be compared.

import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const pkg = path.resolve(option('pkg', 'target/wasm-node'));
const quanta = Number(option('quanta', '50000'));
const repeats = Number(option('repeats', '11'));
const wasm = createRequire(import.meta.url)(path.join(pkg, 'softmodem.js'));
const s = wasm.DceSession.line('manual', 48000, -13);
const views = typeof s.audio_in === 'function';
const Q = 128;
const mic = new Float32Array(Q);
const out = [new Float32Array(Q), new Float32Array(Q)];
const buf = new Uint8Array(1024);
let inBlock = new Float32Array(0);
let outBlock = new Float32Array(0);

function fetchViews() {
  if (inBlock.length !== Q || outBlock.length !== Q) {
    inBlock = s.audio_in().subarray(0, Q);
    outBlock = s.audio_out().subarray(0, Q);
  }
}

function quantum() {
  if (views) {
    fetchViews();
    inBlock.set(mic);
    s.process(Q);
    fetchViews();
    for (let c = 0; c < out.length; c++) out[c].set(outBlock);
    while (s.to_terminal() > 0);
    while (s.to_phone() > 0);
    if (s.log_waiting() > 0) while (s.poll_log() !== undefined);
  } else {
    s.process(mic, out[0]);
    out[1].set(out[0]);
    while (s.to_terminal(buf) > 0);
    while (s.to_phone(buf) > 0);
    while (s.poll_log() !== undefined);
  }
}

for (let i = 0; i < quanta; i++) quantum(); // untimed: the engine compiles in tiers
const runs = [];
for (let r = 0; r < repeats; r++) {
  const t0 = performance.now();
  for (let i = 0; i < quanta; i++) quantum();
  runs.push(((performance.now() - t0) / quanta) * 1000);
}
runs.sort((a, b) => a - b);
const med = runs[(runs.length - 1) >> 1];
console.log(`Idle session at 48 kHz through the glue (${views ? 'views of session-owned buffers' : 'copies through the glue'}), `
  + `Node ${process.version}: ${med.toFixed(2)} us per 128-frame quantum (median of ${repeats}), min ${runs[0].toFixed(2)}`);
console.log(`RESULT quantum_us=${med.toFixed(3)} quantum_min_us=${runs[0].toFixed(3)} api=${views ? 'views' : 'copies'}`);
