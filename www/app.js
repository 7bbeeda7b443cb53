// @ts-check
// The page: a Hayes modem (the DCE, in an AudioWorklet: audio.js) with its terminal
// (terminal.js), the phone's serial port (Web Serial: serial.js), the call buttons, the status
// panel and the log (status.js), the diagnostics (diagnostics.js), file transfers (transfer.js)
// and dial-up networking (network.js). This module wires them together; protocol.js has the
// messages between the page and the modem.
//
// The modem runs from the first thing the user does (a key in the terminal, a button, choosing how
// calls are made) until the page closes: it is the terminal's command line, so typing AT gives OK
// whether or not a call is up. Its clock is the audio, so the AudioContext runs all along.
import { Terminal, textBytes } from './terminal.js';
import { ModemAudio, loadModem, listDevices } from './audio.js';
import { PhonePort, hasSerial } from './serial.js';
import { byId, byIdOf, setText, showStatus, note } from './status.js';
import { toModem, errorText } from './protocol.js';
import { Dialer, download } from './dialer.js';
import { dialCommand } from './directory.js';
import { showDiagnostics } from './diagnostics.js';
import { Transfers } from './transfer.js';
import { Network } from './network.js';
import { DownloadFolder } from './folder.js';

/** @typedef {import('./protocol.js').Link} Link */
/** @typedef {import('./protocol.js').Status} Status */
/** @typedef {import('./protocol.js').AudioHealth} AudioHealth */
/** @typedef {import('./protocol.js').ToModem} ToModem */
/** @typedef {import('./protocol.js').FromModem} FromModem */

const DEMO_NUMBER = '5551234';
const DEFAULT_LEVEL = -13;

const term = new Terminal(byId('term'), loadModem(), {
  // The terminal's answers to the far end (device attributes, cursor position) go as typed (to
  // the telnet session while dial-up networking has the line).
  reply: (bytes) => {
    if (network.ownsLine) network.keys(bytes, true);
    else if (modem.audio) modem.audio.post(toModem.terminal(bytes));
  },
  copied: (text) => note(`Copied ${text.length} characters.`),
});
// Received files: in the folder the person chose, else as browser downloads.
const folder = new DownloadFolder(note, byIdOf('transfer-folder', HTMLButtonElement));
// A file transfer runs over the modem, or over a dial-up link's telnet session while one is open.
// With the session gone and PPP still on the line, what a transfer still sends (its cancel) is
// dropped: raw octets would only damage PPP's frames.
const LINE_TAKEN_ROOM = 4096;
const transfers = new Transfers({
  send: (bytes) => {
    if (network.telnetActive) network.sendTelnet(bytes);
    else if (!network.ownsLine) post(toModem.terminal(bytes));
  },
  room: () => (network.telnetActive ? network.telnetRoom() : network.ownsLine ? LINE_TAKEN_ROOM : null),
  blocked: () => (network.ownsLine && !network.telnetActive
    ? 'Dial-up networking has the line: files go over a telnet session (Network panel), not over PPP itself.' : null),
  save: (blob, name) => folder.save(blob, name),
  note,
}, loadModem());
const network = new Network({
  send: (bytes) => post(toModem.terminal(bytes)),
  hangUp: () => post(toModem.hangup()),
  // The telnet session's octets are watched for a ZMODEM start, as the modem's are.
  show: (bytes) => {
    const shown = network.telnetActive ? transfers.fromLine(bytes) : bytes;
    if (shown.length) term.write(shown);
  },
  telnetClosed: () => transfers.linkLost(),
  save: (blob, name) => folder.save(blob, name),
  note,
  size: () => ({ cols: term.screen?.cols() ?? 80, rows: term.screen?.rows() ?? 25 }),
  focusTerminal: () => termEl.focus(),
});
const mic = byIdOf('mic', HTMLSelectElement);
const speaker = byIdOf('speaker', HTMLSelectElement);
const levelInput = byIdOf('level', HTMLInputElement);
const numberInput = byIdOf('number', HTMLInputElement);
const modulation = byIdOf('modulation', HTMLSelectElement);

