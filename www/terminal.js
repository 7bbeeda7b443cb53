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

export class Terminal {
  constructor(pre) {
    this.pre = pre;
    this.lines = [[]];
    this.col = 0;
    this.esc = 0; // 0 normal, 1 after ESC, 2 inside CSI
    this.pending = false;
  }

  clear() {
    this.lines = [[]];
    this.col = 0;
    this.render();
  }

  get row() { return this.lines[this.lines.length - 1]; }

  newline() {
    this.lines.push([]);
    if (this.lines.length > SCROLLBACK) this.lines.shift();
  }

  putChar(ch) {
    if (this.col >= COLS) { this.newline(); this.col = 0; }
    const row = this.row;
    while (row.length < this.col) row.push(' ');
    row[this.col] = ch;
    this.col += 1;
  }

  write(bytes) {
    for (const b of bytes) {
      if (this.esc === 1) { this.esc = b === 0x5b ? 2 : 0; continue; }
      if (this.esc === 2) { if (b >= 0x40 && b <= 0x7e) this.esc = 0; continue; }
      switch (b) {
        case 0x00: case 0x07: break;
        case 0x08: if (this.col > 0) this.col -= 1; break;
        case 0x09: this.col = Math.min(COLS - 1, (this.col + 8) & ~7); break;
        case 0x0a: this.newline(); break;
        case 0x0c: this.lines = [[]]; this.col = 0; break;
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

  text() { return this.lines.map((r) => r.join('')).join('\n'); }

  render() {
    const atBottom = this.pre.scrollTop + this.pre.clientHeight >= this.pre.scrollHeight - 4;
    this.pre.textContent = this.text();
    if (atBottom) this.pre.scrollTop = this.pre.scrollHeight;
  }
}

// Bytes a key press sends: printable characters as CP437, Enter as CR, Backspace as BS.
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

// Text as code page 437 bytes (what a BBS expects); characters it lacks become '?'.
export function textBytes(text) {
  const out = [];
  for (const ch of text) {
    const code = ch.codePointAt(0);
    if (code < 0x80) out.push(code);
    else {
      const i = CP437_CHARS.indexOf(ch);
      out.push(i >= 0x80 ? i : 0x3f);
    }
  }
  return new Uint8Array(out);
}
