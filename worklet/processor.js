// The Hayes modem in the audio thread. The page compiles the WebAssembly module and passes it in
// processorOptions; this processor instantiates it synchronously and runs a DceSession on every
// 128-frame render quantum (the DCE's clock). Through the port:
//   page -> here: {type:'terminal', bytes}  typed at the terminal
//                 {type:'phone', bytes}     read from the phone's serial port (the page owns it)
//                 {type:'dial', number} {type:'answer'} {type:'hangup'} {type:'break'} {type:'ring'}
//                 {type:'link', link}       serial or manual (refused during a call)
//                 {type:'phone-lost'} {type:'phone-open'} {type:'level', level}
//   here -> page: {type:'ready'} {type:'error', message}
//                 {type:'terminal', bytes}  for the terminal
//                 {type:'phone', bytes}     to write to the phone's serial port
//                 {type:'log', text}        status lines
//                 {type:'status', json}     the status panel (JSON text, parsed by the page)
//                 {type:'link', ok, link, message} {type:'refused', what, reason}
//                 {type:'overflow', dropped}
import './polyfill.js';
import { initSync, DceSession } from './softmodem.js';

const STATUS_EVERY = 0.1; // seconds between status messages
const PENDING_MAX = 65536; // typed bytes held while the line is busy; more are dropped

class SoftmodemProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions || {};
    this.session = null;
    this.buf = new Uint8Array(1024);
    this.silence = new Float32Array(128);
    this.out = new Float32Array(128);
    this.pending = new Uint8Array(0); // typed bytes the DCE has not taken yet (online, line busy)
    this.sinceStatus = STATUS_EVERY;
    try {
      initSync({ module: o.module });
      this.session = o.link === 'demo'
        ? DceSession.demo(sampleRate, o.seed >>> 0)
        : DceSession.line(o.link, sampleRate, o.level);
    } catch (e) {
      this.port.postMessage({ type: 'error', message: String(e && e.message || e) });
    }
    this.port.onmessage = (e) => this.onMessage(e.data);
    this.port.postMessage({ type: 'ready', sampleRate });
  }

  // A button's command; a refusal goes back to the page with the modem's reason.
  button(what, run) {
    try {
      run();
    } catch (e) {
      this.port.postMessage({ type: 'refused', what, reason: String(e && e.message || e) });
    }
  }

  onMessage(msg) {
    const s = this.session;
    if (!s) return;
    switch (msg.type) {
      case 'terminal': this.typed(msg.bytes); break;
      case 'phone': s.from_phone(msg.bytes); break;
      case 'dial': this.button('dial', () => s.dial(msg.number || '')); break;
      case 'answer': this.button('answer', () => s.answer()); break;
      case 'hangup': this.pending = new Uint8Array(0); s.hang_up(); break;
      case 'break': s.send_break(); break;
      case 'ring': s.ring(); break;
      case 'link':
        try {
          s.set_link(msg.link);
          this.port.postMessage({ type: 'link', ok: true, link: s.link() });
        } catch (e) {
          this.port.postMessage({ type: 'link', ok: false, link: s.link(), message: String(e && e.message || e) });
        }
        break;
      case 'phone-lost': s.phone_lost(); break;
      case 'phone-open': s.init_phone(); break;
      case 'level': try { s.set_level(msg.level); } catch (e) { /* the page checks the range */ } break;
    }
    this.flush();
    this.sinceStatus = STATUS_EVERY; // show the button's effect at once
  }

  // Typed bytes: what the DCE does not take now (online, transmit queue full) waits.
  typed(bytes) {
    if (this.pending.length === 0) {
      const n = this.session.from_terminal(bytes);
      if (n < bytes.length) this.keep(bytes.subarray(n));
    } else {
      this.keep(bytes);
    }
  }

  keep(bytes) {
    const room = PENDING_MAX - this.pending.length;
    if (bytes.length > room) this.port.postMessage({ type: 'overflow', dropped: bytes.length - room });
    const next = new Uint8Array(this.pending.length + Math.min(room, bytes.length));
    next.set(this.pending);
    next.set(bytes.subarray(0, next.length - this.pending.length), this.pending.length);
    this.pending = next;
  }

  // Everything the DCE has for the terminal, the phone and the log goes to the page.
  flush() {
    const s = this.session;
    let n;
    while ((n = s.to_terminal(this.buf)) > 0) this.port.postMessage({ type: 'terminal', bytes: this.buf.slice(0, n) });
    while ((n = s.to_phone(this.buf)) > 0) this.port.postMessage({ type: 'phone', bytes: this.buf.slice(0, n) });
    let line;
    while ((line = s.poll_log()) !== undefined) this.port.postMessage({ type: 'log', text: line });
  }

  process(inputs, outputs) {
    const out = outputs[0];
    const s = this.session;
    if (!s || !out || out.length === 0) return true;
    const frames = out[0].length;
    const input = inputs[0] && inputs[0].length > 0 ? inputs[0][0] : this.silence;
    if (this.out.length !== frames) this.out = new Float32Array(frames);
    s.process(input.length === frames ? input : this.silence.subarray(0, frames), this.out);
    for (const ch of out) ch.set(this.out);

    if (this.pending.length > 0) {
      const n = s.from_terminal(this.pending);
      if (n > 0) this.pending = this.pending.slice(n);
    }
    this.flush();

    this.sinceStatus += frames / sampleRate;
    if (this.sinceStatus >= STATUS_EVERY) {
      this.sinceStatus = 0;
      this.port.postMessage({ type: 'status', json: s.status_json() });
    }
    return true;
  }
}

registerProcessor('softmodem', SoftmodemProcessor);
