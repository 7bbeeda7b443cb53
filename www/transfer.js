// @ts-check
// File transfers in the page: ZMODEM started by the far end (the terminal spots the sender's
// ZRQINIT, or a receiver's ZRINIT, in what arrives and takes the line, as BBS terminals do), or a
// send or receive started here with ZMODEM, YMODEM, YMODEM-G, XMODEM or XMODEM-1K. The protocols
// are Rust (src/transfer, bound in src/web/transfer.rs); this module feeds them the line's bytes,
// paces what they send by what the modem holds, saves what arrives as downloads, and shows the
// transfer window and its line in the status bar. Over a dial-up link's telnet session (a BBS on
// the far network) the same happens on the session's octets, paced by its room (app.js routes).
import { TransferSession, UploadFiles, ZmodemWatch } from './pkg/softmodem.js';

/** The most typed bytes left waiting in the modem: the transfer sends no faster than the line. */
const WINDOW = 1024;
/** How often the transfer runs between messages from the modem, ms. */
const TICK_MS = 50;
/** Octets of the ZMODEM start pattern (`**`, ZDLE, `B0`, then `0` or `1`). */
const START_LEN = 7;
const EMPTY = new Uint8Array(0);

/**
 * @typedef {object} TransferHooks
 * @property {(bytes: Uint8Array) => void} send octets for the far end (as typed)
 * @property {() => number | null} room octets the far end's link takes now when it is not the
 *   modem (a telnet session over dial-up networking); null: the modem, paced by its status
 * @property {() => string | null} blocked why no transfer can start now (null: one can)
 * @property {(blob: Blob, name: string) => Promise<string>} save a received file; resolves with
 *   where it went, for the log
 * @property {(text: string, kind?: '' | 'warn' | 'error') => void} note a line in the log
 */

/**
 * What TransferSession.progress() gives (src/transfer/mod.rs Progress, and the protocol).
 * @typedef {object} TransferProgress
 * @property {string} protocol
 * @property {'send' | 'receive'} direction
 * @property {string} file
 * @property {number} file_number
 * @property {number | null} files
 * @property {number | null} size
 * @property {number} done
 * @property {number} start
 * @property {number} total
 * @property {number} errors
 * @property {number} retries
 * @property {number} block
 * @property {number} files_done
 * @property {string | null} outcome
 * @property {boolean} complete
 */

/** @param {string} id */
function el(id) {
  const e = document.getElementById(id);
  if (!e) throw new Error(`no #${id}`);
  return e;
}

/** @param {number} n octets */
function size(n) {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
}

/** @param {number} s */
function duration(s) {
  if (!isFinite(s)) return '–';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;
}

export class Transfers {
  /**
   * @param {TransferHooks} hooks
   * @param {Promise<unknown>} ready resolves once the WebAssembly module runs on this thread
   */
  constructor(hooks, ready) {
    this.hooks = hooks;
    /** @type {TransferSession | null} */
    this.session = null;
    /** @type {ZmodemWatch | null} */
    this.watch = null;
    ready.then(() => { this.watch = new ZmodemWatch(); }, () => {});
    /** Typed bytes the modem held at its last status, and what went since. */
    this.waiting = 0;
    this.sentSinceStatus = 0;
    /** The line's rate, bit/s (from the status). */
    this.lineRate = 0;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.timer = null;
    this.started = 0;
    /** The far end's ZMODEM receiver waits for files (it sent ZRINIT). */
    this.uploadWanted = false;
    /** @type {TransferProgress | null} */
    this.last = null;

    this.window = el('transfer');
    this.protocolSelect = /** @type {HTMLSelectElement} */ (el('transfer-protocol'));
    this.fileInput = /** @type {HTMLInputElement} */ (el('transfer-files'));
    el('transfer-cancel').addEventListener('click', () => this.cancel());
    el('transfer-receive').addEventListener('click', () => this.receive(this.protocolSelect.value));
    this.fileInput.addEventListener('change', () => {
      const files = Array.from(this.fileInput.files ?? []);
      this.fileInput.value = '';
      if (files.length) this.send(files);
    });
    this.show();
  }

