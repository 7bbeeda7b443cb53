// @ts-check
// The Hayes modem in the audio thread. The page compiles the WebAssembly module and passes it in
// processorOptions (ModemOptions); this processor instantiates it synchronously and runs a
// DceSession on every render quantum (the DCE's clock). The messages through the port are in
// ../protocol.js.
//
// Audio and bytes cross in buffers the session owns, seen here through typed-array views: a
// quantum copies the microphone's samples into the input view, calls process(frames) and copies
// the output view to the node's outputs. Nothing is allocated while there is nothing to tell the
// page. A view goes stale (length 0) when the WebAssembly memory grows, which any call into the
// session can cause: each is checked before use and fetched again.
import './polyfill.js';
import { initSync, DceSession } from '../pkg/softmodem.js';
import { PROCESSOR_NAME, fromModem, errorText } from '../protocol.js';

/** @typedef {import('../protocol.js').ModemOptions} ModemOptions */
/** @typedef {import('../protocol.js').ToModem} ToModem */
/** @typedef {import('../protocol.js').FromModem} FromModem */

const STATUS_EVERY = 0.1; // seconds between status messages
const CLIP = 0.99; // an input sample at least this far from 0 is at (or near) full scale
// Seconds of the node's life before late quanta count as glitches: while the page sets the audio
// up (the node connected to the output, the context resumed, the input opened) Chromium skips the
// node's quanta once, which is the start and not the call's audio breaking up.
const GLITCH_SETTLE = 1;

class SoftmodemProcessor extends AudioWorkletProcessor {
  /** @param {{ processorOptions?: ModemOptions }} options */
  constructor(options) {
    super();
    /** @type {DceSession | null} */
    this.session = null;
    this.sinceStatus = STATUS_EVERY;
    // Views of the session's buffers: the input and output for blocks of `inBlock.length`
    // frames, and the byte buffer. Empty until fetched.
    /** @type {Float32Array} */
    this.inBlock = new Float32Array(0);
    /** @type {Float32Array} */
    this.outBlock = new Float32Array(0);
    /** @type {Uint8Array} */
    this.bytes = new Uint8Array(0);
    /** Frames the session's audio buffers hold. */
    this.audioMax = 0;
    // The audio's health (protocol.js AudioHealth): input samples near full scale since the last
    // status, and render quanta that came late. A quantum starts where the last one ended
    // (`currentFrame`); a later start means frames were skipped.
    this.health = { clipped: 0, glitches: 0, lostFrames: 0 };
    /** @type {number | null} where the next quantum should start */
    this.nextFrame = null;
    /** @type {number | null} the frame the node's first quantum started at */
    this.firstFrame = null;
    const o = options.processorOptions;
    try {
      if (!o || !(o.module instanceof WebAssembly.Module)) throw new Error('the page passed no WebAssembly module');
      initSync({ module: o.module });
      this.session = o.link === 'demo'
        ? DceSession.demo(sampleRate, o.seed >>> 0)
        : DceSession.line(o.link, sampleRate, o.level);
      this.audioMax = this.session.audio_max();
    } catch (e) {
      this.session = null;
      this.post(fromModem.failed(errorText(e)));
      return;
    }
    this.port.onmessage = (e) => this.onMessage(e.data);
    this.post(fromModem.ready(sampleRate));
  }

  /**
   * A message to the page; the bytes of `terminal` and `phone` messages, and the file of
   * `line-audio`, are transferred.
   * @param {FromModem} msg
   */
  post(msg) {
    if (msg.type === 'terminal' || msg.type === 'phone') this.port.postMessage(msg, [msg.bytes.buffer]);
    else if (msg.type === 'line-audio' && msg.wav) this.port.postMessage(msg, [msg.wav.buffer]);
    else this.port.postMessage(msg);
  }

  /**
   * A button's command; a refusal goes back to the page with the modem's reason.
   * @param {'dial' | 'answer'} what
   * @param {() => void} run
   */
  button(what, run) {
    try {
      run();
    } catch (e) {
      this.post(fromModem.refused(what, errorText(e)));
    }
  }

  /** @param {ToModem} msg */
  onMessage(msg) {
    const s = this.session;
    if (!s) return;
    switch (msg.type) {
      case 'terminal': this.typed(s, msg.bytes); break;
      case 'phone': this.fromPhone(s, msg.bytes); break;
      case 'dial': this.button('dial', () => s.dial(msg.number || '')); break;
      case 'answer': this.button('answer', () => s.answer()); break;
      case 'hangup': s.hang_up(); break;
      case 'break': s.send_break(); break;
      case 'ring': s.ring(); break;
      case 'link':
        try {
          s.set_link(msg.link);
          this.post(fromModem.link(true, linkName(s)));
        } catch (e) {
          this.post(fromModem.link(false, linkName(s), errorText(e)));
        }
        break;
      case 'phone-lost': s.phone_lost(); break;
      case 'phone-open': s.init_phone(); break;
      case 'level': try { s.set_level(msg.level); } catch { /* the page keeps to the module's range */ } break;
      case 'line-quality': try { s.set_line_quality(msg.snrDb ?? NaN, msg.codec); } catch { /* the page offers only known codecs */ } break;
      case 'line-audio':
        // A file of up to 1.9 MB made in the module's memory (which may grow: the views notice).
        try {
          this.post(fromModem.lineAudio(s.line_audio_wav()));
        } catch (e) {
          this.post(fromModem.lineAudio(null, errorText(e)));
        }
        break;
    }
    this.flush(s);
    this.sinceStatus = STATUS_EVERY; // show the message's effect at once
  }

  /**
   * The session's byte buffer, fetched again if the memory grew.
   * @param {DceSession} s
   */
  byteView(s) {
    if (this.bytes.length === 0) this.bytes = freshView(() => s.bytes());
    return this.bytes;
  }

