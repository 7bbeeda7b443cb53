// @ts-check
// The status panel (the call's state, where the modem is, the phone's call, the line, the received
// signal and constellation, the input level with its clipping and too-quiet warnings, the counts:
// retrains, framing errors, bytes each way, the call's time, audio glitches; and which buttons
// apply), and the log under the terminal.

/** @typedef {import('./protocol.js').Status} Status */
/** @typedef {import('./protocol.js').AudioHealth} AudioHealth */
/** @typedef {import('./protocol.js').Link} Link */

const LOG_MAX = 300;
const QUIET_DBM0 = -43; // a received level below this, during a call, is too quiet
const CLIP_HOLD = 10; // statuses (of 0.1 s) the clipping warning stays up after the last clipped sample

/** @type {Record<string, string>} */
const PHASES = {
  'on-hook': 'on hook, command mode',
  'off-hook': 'off hook, command mode',
  dialing: 'dialling',
  connecting: 'connecting',
  online: 'online',
  'online-command': 'online, command mode',
};

/** @type {Record<string, string>} */
const PHONE = {
  unready: 'not set up',
  initialising: 'setting up',
  idle: 'ready',
  dialing: 'dialling',
  alerting: 'ringing at the far end',
  active: 'call up',
  ringing: 'incoming call',
  answering: 'answering',
  'hanging-up': 'hanging up',
};

/**
 * The element with this id.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
}

/**
 * The element with this id, of this type.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
export function byIdOf(id, type) {
  const el = byId(id);
  if (!(el instanceof type)) throw new Error(`#${id} is not a ${type.name}`);
  return el;
}

/**
 * Sets an element's text if it changed.
 * @param {string} id
 * @param {string} text
 */
export function setText(id, text) {
  const el = byId(id);
  if (el.textContent !== text) el.textContent = text;
}

/** @param {Status} s */
function modemText(s) {
  const family = s.family === 'automode' ? 'automode' : s.family;
  switch (s.modem) {
    case 'handshake': return family === 'automode' ? 'handshaking (finding the far modem)' : `${family} handshaking`;
    case 'settling': return `${family} settling`;
    case 'data': return s.rx_rate === s.tx_rate ? `${family} ${s.rx_rate} bit/s` : `${family} ${s.rx_rate}/${s.tx_rate} bit/s`;
    default: return 'idle';
  }
}

/**
 * What the page knows beside the modem's status.
 * @typedef {object} PanelContext
 * @property {Link | null} link the running session's link
 * @property {boolean} starting the modem is being switched on (or runs, with no status yet)
 * @property {boolean} portOpen the phone's serial port is open
 * @property {boolean} hasSerial the browser has Web Serial
 */

/**
 * @param {Status} s
 * @param {PanelContext} c
 */
function phoneText(s, c) {
  if (c.link === 'manual') return 'dialled by hand';
  const state = s.phone ? PHONE[s.phone] || s.phone : '–';
  if (c.link === 'demo') return `simulated, ${state}`;
  return c.portOpen ? state : `no port (${state})`;
}

/**
 * Where the call is: idle, dialling, ringing, training (the modems' start-up or a retrain) or
 * connected, from the modem's phase, the phone's call and the data modem's state.
 * @param {Status} s
 * @returns {'idle' | 'dialling' | 'ringing' | 'training' | 'connected'}
 */
export function callState(s) {
  if (s.modem === 'handshake' || s.modem === 'settling') return 'training';
  if (s.phase === 'online' || s.phase === 'online-command') return 'connected';
  if (s.phone === 'alerting' || s.phone === 'ringing' || s.phone === 'answering') return 'ringing';
  if (s.phase === 'dialing' || s.phone === 'dialing') return 'dialling';
  if (s.phase === 'connecting') return 'training';
  return 'idle';
}

/**
 * Seconds as m:ss (h:mm:ss from an hour).
 * @param {number} t
 */