// ---- the modem ----

const modem = {
  /** @type {ModemAudio | null} the running modem */
  audio: null,
  /** @type {Link | null} the link the running session has */
  link: null,
  /** @type {Promise<void> | null} while it is being set up */
  starting: null,
  generation: 0,
  /** @type {Status | null} the last status from the worklet */
  status: null,
  /** @type {AudioHealth | null} the worklet's last count of the audio's health */
  audioHealth: null,
};

const phone = new PhonePort({
  baudRate: () => Number(byIdOf('baud', HTMLSelectElement).value) || 115200,
  bytes: (bytes) => { if (modem.audio && modem.link === 'serial') post(toModem.phone(bytes)); },
  opened: () => {
    if (modem.audio && modem.link === 'serial') {
      post(toModem.phoneLost()); // whatever the modem sent before went nowhere: set up afresh
      post(toModem.phoneOpen());
    }
  },
  lost: () => { if (modem.audio && modem.link === 'serial') post(toModem.phoneLost()); },
});

/** @returns {Link} */
function chosenLink() {
  const checked = document.querySelector('input[name=link]:checked');
  const v = checked instanceof HTMLInputElement ? checked.value : 'demo';
  return v === 'serial' || v === 'manual' ? v : 'demo';
}

/**
 * Sends a message to the modem, switching it on first if need be.
 * @param {ToModem} msg
 */
function post(msg) {
  if (modem.audio) { modem.audio.post(msg); return; }
  ensureStarted().then(() => modem.audio?.post(msg));
}

/** @returns {Promise<void>} */
function ensureStarted() {
  if (modem.starting) return modem.starting;
  if (modem.audio) return Promise.resolve();
  modem.starting = start(chosenLink()).finally(() => {
    modem.starting = null;
    if (!modem.audio) show(null); // a failed start: off, not starting
  });
  return modem.starting;
}

/**
 * The transmit level in the Level field, kept within the modem's range.
 * @returns {Promise<number>}
 */
async function level() {
  const { levelRange } = await loadModem();
  const v = Number(levelInput.value);
  return Number.isFinite(v) && levelInput.value !== '' ? Math.min(levelRange.max, Math.max(levelRange.min, v)) : DEFAULT_LEVEL;
}

/** @param {Link} link */
async function start(link) {
  const generation = ++modem.generation;
  modem.link = link;
  show(null);
  setText('phase', 'starting');
  try {
    if (link === 'serial' && !phone.isOpen) await phone.reopenGranted();
    const { module } = await loadModem();
    const options = { module, link, level: await level(), seed: (Math.random() * 2 ** 32) >>> 0 };
    const audio = await ModemAudio.start(options, onMessage);
    if (generation !== modem.generation) { await audio.close(); return; }
    modem.audio = audio;
    if (link === 'serial' && !phone.isOpen) {
      post(toModem.phoneLost());
      note(hasSerial ? 'No phone connected: press Connect phone.' : 'This browser has no Web Serial.', 'warn');
    }
    if (link !== 'demo') await openAudio();
    else if (lineQuality.value !== '30' || lineCodec.value) sendLineQuality();
    await audio.ctx.resume();
    note(link === 'demo' ? 'Modem on: demo (simulated phone and BBS).'
      : link === 'serial' ? 'Modem on: phone on a serial port.' : 'Modem on: dial by hand.');
  } catch (e) {
    note(`Could not start the modem: ${errorText(e)}`, 'error');
    if (generation === modem.generation) await stop();
  }
}

async function stop() {
  modem.generation++;
  const audio = modem.audio;
  modem.audio = null;
  modem.link = null;
  if (audio) await audio.close();
  show(null);
}

/** The call's audio, from and to the devices chosen. */
async function openAudio() {
  await modem.audio?.open(mic.value, speaker.value, () => listDevices(mic, speaker));
}

