// The modem in the audio thread. The page compiles the WebAssembly module and passes it in
// processorOptions; this processor instantiates it synchronously and runs a Session on every
// 128-frame render quantum. Bytes, events and status go to the page through the port.
import './polyfill.js';
import { initSync, Session } from './softmodem.js';

const STATUS_EVERY = 0.1; // seconds between status messages

class SoftmodemProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions || {};
    this.session = null;
    this.rx = new Uint8Array(2048);
    this.silence = new Float32Array(128);
    this.out = new Float32Array(128);
    this.sinceStatus = 0;
    try {
      initSync({ module: o.module });
      this.session = o.mode === 'demo'
        ? Session.demo(o.family, sampleRate, o.seed >>> 0)
        : Session.line(o.family, o.role, sampleRate, o.level);
    } catch (e) {
      this.port.postMessage({ type: 'error', message: String(e && e.message || e) });
    }
    this.port.onmessage = (e) => this.onMessage(e.data);
    this.port.postMessage({ type: 'ready', sampleRate });
  }

  onMessage(msg) {
    if (!this.session) return;
    switch (msg.type) {
      case 'write': {
        const n = this.session.write(msg.bytes);
        if (n < msg.bytes.length) this.port.postMessage({ type: 'overflow', dropped: msg.bytes.length - n });
        break;
      }
      case 'break': this.session.send_break(); break;
      case 'hangup': this.session.hang_up(); break;
    }
  }

  process(inputs, outputs) {
    const out = outputs[0];
    if (!this.session || !out || out.length === 0) return true;
    const frames = out[0].length;
    const input = inputs[0] && inputs[0].length > 0 ? inputs[0][0] : this.silence;
    if (this.out.length !== frames) this.out = new Float32Array(frames);
    this.session.process(input.length === frames ? input : this.silence.subarray(0, frames), this.out);
    for (const ch of out) ch.set(this.out);

    const n = this.session.read(this.rx);
    if (n > 0) this.port.postMessage({ type: 'data', bytes: this.rx.slice(0, n) });
    let ev;
    while ((ev = this.session.poll_event()) !== undefined) this.port.postMessage({ type: 'event', text: ev });

    this.sinceStatus += frames / sampleRate;
    if (this.sinceStatus >= STATUS_EVERY) {
      this.sinceStatus = 0;
      this.port.postMessage({
        type: 'status',
        state: this.session.state(),
        carrier: this.session.carrier(),
        level: this.session.rx_level_dbm0(),
        quality: this.session.quality_db(),
        counts: Array.from(this.session.counts()),
      });
    }
    return true;
  }
}

registerProcessor('softmodem', SoftmodemProcessor);
