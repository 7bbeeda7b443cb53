// @ts-check
// The page's ANSI-BBS terminal: the emulator is Rust (src/terminal, bound in src/web/terminal.rs as
// AnsiScreen), drawn with the VGA 8x16 font into pixels this module puts on a canvas, the rows
// that changed each animation frame. Around it: a text mirror of the screen for screen readers
// (and tests), the cursor, scrollback (wheel, Shift+PgUp/PgDn, the scroll bar), selection and
// copy, capture of the session, local echo and ANSI music. Nothing from the line becomes HTML.
import { AnsiScreen } from './pkg/softmodem.js';

const CP437 =
  '\u0000☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼' +
  ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~⌂' +
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»' +
  '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

export const CP437_CHARS = Array.from(CP437);
if (CP437_CHARS.length !== 256) throw new Error('CP437 table has ' + CP437_CHARS.length + ' entries');

/** Lines of scrollback the terminal keeps. */
export const SCROLLBACK = 2000;
/** Half a blink period, ms (a VGA blinks at about 1.9 Hz). */
const BLINK_MS = 267;
/** The most bytes a capture keeps (more stops it). */
const CAPTURE_MAX = 16 << 20;

/**
 * @typedef {object} TerminalHooks
 * @property {(bytes: Uint8Array) => void} reply the terminal's answers to the far end (device attributes, cursor position)
 * @property {(text: string) => void} copied a selection was copied
 */