function clock(t) {
  const s = Math.floor(t);
  const two = (/** @type {number} */ n) => String(n).padStart(2, '0');
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}:${two(m % 60)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

let clipHeld = 0;

/**
 * The status bar's call items (state, SNR, retrains, framing errors, bytes, timer) and the
 * input level with its warnings and the audio glitches.
 * @param {Status | null} s
 * @param {AudioHealth | null} audio
 */
function showCall(s, audio) {
  const state = s ? callState(s) : 'idle';
  setText('call-state', state);
  byId('call-state').dataset.state = state;
  const call = s !== null && (s.modem !== 'idle' || s.connected_seconds !== null);
  setText('snr', s && s.quality !== null && s.carrier ? `${s.quality.toFixed(1)} dB` : '–');
  setText('retrains', call && s ? String(s.retrains) : '–');
  // Under V.42 the line carries frames, not characters: the character counts do not apply.
  const lapm = s !== null && s.protocol !== null && s.protocol !== 'none';
  setText('framing-errors', s && s.modem !== 'idle' && !lapm ? String(s.framing_errors) : '–');
  setText('protocol', s && s.protocol ? (s.protocol === 'none' ? 'none' : s.protocol.replace('LAPM', 'V.42 LAPM').replace('V42BIS', 'V.42bis')) : '–');
  setText('retransmissions', s && s.protocol && s.protocol !== 'none' ? `${s.retransmissions} (${s.bad_frames} bad frames)` : '–');
  setText('bytes', call && s ? `${s.bytes_received} in, ${s.bytes_sent} out` : '–');
  setText('call-timer', s && s.connected_seconds !== null ? clock(s.connected_seconds) : '–');
  // The modem's level in its receive band while it measures one, else the whole band's.
  const level = s ? s.level ?? s.line_level : null;
  const meter = byIdOf('input-level', HTMLMeterElement);
  meter.value = level ?? meter.min;
  meter.title = level === null ? '' : `${level.toFixed(1)} dBm0`;
  clipHeld = audio && audio.clipped > 0 ? CLIP_HOLD : Math.max(0, clipHeld - 1);
  byId('clip-warning').hidden = clipHeld === 0;
  const up = state === 'training' || state === 'connected';
  byId('quiet-warning').hidden = !(up && level !== null && level < QUIET_DBM0);
  setText('glitches', audio ? (audio.glitches ? `${audio.glitches} (${audio.lostFrames} frames lost)` : '0') : '–');
}

/**
 * The receiver's last equalised points (V.22/V.22bis), on the sixteen-point grid (+-1, +-3).
 * @param {number[]} points `re, im` pairs
 */
function drawConstellation(points) {
  const canvas = byIdOf('constellation', HTMLCanvasElement);
  const show = points.length > 0;
  canvas.hidden = !show;
  if (!show) return;
  const g = canvas.getContext('2d');
  if (!g) return;
  const n = canvas.width;
  const scale = n / 9; // +-4.5 constellation units across
  /** @param {number} v */
  const at = (v) => n / 2 + v * scale;
  g.fillStyle = '#000';
  g.fillRect(0, 0, n, n);
  g.fillStyle = '#2c3642';
  for (const x of [-3, -1, 1, 3]) for (const y of [-3, -1, 1, 3]) g.fillRect(at(x) - 1, at(-y) - 1, 3, 3);
  g.fillStyle = '#4fb3ff';
  for (let i = 0; i + 1 < points.length; i += 2) g.fillRect(at(points[i]) - 1, at(-points[i + 1]) - 1, 2, 2);
}

/**
 * @param {string} id
 * @param {boolean} disabled
 */
function disable(id, disabled) {
  byIdOf(id, HTMLButtonElement).disabled = disabled;
}

/**
 * Shows the modem's status (`null`: no modem running) and the audio's health, and enables the
 * controls that apply.
 * @param {Status | null} s
 * @param {PanelContext} c
 * @param {AudioHealth | null} [audio]
 */
export function showStatus(s, c, audio = null) {
  showCall(s, audio);
  setText('phase', s ? PHASES[s.phase] || s.phase : c.starting ? 'starting' : 'off (type in the terminal to switch it on)');
  setText('phone-state', s ? phoneText(s, c) : '–');
  setText('modem-state', s ? modemText(s) : 'idle');
  byId('modem-state').dataset.state = s ? s.modem : 'idle';
  const carrier = s !== null && s.carrier;
  const led = byId('carrier');
  led.classList.toggle('on', carrier);
  led.setAttribute('aria-label', carrier ? 'carrier on' : 'carrier off');
  setText('level-meter', s && s.level !== null
    ? `${s.level.toFixed(1)} dBm0` + (s.quality !== null && carrier ? `, SNR ${s.quality.toFixed(1)} dB` : '')
    : '–');
  drawConstellation(s ? s.points : []);
  const lapm = s !== null && s.protocol !== null && s.protocol !== 'none';
  setText('counts', s && s.modem !== 'idle'
    ? (lapm
      ? `${s.bytes_received} octets through V.42`
      : `${s.chars} chars` + (s.framing_errors ? `, ${s.framing_errors} framing errors` : '')
        + (s.lost ? `, ${s.lost} lost` : ''))
    : '–');
  const command = !s || s.phase === 'on-hook' || s.phase === 'off-hook';
  disable('dial', !command);
  disable('answer', !command);
  disable('hangup', !s || s.phase === 'on-hook');
  disable('break', !s || s.phase !== 'online');
  byIdOf('modulation', HTMLSelectElement).disabled = !command;
  for (const r of document.querySelectorAll('input[name=link]')) {
    if (!(r instanceof HTMLInputElement)) continue;
    r.disabled = (s !== null && s.phase !== 'on-hook') || (r.value === 'serial' && !c.hasSerial);
  }
}

/**
 * A line in the log, time-stamped; `kind` is `warn` or `error` for those.
 * @param {string} text
 * @param {'' | 'warn' | 'error'} [kind]
 */
export function note(text, kind = '') {
  const list = byId('log');
  const li = document.createElement('li');
  const t = new Date();
  const two = (/** @type {number} */ n) => String(n).padStart(2, '0');
  li.textContent = `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())} ${text}`;
  if (kind) li.className = kind;
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
  list.append(li);
  while (list.children.length > LOG_MAX) list.firstElementChild?.remove();
  if (atBottom) list.scrollTop = list.scrollHeight;
}
