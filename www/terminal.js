// @ts-check
// A plain 80-column text terminal with the IBM PC character set (code page 437).
// It understands CR, LF, BS, TAB and FF, and skips ANSI escape sequences (an ANSI-BBS emulator
// with colours replaces it later). Keeps up to SCROLLBACK lines.

const CP437 =
  '\u0000☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼' +
  ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~⌂' +
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»' +
  '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

export const CP437_CHARS = Array.from(CP437);
if (CP437_CHARS.length !== 256) throw new Error('CP437 table has ' + CP437_CHARS.length + ' entries');

const COLS = 80;
const SCROLLBACK = 1000;

/**
 * One line of the terminal and the text node that shows it.
 * @typedef {object} Row
 * @property {string[]} cells the characters, one a column
 * @property {Text | null} node null until rendered
 * @property {boolean} dirty changed since it was rendered
 * @property {boolean} gone scrolled out of the scrollback, or cleared
 */

/** @returns {Row} */
function newRow() { return { cells: [], node: null, dirty: true, gone: false }; }

/**
 * The terminal's text in a `<pre>`: one text node a line (each but the last ends with a newline,
 * so the element's text is the lines joined by newlines). Writing marks the lines it changes; the
 * next animation frame renders only those, and adds and removes the nodes of lines that came and
 * went.
 */
export class Terminal {
  /** @param {HTMLElement} pre */
  constructor(pre) {
    this.pre = pre;
    /** @type {Row[]} */
    this.lines = [newRow()];
    /** Rows changed (or new) since the last render, in the order they were first changed. */
    /** @type {Row[]} */
    this.changed = [this.lines[0]];
    /** Text nodes of lines gone (scrolled out of the scrollback, or cleared) still in the page. */
    /** @type {Text[]} */
    this.removed = [];
    this.col = 0;
    this.esc = 0; // 0 normal, 1 after ESC, 2 inside CSI
    this.pending = false;
  }

  clear() {
    this.reset();
    this.render();
  }

  /** Form feed: every line goes, and an empty one starts. */
  reset() {
    for (const r of this.lines) this.drop(r);
    this.lines = [newRow()];
    this.changed = [this.lines[0]];
    this.col = 0;
  }

  get row() { return this.lines[this.lines.length - 1]; }

  /** @param {Row} r a row leaving the terminal */
  drop(r) {
    r.gone = true;
    if (r.node) this.removed.push(r.node);
    r.node = null;
  }

  /** @param {Row} r */
  touch(r) {
    if (!r.dirty) { r.dirty = true; this.changed.push(r); }
  }

  newline() {
    this.touch(this.row); // it gains its newline
    const r = newRow();
    this.lines.push(r);
    this.changed.push(r);
    if (this.lines.length > SCROLLBACK) {
      this.drop(/** @type {Row} */ (this.lines.shift()));
    }
  }

  /** @param {string} ch */
  putChar(ch) {
    if (this.col >= COLS) { this.newline(); this.col = 0; }
    const row = this.row;
    while (row.cells.length < this.col) row.cells.push(' ');
    row.cells[this.col] = ch;
    this.col += 1;
    this.touch(row);
  }

  /** @param {Iterable<number>} bytes */
  write(bytes) {
    for (const b of bytes) {
      if (this.esc === 1) { this.esc = b === 0x5b ? 2 : 0; continue; }
      if (this.esc === 2) { if (b >= 0x40 && b <= 0x7e) this.esc = 0; continue; }
      switch (b) {
        case 0x00: case 0x07: break;
        case 0x08: if (this.col > 0) this.col -= 1; break;
        case 0x09: this.col = Math.min(COLS - 1, (this.col + 8) & ~7); break;
        case 0x0a: this.newline(); break;
        case 0x0c: this.reset(); break;
        case 0x0d: this.col = 0; break;
        case 0x1b: this.esc = 1; break;
        default: this.putChar(CP437_CHARS[b]);
      }
    }
    this.schedule();
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.render(); });
  }

  /** The whole text, lines joined by newlines (what the element shows). */
  text() { return this.lines.map((r) => r.cells.join('')).join('\n'); }

  /** Shows what changed since the last render. */
  render() {
    const pre = this.pre;
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    for (const node of this.removed) node.remove();
    this.removed = [];
    const last = this.row;
    for (const r of this.changed) {
      r.dirty = false;
      if (r.gone) continue;
      const text = r.cells.join('') + (r === last ? '' : '\n');
      // Rows are made in order, at the end: a new row's node goes at the end.
      if (!r.node) r.node = pre.appendChild(document.createTextNode(text));
      else if (r.node.data !== text) r.node.data = text;
    }
    this.changed = [];
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }
}

/**
 * Bytes a key press sends: printable characters as CP437, Enter as CR, Backspace as BS.
 * @param {KeyboardEvent} e
 * @returns {number[] | null}
 */
export function keyBytes(e) {
  if (e.ctrlKey && !e.altKey && e.key.length === 1) {
    const c = e.key.toUpperCase().charCodeAt(0);
    if (c >= 0x40 && c <= 0x5f) return [c - 0x40];
  }
  switch (e.key) {
    case 'Enter': return [0x0d];
    case 'Backspace': return [0x08];
    case 'Tab': return [0x09];
    case 'Escape': return [0x1b];
    case 'ArrowUp': return [0x1b, 0x5b, 0x41];
    case 'ArrowDown': return [0x1b, 0x5b, 0x42];
    case 'ArrowRight': return [0x1b, 0x5b, 0x43];
    case 'ArrowLeft': return [0x1b, 0x5b, 0x44];
  }
  if (e.key.length === 1 && !e.ctrlKey && !e.metaKey) {
    const i = CP437_CHARS.indexOf(e.key);
    if (i >= 0x20) return [i];
  }
  return null;
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