/** @param {FromModem} msg */
function onMessage(msg) {
  switch (msg.type) {
    case 'terminal': {
      // Dial-up networking takes the modem's bytes from its dial on (and gives the terminal its
      // share); else a file transfer takes them while it runs (and spots ZMODEM's start).
      if (network.active) { network.fromLine(msg.bytes); break; }
      const bytes = transfers.fromLine(msg.bytes);
      if (bytes.length) term.write(bytes);
      break;
    }
    case 'phone': phone.write(msg.bytes); break;
    case 'log': note(msg.text); break;
    case 'status':
      show(msg.status, msg.audio);
      transfers.status(msg.status, msg.waiting);
      network.status(msg.status, msg.waiting);
      break;
    case 'line-audio':
      if (msg.wav) {
        const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
        download(new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (msg.wav)], { type: 'audio/wav' }), `softmodem-line-${stamp}.wav`);
        note(`Saved ${((msg.wav.length - 44) / 32000).toFixed(1)} s of line audio.`);
      } else {
        note(`Could not save the line audio: ${msg.message}`, 'warn');
      }
      break;
    case 'link':
      if (!msg.ok) {
        note(`Could not change how calls are made: ${msg.message}`, 'warn');
        const radio = document.getElementById(`link-${msg.link}`);
        if (radio instanceof HTMLInputElement) radio.checked = true;
        showLink();
      }
      modem.link = msg.link === 'audio' ? modem.link : msg.link;
      break;
    case 'refused': note(`${msg.what === 'dial' ? 'Dial' : 'Answer'}: ${msg.reason}.`, 'warn'); break;
    case 'overflow': note(`Typing faster than the line: ${msg.dropped} bytes dropped.`, 'warn'); break;
    case 'ready': case 'failed': break; // the start's (audio.js)
  }
}

/**
 * @param {Status | null} s the modem's status, or null when none runs
 * @param {AudioHealth | null} [audio] the worklet's count of the audio's health
 */
function show(s, audio = null) {
  modem.status = s;
  modem.audioHealth = audio;
  showStatus(s, {
    link: modem.link,
    starting: modem.audio !== null || modem.starting !== null,
    portOpen: phone.isOpen,
    hasSerial,
  }, audio);
  showDiagnostics(s, audio);
}

// ---- how calls are made ----

function showLink() {
  const link = chosenLink();
  for (const l of ['demo', 'serial', 'manual']) document.body.classList.toggle(`link-${l}`, l === link);
  if (link === 'demo' && numberInput.value === '') numberInput.value = DEMO_NUMBER;
  if (link !== 'demo' && numberInput.value === DEMO_NUMBER) numberInput.value = '';
  numberInput.placeholder = link === 'manual' ? 'dialled on the phone' : DEMO_NUMBER;
}

async function changeLink() {
  const want = chosenLink();
  showLink();
  if (want !== 'serial' && phone.isOpen) await phone.disconnect();
  if (!modem.audio && !modem.starting) { await ensureStarted(); return; }
  if (modem.starting) await modem.starting;
  if (modem.link === want) return;
  if (modem.audio && modem.link !== 'demo' && want !== 'demo') {
    // The same Hayes modem (its settings stay): only the link changes.
    post(toModem.link(want));
    modem.link = want;
    if (want === 'serial') {
      if (!phone.isOpen && !(await phone.reopenGranted())) {
        post(toModem.phoneLost());
        note('No phone connected: press Connect phone.', 'warn');
      }
    }
    note(want === 'serial' ? 'Calls now go through the phone on the serial port.' : 'Calls are now dialled by hand.');
    return;
  }
  // Between the demo and a real phone the modem starts afresh.
  await stop();
  await ensureStarted();
}

// ---- the dialling directory ----

/**
 * Dials a directory entry: on its link (changing to it first), with its modulation, typed into the
 * modem as a terminal program's dialler types it.
 * @param {import('./directory.js').Entry} entry
 */