export class Terminal {
  /**
   * @param {HTMLElement} el the terminal's element (focusable), which gets the canvas and the mirror
   * @param {Promise<unknown>} ready resolves once the WebAssembly module is instantiated on this thread
   * @param {TerminalHooks} hooks
   */
  constructor(el, ready, hooks) {
    this.el = el;
    this.hooks = hooks;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'screen';
    this.canvas.setAttribute('aria-hidden', 'true');
    this.ctx = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext('2d', { alpha: false }));
    this.cursorEl = document.createElement('div');
    this.cursorEl.className = 'cursor';
    this.selectionEl = document.createElement('div');
    this.selectionEl.className = 'selection-layer';
    const stage = document.createElement('div');
    stage.className = 'stage';
    stage.append(this.canvas, this.selectionEl, this.cursorEl);
    this.scrollbar = document.createElement('input');
    this.scrollbar.type = 'range';
    this.scrollbar.className = 'scrollbar';
    this.scrollbar.min = '0';
    this.scrollbar.max = '0';
    this.scrollbar.value = '0';
    this.scrollbar.tabIndex = -1;
    this.scrollbar.setAttribute('aria-label', 'Scrollback');
    this.scrollbar.addEventListener('input', () => this.scrollTo(Number(this.scrollbar.max) - Number(this.scrollbar.value)));
    // The text mirror: every line of the scrollback and the screen as text, for screen readers
    // (polite announcements of what changes) and for tests. Trailing empty rows are left out.
    this.mirror = document.createElement('pre');
    this.mirror.className = 'mirror';
    this.mirror.setAttribute('aria-live', 'polite');
    this.mirror.setAttribute('aria-label', 'Terminal text');
    el.replaceChildren(stage, this.scrollbar, this.mirror);
    /** @type {AnsiScreen | null} */
    this.screen = null;
    /** @type {Uint8Array[]} bytes written before the module was ready */
    this.early = [];
    this.pending = false;
    this.blinkOn = true;
    this.blinkTimer = 0;
    /** Mirror state: text nodes of scrollback lines (oldest first) and of the screen's rows. */
    /** @type {Text[]} */
    this.sbNodes = [];
    /** @type {Text[]} */
    this.rowNodes = [];
    this.pushedSeen = 0;
    this.generation = -1;
    this.localEcho = false;
    /** @type {{ bytes: Uint8Array[], size: number, lines: string[], startPushed: number } | null} */
    this.capture = null;
    this.music = new Music();
    /** @type {{ r0: number, c0: number, r1: number, c1: number } | null} */
    this.selection = null;
    /** The last selection copied. */
    this.lastCopied = '';
    this.wireMouse();
    ready.then(() => this.start()).catch(() => { /* the modem's start reports it */ });
  }

  start() {
    this.screen = new AnsiScreen(80, 25, SCROLLBACK);
    this.fitCanvas();
    for (const b of this.early) this.feed(b);
    this.early = [];
    this.schedule();
    this.blinkTimer = window.setInterval(() => { this.blinkOn = !this.blinkOn; this.schedule(); }, BLINK_MS);
  }

  fitCanvas() {
    if (!this.screen) return;
    this.canvas.width = this.screen.width();
    this.canvas.height = this.screen.height();
    this.el.style.setProperty('--cols', String(this.screen.cols()));
    this.el.style.setProperty('--rows', String(this.screen.rows()));
  }

  /**
   * Changes the screen's size (what fits is kept).
   * @param {number} cols
   * @param {number} rows
   */
  setSize(cols, rows) {
    if (!this.screen) return;
    this.screen.resize(cols, rows);
    this.fitCanvas();
    this.generation = -1;
    this.schedule();
  }

  /**
   * Bytes for the screen: from the far end, or the modem's command mode.
   * @param {Uint8Array} bytes
   */
  write(bytes) {
    if (!this.screen) { this.early.push(bytes.slice()); return; }
    this.feed(bytes);
    this.schedule();
  }

  /** @param {Uint8Array} bytes */
  feed(bytes) {
    const s = /** @type {AnsiScreen} */ (this.screen);
    const cols = s.cols(), rows = s.rows();
    s.feed(bytes);
    if (cols !== s.cols() || rows !== s.rows()) this.fitCanvas();
    const reply = s.take_replies();
    if (reply.length) this.hooks.reply(reply);
    if (this.capture) {
      this.capture.size += bytes.length;
      if (this.capture.size > CAPTURE_MAX) this.capture = null;
      else this.capture.bytes.push(bytes.slice());
    }
  }

  /**
   * What the person typed, echoed on the screen when local echo is on.
   * @param {Uint8Array} bytes
   */
  echo(bytes) {
    if (this.localEcho) this.write(bytes);
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.render(); });
  }

  /** Draws what changed, moves the cursor, updates the mirror and plays the music. */
  render() {
    const s = this.screen;
    if (!s) return;
    const drawn = s.render(this.blinkOn);
    if (drawn) {
      const w = s.width();
      const px = s.pixels();
      const data = /** @type {Uint8ClampedArray<ArrayBuffer>} */ (new Uint8ClampedArray(px.buffer, px.byteOffset, px.length));
      const image = new ImageData(data, w, s.height());
      const rows = s.rows();
      for (let r = 0; r < rows; r++) {
        if (s.row_drawn(r)) this.ctx.putImageData(image, 0, 0, 0, r * 16, w, 16);
      }
    }
    const row = s.cursor_row() + s.view();
    const show = s.cursor_visible() && row < s.rows() && document.activeElement === this.el;
    this.cursorEl.hidden = !show;
    this.cursorEl.style.left = `${(100 * s.cursor_col()) / s.cols()}%`;
    this.cursorEl.style.top = `${(100 * row) / s.rows()}%`;
    this.updateMirror();
    this.updateScrollbar();
    this.music.play(s);
  }

  updateMirror() {
    const s = /** @type {AnsiScreen} */ (this.screen);
    const pushed = s.scrollback_pushed();
    const fresh = Math.min(pushed - this.pushedSeen, s.scrollback_len());
    this.pushedSeen = pushed;
    const len = s.scrollback_len();
    const lines = [];
    for (let i = len - fresh; i < len; i++) lines.push(s.scrollback_text(i));
    if (lines.length) {
      const first = this.rowNodes[0] ?? null;
      for (const text of lines) {
        const node = document.createTextNode(text + '\n');
        this.mirror.insertBefore(node, first);
        this.sbNodes.push(node);
      }
      if (this.capture) this.capture.lines.push(...lines);
    }
    while (this.sbNodes.length > len) /** @type {Text} */ (this.sbNodes.shift()).remove();
    // The screen's rows, when anything on it changed; empty rows at the end are left out.
    const generation = s.generation();
    if (generation === this.generation && !lines.length) return;
    this.generation = generation;
    let last = s.rows() - 1;
    const texts = [];
    for (let r = 0; r < s.rows(); r++) texts.push(s.row_text(r));
    while (last >= 0 && texts[last] === '') last--;
    for (let r = 0; r <= last; r++) {
      const text = texts[r] + (r === last ? '' : '\n');
      const node = this.rowNodes[r];
      if (!node) this.rowNodes.push(this.mirror.appendChild(document.createTextNode(text)));
      else if (node.data !== text) node.data = text;
    }
    while (this.rowNodes.length > last + 1) /** @type {Text} */ (this.rowNodes.pop()).remove();
    // Scrollback lines end with a newline; with no screen text after them, the last one's goes.
    if (this.sbNodes.length) {
      const lastSb = this.sbNodes[this.sbNodes.length - 1];
      const want = lastSb.data.replace(/\n$/, '') + (last >= 0 ? '\n' : '');
      if (lastSb.data !== want) lastSb.data = want;
      for (let i = 0; i < this.sbNodes.length - 1; i++) {
        const n = this.sbNodes[i];
        if (!n.data.endsWith('\n')) n.data += '\n';
      }
    }
  }

  updateScrollbar() {
    const s = /** @type {AnsiScreen} */ (this.screen);
    const max = String(s.scrollback_len());
    if (this.scrollbar.max !== max) this.scrollbar.max = max;
    const value = String(s.scrollback_len() - s.view());
    if (this.scrollbar.value !== value) this.scrollbar.value = value;
  }

  /** @param {number} lines lines scrolled back (0: the screen) */
  scrollTo(lines) {
    const s = this.screen;
    if (!s) return;
    s.set_view(Math.max(0, Math.min(s.scrollback_len(), Math.round(lines))));
    this.schedule();
  }

  /** The whole text: the scrollback's lines and the screen's rows, as the mirror has it. */
  text() { return this.mirror.textContent ?? ''; }

  /**
   * The bytes a key press sends, or null for keys the terminal leaves to the page.
   * @param {KeyboardEvent} e
   * @returns {Uint8Array | null}
   */
  keyBytes(e) {
    if (e.metaKey || (e.altKey && !e.ctrlKey)) return null;
    if (e.ctrlKey && !e.altKey && e.key.length === 1) {
      const c = e.key.toUpperCase().charCodeAt(0);
      if (c >= 0x40 && c <= 0x5f) return new Uint8Array([c - 0x40]);
      return null;
    }
    if (e.shiftKey && (e.key === 'PageUp' || e.key === 'PageDown')) {
      const s = this.screen;
      if (s) this.scrollTo(s.view() + (e.key === 'PageUp' ? 1 : -1) * (s.rows() - 1));
      return new Uint8Array(0);
    }
    if (!this.screen) return e.key.length === 1 ? textBytes(e.key) : null;
    const bytes = this.screen.key(e.key, e.shiftKey);
    return bytes.length ? bytes : null;
  }

  /** Back to the screen itself (typing does this, as in SyncTERM). */
  scrollHome() { if (this.screen && this.screen.view()) this.scrollTo(0); }

  // ---- selection and copy ----

  wireMouse() {
    /** @param {PointerEvent} e */
    const cell = (e) => {
      const s = this.screen;
      const rect = this.canvas.getBoundingClientRect();
      if (!s || !rect.width) return { r: 0, c: 0 };
      const c = Math.floor(((e.clientX - rect.left) / rect.width) * s.cols());
      const r = Math.floor(((e.clientY - rect.top) / rect.height) * s.rows());
      return { r: Math.max(0, Math.min(s.rows() - 1, r)), c: Math.max(0, Math.min(s.cols() - 1, c)) };
    };
    /** @type {{ r: number, c: number } | null} */
    let anchor = null;
    this.canvas.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      anchor = cell(e);
      this.selection = null;
      this.drawSelection();
      this.canvas.setPointerCapture(e.pointerId);
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (!anchor) return;
      const at = cell(e);
      const [a, b] = (at.r < anchor.r || (at.r === anchor.r && at.c < anchor.c)) ? [at, anchor] : [anchor, at];
      this.selection = { r0: a.r, c0: a.c, r1: b.r, c1: b.c };
      this.drawSelection();
    });
    this.canvas.addEventListener('pointerup', () => {
      anchor = null;
      const sel = this.selection;
      if (!sel || !this.screen || (sel.r0 === sel.r1 && sel.c0 === sel.c1)) { this.selection = null; this.drawSelection(); return; }
      const text = this.screen.selection_text(sel.r0, sel.c0, sel.r1, sel.c1);
      this.lastCopied = text;
      this.hooks.copied(text);
      // (Without the clipboard's permission the promise may never settle: lastCopied keeps it.)
      navigator.clipboard?.writeText(text).catch(() => {});
    });
    this.canvas.addEventListener('wheel', (e) => {
      const s = this.screen;
      if (!s) return;
      e.preventDefault();
      this.scrollTo(s.view() - Math.sign(e.deltaY) * 3);
    }, { passive: false });
  }

  drawSelection() {
    const s = this.screen;
    const sel = this.selection;
    if (!s || !sel) { this.selectionEl.replaceChildren(); return; }
    const boxes = [];
    for (let r = sel.r0; r <= sel.r1; r++) {
      const c0 = r === sel.r0 ? sel.c0 : 0;
      const c1 = r === sel.r1 ? sel.c1 : s.cols() - 1;
      const b = document.createElement('div');
      b.className = 'selected';
      b.style.left = `${(100 * c0) / s.cols()}%`;
      b.style.width = `${(100 * (c1 - c0 + 1)) / s.cols()}%`;
      b.style.top = `${(100 * r) / s.rows()}%`;
      b.style.height = `${100 / s.rows()}%`;
      boxes.push(b);
    }
    this.selectionEl.replaceChildren(...boxes);
  }

  // ---- capture ----

  /** Starts recording what arrives. */
  startCapture() {
    this.capture = { bytes: [], size: 0, lines: [], startPushed: this.pushedSeen };
  }

  get capturing() { return this.capture !== null; }

  /**
   * Stops recording: the raw bytes, and the text of every line that scrolled by and the screen.
   * @returns {{ raw: Blob, text: Blob } | null}
   */
  stopCapture() {
    const c = this.capture;
    this.capture = null;
    if (!c || !this.screen) return null;
    const rows = [];
    for (let r = 0; r < this.screen.rows(); r++) rows.push(this.screen.row_text(r));
    while (rows.length && rows[rows.length - 1] === '') rows.pop();
    const text = [...c.lines, ...rows].join('\r\n') + '\r\n';
    return {
      raw: new Blob(/** @type {BlobPart[]} */ (c.bytes), { type: 'application/octet-stream' }),
      text: new Blob([text], { type: 'text/plain;charset=utf-8' }),
    };
  }
}

