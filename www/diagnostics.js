// @ts-check
// The diagnostics panel (a <details> under the status bar): the received spectrum and the
// receiver's SNR over the last ten seconds, drawn on canvases from the modem's status while the
// panel is open, and the audio's health (glitches, frames lost). The modem computes the spectrum
// and keeps the history (src/dce/monitor.rs); this module only draws them.
import { byId, byIdOf, setText } from './status.js';

/** @typedef {import('./protocol.js').Status} Status */
/** @typedef {import('./protocol.js').AudioHealth} AudioHealth */

const SPECTRUM_TOP = -10; // dBm0 at the top of the spectrum plot
const SPECTRUM_BOTTOM = -90; // dBm0 at its bottom
const SNR_TOP = 40; // dB at the top of the SNR plot
const SNR_POINTS = 100; // ten seconds at ten a second
const GRID = '#2c3642';
const TRACE = '#4fb3ff';

/**
 * A canvas's 2-D context, cleared to black, or null.
 * @param {string} id
 * @returns {{ g: CanvasRenderingContext2D, w: number, h: number } | null}
 */
function cleared(id) {
  const canvas = byIdOf(id, HTMLCanvasElement);
  const g = canvas.getContext('2d');
  if (!g) return null;
  g.fillStyle = '#000';
  g.fillRect(0, 0, canvas.width, canvas.height);
  return { g, w: canvas.width, h: canvas.height };
}

/**
 * The received spectrum: bars of dBm0 from 0 to 4000 Hz, a grid line every kHz and every 20 dB.
 * @param {number[]} bins
 */
function drawSpectrum(bins) {
  const c = cleared('spectrum');
  if (!c) return;
  const { g, w, h } = c;
  /** @param {number} db */
  const y = (db) => ((SPECTRUM_TOP - db) / (SPECTRUM_TOP - SPECTRUM_BOTTOM)) * h;
  g.fillStyle = GRID;
  for (let khz = 1; khz < 4; khz++) g.fillRect(Math.round((khz / 4) * w), 0, 1, h);
  for (let db = SPECTRUM_TOP - 20; db > SPECTRUM_BOTTOM; db -= 20) g.fillRect(0, Math.round(y(db)), w, 1);
  if (bins.length === 0) return;
  const bw = w / bins.length;
  g.fillStyle = TRACE;
  for (let i = 0; i < bins.length; i++) {
    const top = Math.max(0, y(bins[i]));
    if (top < h) g.fillRect(i * bw, top, Math.max(1, bw - 0.5), h - top);
  }
}

/**
 * The receiver's SNR, ten points a second, newest at the right; gaps where it made no estimate.
 * Grid lines every 10 dB.
 * @param {(number | null)[]} history
 */
function drawSnr(history) {
  const c = cleared('snr-plot');
  if (!c) return;
  const { g, w, h } = c;
  /** @param {number} db */
  const y = (db) => h - (Math.min(Math.max(db, 0), SNR_TOP) / SNR_TOP) * h;
  g.fillStyle = GRID;
  for (let db = 10; db < SNR_TOP; db += 10) g.fillRect(0, Math.round(y(db)), w, 1);
  g.strokeStyle = TRACE;
  g.lineWidth = 1.5;
  g.beginPath();
  let pen = false;
  const start = SNR_POINTS - history.length;
  for (let i = 0; i < history.length; i++) {
    const v = history[i];
    if (v === null) { pen = false; continue; }
    const x = ((start + i) / (SNR_POINTS - 1)) * w;
    if (pen) g.lineTo(x, y(v));
    else g.moveTo(x, y(v));
    pen = true;
  }
  g.stroke();
}

/**
 * Shows the diagnostics: the plots while the panel is open (`s` null: no modem), the audio's
 * health always.
 * @param {Status | null} s
 * @param {AudioHealth | null} audio
 */
export function showDiagnostics(s, audio) {
  setText('lost-frames', audio ? String(audio.lostFrames) : '–');
  const panel = byId('diagnostics');
  if (!(panel instanceof HTMLDetailsElement) || !panel.open) return;
  drawSpectrum(s ? s.spectrum : []);
  drawSnr(s ? s.snr_history : []);
  /** @type {number | null} */
  let last = null;
  for (const v of s ? s.snr_history : []) if (v !== null) last = v;
  setText('snr-now', last === null ? '–' : `${last.toFixed(1)} dB`);
}
