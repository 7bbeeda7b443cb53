// Loaded into the AudioWorkletGlobalScope BEFORE the page's processor module (e2e/probe.mjs adds
// it), this counts what the modem's processor allocates in each render quantum:
//
//  - calls into the WebAssembly module's allocation exports as the wasm-bindgen glue sees them
//    (every export whose name contains "alloc": __wbindgen_malloc, __wbindgen_realloc,
//    __externref_table_alloc), by wrapping the exports of WebAssembly.Instance;
//  - typed arrays and DataViews created: their constructors (replaced by counting proxies) and
//    %TypedArray%.prototype.subarray and .slice (a view is an allocation too).
//
// JavaScript arrays and objects (a message, multi-value returns of the glue) are not counted.
// Each process() call is measured and classified: "quiet" quanta post nothing to the page and do
// not grow the WebAssembly memory; "posting" quanta post messages (whose contents are allocations);
// "growing" quanta grow the memory (views into it must be made again).
//
// The page's node answers {type: '__probe'} with {type: '__probe', stats} and {type: '__probe',
// reset: true} by zeroing the counts. It works on any version of the page: it wraps whatever class
// is registered.
const count = { alloc: 0, typed: 0 };
/** @type {WebAssembly.Memory | null} */
let memory = null;

for (const name of ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
  'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'DataView']) {
  const C = globalThis[name];
  if (!C) continue;
  globalThis[name] = new Proxy(C, {
    construct(target, args, newTarget) {
      count.typed++;
      return Reflect.construct(target, args, newTarget);
    },
  });
}
const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
for (const m of ['subarray', 'slice']) {
  const f = TypedArrayProto[m];
  TypedArrayProto[m] = function (a, b) {
    count.typed++;
    return f.call(this, a, b);
  };
}

const Instance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const inst = new Instance(module, imports);
  const exports = {};
  for (const [k, v] of Object.entries(inst.exports)) {
    if (typeof v === 'function' && k.includes('alloc')) {
      exports[k] = function () { count.alloc++; return v.apply(this, arguments); };
    } else {
      exports[k] = v;
    }
    if (v instanceof WebAssembly.Memory) memory = v;
  }
  return { exports };
};

function fresh() {
  return {
    quanta: 0, allocations: 0, maxPerQuantum: 0,
    quiet: 0, quietAllocations: 0, quietAllocating: 0,
    posting: 0, postingAllocations: 0,
    growing: 0, growingAllocations: 0,
    glueAllocCalls: 0, typedArrays: 0,
  };
}

const register = globalThis.registerProcessor;
globalThis.registerProcessor = (name, Processor) => {
  class Probed extends Processor {
    constructor(options) {
      super(options);
      let stats = fresh();
      let posted = 0;
      const port = this.port;
      const post = port.postMessage.bind(port);
      port.postMessage = (m, t) => { posted++; return t === undefined ? post(m) : post(m, t); };
      const handler = port.onmessage;
      port.onmessage = (e) => {
        if (e.data && e.data.type === '__probe') {
          if (e.data.reset) stats = fresh();
          else post({ type: '__probe', stats });
          return;
        }
        if (handler) handler.call(port, e);
      };
      this.__probe = {
        measure: (run) => {
          const a0 = count.alloc;
          const t0 = count.typed;
          const bytes0 = memory ? memory.buffer.byteLength : 0;
          posted = 0;
          const r = run();
          const alloc = count.alloc - a0;
          const typed = count.typed - t0;
          const n = alloc + typed;
          const grew = memory ? memory.buffer.byteLength !== bytes0 : false;
          stats.quanta++;
          stats.allocations += n;
          stats.glueAllocCalls += alloc;
          stats.typedArrays += typed;
          if (n > stats.maxPerQuantum) stats.maxPerQuantum = n;
          if (grew) { stats.growing++; stats.growingAllocations += n; }
          else if (posted > 0) { stats.posting++; stats.postingAllocations += n; }
          else { stats.quiet++; stats.quietAllocations += n; if (n > 0) stats.quietAllocating++; }
          return r;
        },
      };
    }

    process(inputs, outputs, parameters) {
      return this.__probe.measure(() => super.process(inputs, outputs, parameters));
    }
  }
  register(name, Probed);
};