/** ANSI music through Web Audio: square-wave notes one after another; muted by default. */
class Music {
  constructor() {
    this.muted = true;
    /** @type {AudioContext | null} */
    this.ctx = null;
    this.until = 0;
  }

  /** @param {boolean} muted */
  setMuted(muted) {
    this.muted = muted;
    if (!muted && !this.ctx) this.ctx = new AudioContext();
  }

  /** Schedules the notes the screen has (or drops them while muted). @param {AnsiScreen} s */
  play(s) {
    if (this.muted || !this.ctx) { s.clear_notes(); return; }
    const ctx = this.ctx;
    let t = Math.max(this.until, ctx.currentTime + 0.02);
    // At most a few seconds ahead: the rest waits in the terminal's queue.
    for (let n = s.next_note(); n; n = t - ctx.currentTime < 4 ? s.next_note() : undefined) {
      const [freq, dur, gap] = n;
      if (freq > 0 && dur > 0) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'square';
        osc.frequency.value = freq;
        gain.gain.value = 0.06;
        osc.connect(gain).connect(ctx.destination);
        osc.start(t);
        osc.stop(t + dur / 1000);
      }
      t += (dur + gap) / 1000;
    }
    this.until = t;
  }
}

/**
 * Text as code page 437 bytes (what a BBS expects); characters it lacks become '?'.
 * @param {string} text
 * @returns {Uint8Array}
 */
export function textBytes(text) {
  /** @type {number[]} */
  const out = [];
  for (const ch of text) {
    const code = /** @type {number} */ (ch.codePointAt(0));
    if (code < 0x80) out.push(code);
    else {
      const i = CP437_CHARS.indexOf(ch);
      out.push(i >= 0x80 ? i : 0x3f);
    }
  }
  return new Uint8Array(out);
}