  /**
   * Bytes typed at the terminal, through the byte buffer; the session keeps what the DCE does not
   * take now (online, transmit queue full) and reports what it had no room for.
   * @param {DceSession} s
   * @param {Uint8Array} bytes
   */
  typed(s, bytes) {
    let dropped = 0;
    for (let at = 0; at < bytes.length;) {
      const view = this.byteView(s);
      const n = Math.min(view.length, bytes.length - at);
      view.set(bytes.subarray(at, at + n));
      dropped += s.typed(n);
      at += n;
    }
    if (dropped > 0) this.post(fromModem.overflow(dropped));
  }

  /**
   * Bytes read from the phone's serial port, through the byte buffer.
   * @param {DceSession} s
   * @param {Uint8Array} bytes
   */
  fromPhone(s, bytes) {
    for (let at = 0; at < bytes.length;) {
      const view = this.byteView(s);
      const n = Math.min(view.length, bytes.length - at);
      view.set(bytes.subarray(at, at + n));
      s.from_phone(n);
      at += n;
    }
  }

  /**
   * Everything the DCE has for the terminal, the phone and the log goes to the page. With nothing
   * to send this is three calls that return 0.
   * @param {DceSession} s
   */
  flush(s) {
    let n;
    while ((n = s.to_terminal()) > 0) this.post(fromModem.terminal(this.byteView(s).slice(0, n)));
    while ((n = s.to_phone()) > 0) this.post(fromModem.phone(this.byteView(s).slice(0, n)));
    if (s.log_waiting() > 0) {
      let line;
      while ((line = s.poll_log()) !== undefined) this.post(fromModem.log(line));
    }
  }

  /**
   * Views of the session's audio buffers for blocks of `frames`, fetched again when the memory
   * grew (or the block size changed).
   * @param {DceSession} s
   * @param {number} frames at most `audioMax`
   */
  audioViews(s, frames) {
    if (this.inBlock.length !== frames || this.outBlock.length !== frames) {
      this.inBlock = freshView(() => s.audio_in()).subarray(0, frames);
      this.outBlock = freshView(() => s.audio_out()).subarray(0, frames);
      // The second may have grown the memory too.
      if (this.inBlock.length !== frames) this.inBlock = freshView(() => s.audio_in()).subarray(0, frames);
    }
  }

  /**
   * One block through the session: `input` (or silence) in, the output views filled.
   * @param {DceSession} s
   * @param {Float32Array | null} input `frames` samples
   * @param {number} frames at most `audioMax`
   */
  block(s, input, frames) {
    this.audioViews(s, frames);
    if (input) this.inBlock.set(input);
    else this.inBlock.fill(0);
    s.process(frames);
    this.audioViews(s, frames); // the call may have grown the memory
  }

  /**
   * @param {Float32Array[][]} inputs
   * @param {Float32Array[][]} outputs
   * @returns {boolean}
   */
  process(inputs, outputs) {
    const s = this.session;
    if (!s) return false; // the start failed: the page was told and closes the node
    const out = outputs[0];
    if (!out || out.length === 0) return true;
    const frames = out[0].length;
    const mic = inputs[0] && inputs[0].length > 0 && inputs[0][0].length === frames ? inputs[0][0] : null;
    this.watchAudio(mic, frames);
    if (frames <= this.audioMax) {
      this.block(s, mic, frames);
      for (let c = 0; c < out.length; c++) out[c].set(this.outBlock);
    } else {
      // Blocks longer than the session's buffers (not Chromium's 128 frames): in parts.
      for (let at = 0; at < frames; at += this.audioMax) {
        const n = Math.min(this.audioMax, frames - at);
        this.block(s, mic ? mic.subarray(at, at + n) : null, n);
        for (let c = 0; c < out.length; c++) out[c].set(this.outBlock, at);
      }
    }

    this.flush(s);
    this.sinceStatus += frames / sampleRate;
    if (this.sinceStatus >= STATUS_EVERY) {
      this.sinceStatus = 0;
      this.post(fromModem.status(s.status(), { ...this.health }, s.typed_waiting()));
      this.health.clipped = 0;
    }
    return true;
  }

  /**
   * Counts input samples near full scale, and quanta that did not start where the last one ended.
   * @param {Float32Array | null} mic this quantum's input
   * @param {number} frames
   */
  watchAudio(mic, frames) {
    if (this.firstFrame === null) this.firstFrame = currentFrame;
    if (this.nextFrame !== null && currentFrame > this.nextFrame && this.nextFrame - this.firstFrame >= GLITCH_SETTLE * sampleRate) {
      this.health.glitches++;
      this.health.lostFrames += currentFrame - this.nextFrame;
    }
    this.nextFrame = currentFrame + frames;
    if (mic) {
      let clipped = 0;
      for (let i = 0; i < mic.length; i++) if (mic[i] >= CLIP || mic[i] <= -CLIP) clipped++;
      this.health.clipped += clipped;
    }
  }
}

/**
 * A view of the session's memory, made again while it comes back stale: the glue's own
 * bookkeeping for the returned object can grow the memory after the view was made.
 * @template {Float32Array | Uint8Array} T
 * @param {() => T} make
 * @returns {T}
 */
function freshView(make) {
  let view = make();
  for (let i = 0; i < 4 && view.length === 0; i++) view = make();
  return view;
}

/**
 * The session's link, as the protocol names it.
 * @param {DceSession} s
 * @returns {'serial' | 'manual' | 'audio'}
 */
function linkName(s) {
  const link = s.link();
  return link === 'serial' || link === 'manual' ? link : 'audio';
}

registerProcessor(PROCESSOR_NAME, SoftmodemProcessor);