async function dialEntry(entry) {
  if (entry.link && entry.link !== chosenLink()) {
    const radio = document.getElementById(`link-${entry.link}`);
    if (radio instanceof HTMLInputElement && !radio.disabled) {
      radio.checked = true;
      await changeLink();
    }
  }
  if ([...modulation.options].some((o) => o.value === entry.modulation)) modulation.value = entry.modulation;
  if (entry.number) numberInput.value = entry.number;
  // A PPP entry: dial-up networking takes the call from CONNECT on.
  if (entry.network === 'ppp' && !network.arm(entry)) return;
  post(toModem.terminal(textBytes(dialCommand(entry))));
  termEl.focus();
}

let storage = null;
try { storage = window.localStorage; } catch { /* storage off: the directory lasts this visit */ }
const dialer = new Dialer((e) => { dialEntry(e); }, storage);

// ---- wiring ----

const termEl = byId('term');
termEl.addEventListener('keydown', (e) => {
  // Tab moves on to the next control (no keyboard trap); Ctrl+I sends a tab.
  if (e.key === 'Tab' && !e.ctrlKey) return;
  if (transfers.running) {
    // The line carries a transfer: keys would damage it. Escape cancels it.
    e.preventDefault();
    if (e.key === 'Escape') transfers.cancel();
    return;
  }
  const bytes = term.keyBytes(e);
  if (!bytes) return;
  e.preventDefault();
  if (!bytes.length) return; // the terminal's own (scrolling back)
  term.scrollHome();
  term.echo(bytes);
  // While dial-up networking has the line, keys go to its telnet session.
  if (network.ownsLine) network.keys(bytes);
  else post(toModem.terminal(bytes));
});
termEl.addEventListener('paste', (e) => {
  // Sent at the line's pace: the modem holds typed bytes while its transmit queue is full.
  e.preventDefault();
  const bytes = textBytes((e.clipboardData?.getData('text') ?? '').replace(/\r?\n/g, '\r'));
  term.echo(bytes);
  if (network.ownsLine) network.keys(bytes);
  else post(toModem.terminal(bytes));
});
termEl.addEventListener('dragover', (e) => { if (e.dataTransfer?.types.includes('Files')) e.preventDefault(); });
termEl.addEventListener('drop', (e) => {
  const files = Array.from(e.dataTransfer?.files ?? []);
  if (!files.length) return;
  e.preventDefault();
  transfers.send(files);
});
termEl.addEventListener('focus', () => term.schedule());
termEl.addEventListener('blur', () => term.schedule());
const localEcho = byIdOf('local-echo', HTMLInputElement);
localEcho.addEventListener('change', () => { term.localEcho = localEcho.checked; });
const music = byIdOf('music', HTMLInputElement);
music.addEventListener('change', () => term.music.setMuted(!music.checked));
const screenSize = byIdOf('screen-size', HTMLSelectElement);
screenSize.addEventListener('change', () => {
  term.setSize(80, Number(screenSize.value));
  network.resize(80, Number(screenSize.value));
  termEl.focus();
});
const capture = byIdOf('capture', HTMLButtonElement);
capture.addEventListener('click', () => {
  if (!term.capturing) {
    term.startCapture();
    capture.textContent = 'Save capture';
    capture.setAttribute('aria-pressed', 'true');
    note('Capture: recording what arrives.');
    return;
  }
  const files = term.stopCapture();
  capture.textContent = 'Capture';
  capture.setAttribute('aria-pressed', 'false');
  if (!files) { note('Capture: nothing recorded (it stops at 16 MiB).', 'warn'); return; }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  download(files.raw, `softmodem-${stamp}.ans`);
  download(files.text, `softmodem-${stamp}.txt`);
});
termEl.addEventListener('pointerdown', () => { ensureStarted(); });