  /** True while a transfer runs. */
  get running() {
    return this.session !== null;
  }

  /**
   * Octets from the far end: a running transfer takes them all; otherwise they are watched for a
   * ZMODEM start. Returns the octets for the terminal.
   * @param {Uint8Array} bytes
   * @returns {Uint8Array}
   */
  fromLine(bytes) {
    if (this.session) {
      this.session.receive(performance.now(), bytes);
      this.pump();
      return EMPTY;
    }
    if (!this.watch) return bytes;
    const at = this.watch.scan(bytes);
    if (at < 0) return bytes;
    const before = bytes.subarray(0, Math.max(0, at - START_LEN));
    if (this.watch.upload()) {
      if (!this.uploadWanted) {
        this.uploadWanted = true;
        this.protocolSelect.value = 'zmodem';
        this.hooks.note('The far end waits for a ZMODEM upload: choose the files to send (or drop them on the terminal).');
        this.show();
      }
      return before;
    }
    const session = TransferSession.download('zmodem', this.rate(), '');
    this.start(session);
    this.hooks.note('ZMODEM download started by the far end.');
    session.receive(performance.now(), bytes.subarray(at));
    this.pump();
    return before;
  }

  /**
   * The modem's status: its rate, and how many typed bytes it holds (the transfer's pace).
   * @param {import('./protocol.js').Status} status
   * @param {number} waiting
   */
  status(status, waiting) {
    this.waiting = waiting;
    this.sentSinceStatus = 0;
    if (status.tx_rate) this.lineRate = status.tx_rate;
    if (status.modem === 'idle') {
      this.uploadWanted = false;
      // The call is over: whatever runs cannot finish.
      if (this.session && !this.session.ended()) this.session.cancel();
    }
    this.pump();
    this.show();
  }

  rate() {
    return this.lineRate || 2400;
  }

  /**
   * Sends files: ZMODEM into a waiting receiver, or with the protocol chosen.
   * @param {File[]} files
   */
  async send(files) {
    if (this.session) { this.hooks.note('A transfer is running already.', 'warn'); return; }
    const blocked = this.hooks.blocked();
    if (blocked) { this.hooks.note(blocked, 'warn'); return; }
    const protocol = this.uploadWanted ? 'zmodem' : this.protocolSelect.value;
    const list = new UploadFiles();
    for (const f of files) list.add(f.name, new Uint8Array(await f.arrayBuffer()));
    try {
      this.start(TransferSession.upload(protocol, this.rate(), list, this.uploadWanted));
      this.hooks.note(`Sending ${files.length === 1 ? files[0].name : `${files.length} files`} with ${protocol.toUpperCase()}.`);
    } catch (e) {
      this.hooks.note(`Cannot send: ${e instanceof Error ? e.message : String(e)}`, 'error');
    }
    this.uploadWanted = false;
  }

  /**
   * Receives with `protocol` (started here: XMODEM and YMODEM senders wait for the receiver).
   * @param {string} protocol
   */
  receive(protocol) {
    if (this.session) { this.hooks.note('A transfer is running already.', 'warn'); return; }
    const blocked = this.hooks.blocked();
    if (blocked) { this.hooks.note(blocked, 'warn'); return; }
    try {
      this.start(TransferSession.download(protocol, this.rate(), 'download.bin'));
      this.hooks.note(`Receiving with ${protocol.toUpperCase()}: start the sender at the far end.`);
    } catch (e) {
      this.hooks.note(`Cannot receive: ${e instanceof Error ? e.message : String(e)}`, 'error');
    }
  }

  /** The link the transfer ran over is gone (a telnet session closed): it ends now. */
  linkLost() {
    this.uploadWanted = false;
    if (this.session && !this.session.ended()) this.session.cancel();
    this.pump();
    this.show();
  }

  cancel() {
    if (this.session) this.session.cancel();
    else if (this.uploadWanted) {
      // Tell the waiting receiver there is nothing: the cancel sequence (eight CAN, ten BS).
      this.hooks.send(new Uint8Array([24, 24, 24, 24, 24, 24, 24, 24, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8]));
      this.uploadWanted = false;
    }
    this.pump();
    this.show();
  }

  /** @param {TransferSession} session */
  start(session) {
    this.session = session;
    this.started = performance.now();
    this.last = null;
    this.timer ??= setInterval(() => this.pump(), TICK_MS);
    this.pump();
  }

  /** Runs the transfer: its timers, what it sends (as far as the modem has room), its end. */
  pump() {
    const s = this.session;
    if (!s) return;
    const room = this.hooks.room() ?? WINDOW - this.waiting - this.sentSinceStatus;
    if (room > 0) {
      const out = s.transmit(performance.now(), room);
      if (out.length) {
        this.sentSinceStatus += out.length;
        this.hooks.send(out);
      }
    } else {
      s.transmit(performance.now(), 0);
    }
    this.last = s.progress();
    if (s.ended()) this.finish();
    else this.show();
  }

  finish() {
    const s = this.session;
    if (!s) return;
    const p = s.progress();
    for (let name = s.next_file(); name !== undefined; name = s.next_file()) {
      const data = s.take_data();
      this.hooks.save(new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (data)]), name)
        .then((where) => this.hooks.note(`Received ${name} (${data.length} octets): ${where}.`));
    }
    const what = p.direction === 'send' ? 'sent' : 'received';
    if (p.complete) this.hooks.note(`${p.protocol}: ${p.files_done} file${p.files_done === 1 ? '' : 's'} ${what}, ${p.total} octets, ${p.errors} errors, ${p.retries} retries.`);
    else this.hooks.note(`${p.protocol} ${p.direction === 'send' ? 'upload' : 'download'} ended: ${p.outcome}.`, 'warn');
    this.last = p;
    s.free();
    this.session = null;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.show();
  }

  /** The transfer window and the status bar's line. */
  show() {
    const p = this.last;
    const running = this.session !== null;
    this.window.dataset.state = running ? 'running' : this.uploadWanted ? 'waiting' : p ? 'ended' : 'idle';
    el('transfer-cancel').toggleAttribute('disabled', !running && !this.uploadWanted);
    el('transfer-receive').toggleAttribute('disabled', running);
    this.fileInput.disabled = running;
    if (!p) {
      el('transfer-title').textContent = this.uploadWanted ? 'The far end waits for your ZMODEM upload: choose files' : 'No transfer';
      for (const id of ['transfer-file', 'transfer-bytes', 'transfer-rate', 'transfer-left', 'transfer-errors']) el(id).textContent = '–';
      el('transfer-state').textContent = this.uploadWanted ? 'upload wanted' : '–';
      return;
    }
    const secs = (performance.now() - this.started) / 1000;
    const rate = p.total / Math.max(secs, 0.001);
    const line = this.rate() / 10;
    el('transfer-title').textContent = `${p.protocol} ${p.direction === 'send' ? 'upload' : 'download'}`
      + (running ? '' : p.complete ? ': complete' : `: ${p.outcome}`);
    el('transfer-file').textContent = p.file ? `${p.file}` + (p.files ? ` (${p.file_number} of ${p.files})` : '') : '–';
    el('transfer-bytes').textContent = `${size(p.done)}` + (p.size !== null ? ` of ${size(p.size)}` : '');
    el('transfer-rate').textContent = `${rate.toFixed(0)} cps of the line's ${line.toFixed(0)} (${(100 * rate / line).toFixed(0)} %)`;
    el('transfer-left').textContent = running && p.size !== null && rate > 0 ? duration((p.size - p.done) / rate) : '–';
    el('transfer-errors').textContent = `${p.errors} errors, ${p.retries} retries`;
    el('transfer-state').textContent = running
      ? `${p.protocol} ${p.size ? Math.floor(100 * p.done / p.size) : 0} %`
      : p.complete ? `${p.protocol} done` : `${p.protocol} failed`;
  }
}