const dial = byIdOf('dial', HTMLButtonElement);
dial.addEventListener('click', () => post(toModem.dial(chosenLink() === 'manual' ? '' : numberInput.value.trim())));
numberInput.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') { e.preventDefault(); dial.click(); }
});
byId('answer').addEventListener('click', () => post(toModem.answer()));
// With a dial-up link up, PPP closes first (network.js), then the modem hangs up.
byId('hangup').addEventListener('click', () => { if (network.active) network.hangUp(); else post(toModem.hangup()); });
byId('break').addEventListener('click', () => post(toModem.break()));
byId('save-audio').addEventListener('click', () => {
  if (modem.audio) modem.audio.post(toModem.lineAudio());
  else note('Nothing to save: the modem is off.', 'warn');
});
byId('diagnostics').addEventListener('toggle', () => showDiagnostics(modem.status, modem.audioHealth));
modulation.addEventListener('change', () => {
  // As if typed: the command and its OK show in the terminal.
  post(toModem.terminal(textBytes(`AT+MS=${modulation.value}\r`)));
  termEl.focus();
});
const lineQuality = byIdOf('line-quality', HTMLSelectElement);
const lineCodec = byIdOf('line-codec', HTMLSelectElement);
const sendLineQuality = () => {
  if (modem.link !== 'demo' && chosenLink() !== 'demo') return;
  const v = lineQuality.value;
  const codec = lineCodec.value === 'mu-law' || lineCodec.value === 'g729' ? lineCodec.value : '';
  post(toModem.lineQuality(v === 'none' ? null : Number(v), codec));
  note(`Demo line: ${lineQuality.selectedOptions[0]?.textContent ?? v}${codec ? `, ${lineCodec.selectedOptions[0]?.textContent}` : ''}.`);
};
lineQuality.addEventListener('change', sendLineQuality);
lineCodec.addEventListener('change', sendLineQuality);
levelInput.addEventListener('change', async () => {
  const v = await level();
  levelInput.value = String(v);
  post(toModem.level(v));
});
mic.addEventListener('change', () => { if (modem.audio && modem.link !== 'demo') openAudio(); });
speaker.addEventListener('change', () => { if (modem.audio && modem.link !== 'demo') openAudio(); });
byId('baud').addEventListener('change', () => phone.reopen());
byId('connect-phone').addEventListener('click', () => phone.choose());
byId('disconnect-phone').addEventListener('click', () => phone.disconnect());
for (const el of document.querySelectorAll('input[name=link]')) el.addEventListener('change', changeLink);
navigator.mediaDevices?.addEventListener?.('devicechange', () => listDevices(mic, speaker));
if (navigator.serial) {
  const serial = navigator.serial;
  // A granted port plugged in again: use it, if the phone link is chosen and no port is open.
  serial.addEventListener('connect', (e) => {
    const port = /** @type {SerialPort | null} */ (e.target);
    if (chosenLink() === 'serial' && !phone.isOpen && port && port !== /** @type {EventTarget} */ (serial)) phone.open(port);
  });
}
if (!hasSerial) {
  byId('no-serial').hidden = false;
  byIdOf('link-serial', HTMLInputElement).disabled = true;
}

// The Level field takes the range the modem accepts.
loadModem().then(({ levelRange }) => {
  levelInput.min = String(levelRange.min);
  levelInput.max = String(levelRange.max);
}).catch(() => { /* starting the modem says why */ });

showLink();
show(null);
phone.showButtons();
listDevices(mic, speaker);
term.write(textBytes('softmodem: a Hayes-compatible modem. Type AT and Enter here: it answers OK.\r\n'
  + 'Demo: type ATDT5551234 and Enter to call the demo BBS.\r\n\r\n'));

/**
 * For tests and the curious: the page's state.
 * @type {{ term: Terminal, dialer: Dialer, network: Network, readonly running: boolean, readonly link: Link | null, readonly status: Status | null, readonly audioHealth: AudioHealth | null, readonly portOpen: boolean }}
 */
const state = {
  term,
  dialer,
  network,
  get running() { return modem.audio !== null; },
  get link() { return modem.link; },
  get status() { return modem.status; },
  get audioHealth() { return modem.audioHealth; },
  get portOpen() { return phone.isOpen; },
};
/** @type {any} */ (window).softmodem = state;
