// The page: a Hayes modem (the DCE, in an AudioWorklet) with its terminal, the phone's serial port
// (Web Serial, on this thread), the call buttons, the status panel and the log.
//
// The modem runs from the first thing the user does (a key in the terminal, a button, choosing how
// calls are made) until the page closes: it is the terminal's command line, so typing AT gives OK
// whether or not a call is up. Its clock is the audio, so the AudioContext runs all along.
import { Terminal, keyBytes, textBytes } from './terminal.js';

const $ = (id) => document.getElementById(id);
const term = new Terminal($('term'));
const modulePromise = WebAssembly.compileStreaming(fetch(new URL('./pkg/softmodem_bg.wasm', import.meta.url)));
const hasSerial = 'serial' in navigator && typeof navigator.serial.requestPort === 'function';
const DEMO_NUMBER = '5551234';
const LOG_MAX = 300;
const PORT_KEY = 'softmodem.port';

// ---- the modem (AudioContext + worklet) ----

const modem = {
  ctx: null,
  node: null,
  stream: null,
  source: null,
  link: null, // the link the running session has: demo, serial or manual
  starting: null, // promise while it is being set up
  generation: 0,
  status: null, // the last status from the worklet
};

function chosenLink() { return document.querySelector('input[name=link]:checked').value; }

// Sends a message to the modem, switching it on first if need be.
function post(msg) {
  if (modem.node) { modem.node.port.postMessage(msg); return; }
  ensureStarted().then(() => modem.node && modem.node.port.postMessage(msg));
}

function ensureStarted() {
  if (modem.starting) return modem.starting;
  if (modem.node) return Promise.resolve();
  modem.starting = start(chosenLink()).finally(() => { modem.starting = null; });
  return modem.starting;
}

async function start(link) {
  const generation = ++modem.generation;
  modem.link = link;
  showStatus(null);
  setText('phase', 'starting');
  try {
    if (link === 'serial' && !serial.port) await reopenGrantedPort();
    const ctx = new AudioContext({ latencyHint: 'interactive' });
    modem.ctx = ctx;
    await ctx.audioWorklet.addModule(new URL('./pkg/processor.js', import.meta.url));
    const module = await modulePromise;
    if (generation !== modem.generation) return;
    const node = new AudioWorkletNode(ctx, 'softmodem', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [2],
      processorOptions: { module, link, level: level(), seed: (Math.random() * 2 ** 32) >>> 0 },
    });
    node.port.onmessage = (e) => onMessage(e.data);
    node.onprocessorerror = () => note('The modem stopped with an error. Reload the page to start again.', 'error');
    node.connect(ctx.destination);
    modem.node = node;
    if (link === 'serial' && !serial.port) {
      post({ type: 'phone-lost' });
      note(hasSerial ? 'No phone connected: press Connect phone.' : 'This browser has no Web Serial.', 'warn');
    }
    if (link !== 'demo') await openAudio();
    await ctx.resume();
    note(link === 'demo' ? 'Modem on: demo (simulated phone and BBS).'
      : link === 'serial' ? 'Modem on: phone on a serial port.' : 'Modem on: dial by hand.');
  } catch (e) {
    note(`Could not start the modem: ${e.message || e}`, 'error');
    await stop();
  }
}

async function stop() {
  modem.generation++;
  if (modem.node) {
    modem.node.port.postMessage({ type: 'hangup' });
    modem.node.port.onmessage = null; // messages still in flight must not show a stale state
    modem.node.disconnect();
    modem.node = null;
  }
  closeAudioInput();
  if (modem.ctx) { await modem.ctx.close().catch(() => {}); modem.ctx = null; }
  modem.link = null;
  showStatus(null);
}

function level() {
  const v = Number($('level').value);
  return Number.isFinite(v) ? Math.min(0, Math.max(-40, v)) : -13;
}

// The call's audio: the microphone (or the input chosen) into the modem, the modem out to the
// output chosen. Without an input the modem hears silence (it still takes commands).
async function openAudio() {
  const ctx = modem.ctx;
  if (!ctx || !modem.node) return;
  const deviceId = $('mic').value;
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: {
        deviceId: deviceId ? { exact: deviceId } : undefined,
        echoCancellation: false,
        noiseSuppression: false,
        autoGainControl: false,
        channelCount: 1,
      },
    });
    closeAudioInput();
    if (modem.ctx !== ctx || !modem.node) { for (const t of stream.getTracks()) t.stop(); return; }
    modem.stream = stream;
    modem.source = ctx.createMediaStreamSource(stream);
    modem.source.connect(modem.node);
    listDevices(); // labels appear once permission is granted
  } catch (e) {
    note(`No audio from the phone (${e.message || e.name}): the modem hears silence.`, 'warn');
  }
  const sink = $('speaker').value;
  if (ctx.setSinkId) {
    await ctx.setSinkId(sink || '').catch((e) => note(`Could not use that output: ${e.message || e}`, 'warn'));
  }
}

function closeAudioInput() {
  if (modem.source) { modem.source.disconnect(); modem.source = null; }
  if (modem.stream) { for (const t of modem.stream.getTracks()) t.stop(); modem.stream = null; }
}

async function listDevices() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return;
  const devices = await navigator.mediaDevices.enumerateDevices();
  const fill = (select, kind) => {
    const keep = select.value;
    select.length = 1;
    for (const d of devices.filter((d) => d.kind === kind && d.deviceId && d.deviceId !== 'default')) {
      const o = document.createElement('option');
      o.value = d.deviceId;
      o.textContent = d.label || `${kind} ${select.length}`;
      select.append(o);
    }
    select.value = keep;
    if (select.value !== keep) select.value = '';
  };
  fill($('mic'), 'audioinput');
  fill($('speaker'), 'audiooutput');
}

function onMessage(msg) {
  switch (msg.type) {
    case 'terminal': term.write(msg.bytes); break;
    case 'phone': writePhone(msg.bytes); break;
    case 'log': note(msg.text); break;
    case 'status': showStatus(JSON.parse(msg.json)); break;
    case 'link':
      if (!msg.ok) {
        note(`Could not change how calls are made: ${msg.message}`, 'warn');
        const radio = $(`link-${msg.link}`);
        if (radio) radio.checked = true;
        showLink();
      }
      modem.link = msg.link;
      break;
    case 'refused': note(`${msg.what === 'dial' ? 'Dial' : 'Answer'}: ${msg.reason}.`, 'warn'); break;
    case 'overflow': note(`Typing faster than the line: ${msg.dropped} bytes dropped.`, 'warn'); break;
    case 'error': note(`Modem error: ${msg.message}`, 'error'); stop(); break;
  }
}

// ---- the status panel and the log ----

const PHASES = {
  'on-hook': 'on hook, command mode',
  'off-hook': 'off hook, command mode',
  dialing: 'dialling',
  connecting: 'connecting',
  online: 'online',
  'online-command': 'online, command mode',
};
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

function setText(id, text) {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}

function modemText(s) {
  const family = s.family === 'automode' ? 'automode' : s.family;
  switch (s.modem) {
    case 'handshake': return family === 'automode' ? 'handshaking (finding the far modem)' : `${family} handshaking`;
    case 'settling': return `${family} settling`;
    case 'data': return s.rx_rate === s.tx_rate ? `${family} ${s.rx_rate} bit/s` : `${family} ${s.rx_rate}/${s.tx_rate} bit/s`;
    default: return 'idle';
  }
}

function phoneText(s) {
  if (modem.link === 'manual') return 'dialled by hand';
  const state = s.phone ? PHONE[s.phone] || s.phone : '–';
  if (modem.link === 'demo') return `simulated, ${state}`;
  return serial.port ? state : `no port (${state})`;
}

// The receiver's last equalised points (V.22/V.22bis), on the sixteen-point grid (+-1, +-3).
function drawConstellation(points) {
  const canvas = $('constellation');
  const show = Array.isArray(points) && points.length > 0;
  canvas.hidden = !show;
  if (!show) return;
  const g = canvas.getContext('2d');
  const n = canvas.width;
  const scale = n / 9; // +-4.5 constellation units across
  const at = (v) => n / 2 + v * scale;
  g.fillStyle = '#000';
  g.fillRect(0, 0, n, n);
  g.fillStyle = '#2c3642';
  for (const x of [-3, -1, 1, 3]) for (const y of [-3, -1, 1, 3]) g.fillRect(at(x) - 1, at(-y) - 1, 3, 3);
  g.fillStyle = '#4fb3ff';
  for (let i = 0; i + 1 < points.length; i += 2) g.fillRect(at(points[i]) - 1, at(-points[i + 1]) - 1, 2, 2);
}

function showStatus(s) {
  modem.status = s;
  const on = s !== null;
  setText('phase', on ? PHASES[s.phase] || s.phase : modem.node || modem.starting ? 'starting' : 'off (type in the terminal to switch it on)');
  setText('phone-state', on ? phoneText(s) : '–');
  setText('modem-state', on ? modemText(s) : 'idle');
  $('modem-state').dataset.state = on ? s.modem : 'idle';
  const carrier = on && s.carrier;
  $('carrier').classList.toggle('on', carrier);
  $('carrier').setAttribute('aria-label', carrier ? 'carrier on' : 'carrier off');
  setText('level-meter', on && s.level !== null
    ? `${s.level.toFixed(1)} dBm0` + (s.quality !== null && carrier ? `, SNR ${s.quality.toFixed(1)} dB` : '')
    : '–');
  drawConstellation(on ? s.points : []);
  setText('counts', on && s.modem !== 'idle'
    ? `${s.chars} chars` + (s.framing_errors ? `, ${s.framing_errors} framing errors` : '')
    : '–');
  const command = !on || s.phase === 'on-hook' || s.phase === 'off-hook';
  $('dial').disabled = !command;
  $('answer').disabled = !command;
  $('hangup').disabled = !on || s.phase === 'on-hook';
  $('break').disabled = !on || s.phase !== 'online';
  $('modulation').disabled = !command;
  for (const r of document.querySelectorAll('input[name=link]')) {
    r.disabled = (on && s.phase !== 'on-hook') || (r.value === 'serial' && !hasSerial);
  }
}

function note(text, kind = '') {
  const list = $('log');
  const li = document.createElement('li');
  const t = new Date();
  const stamp = `${String(t.getHours()).padStart(2, '0')}:${String(t.getMinutes()).padStart(2, '0')}:${String(t.getSeconds()).padStart(2, '0')}`;
  li.textContent = `${stamp} ${text}`;
  if (kind) li.className = kind;
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
  list.append(li);
  while (list.children.length > LOG_MAX) list.firstElementChild.remove();
  if (atBottom) list.scrollTop = list.scrollHeight;
}

// ---- the phone's serial port (Web Serial) ----

const serial = {
  port: null,
  writer: null,
  reader: null,
  reading: null, // the read loop's promise
  closing: false,
};

function hex4(n) { return n.toString(16).padStart(4, '0'); }

function portName(port) {
  const info = port.getInfo ? port.getInfo() : {};
  if (info.usbVendorId !== undefined) return `USB device ${hex4(info.usbVendorId)}:${hex4(info.usbProductId ?? 0)}`;
  if (info.bluetoothServiceClassId !== undefined) return 'Bluetooth serial port';
  return 'serial port';
}

function portStatus(text) { setText('port-status', text); }

function showPortButtons() {
  $('connect-phone').disabled = !hasSerial;
  $('connect-phone').textContent = serial.port ? 'Connect another phone' : 'Connect phone';
  $('disconnect-phone').disabled = !serial.port;
}

function remember(port) {
  try { localStorage.setItem(PORT_KEY, JSON.stringify(port.getInfo ? port.getInfo() : {})); } catch { /* private mode */ }
}

function remembered() {
  try { return JSON.parse(localStorage.getItem(PORT_KEY) || 'null'); } catch { return null; }
}

function sameInfo(port, info) {
  if (!info || !port.getInfo) return false;
  const p = port.getInfo();
  return Object.keys(info).length > 0 && Object.keys(info).every((k) => p[k] === info[k]);
}

// A port granted earlier (getPorts): the one used last, or the only one. No user gesture needed.
async function reopenGrantedPort() {
  if (!hasSerial || serial.port) return false;
  let ports = [];
  try { ports = await navigator.serial.getPorts(); } catch { return false; }
  const info = remembered();
  const port = ports.find((p) => sameInfo(p, info)) || (ports.length === 1 ? ports[0] : null);
  return port ? openPort(port) : false;
}

// The Connect phone button: the browser's port chooser (needs this user gesture).
async function connectPhone() {
  if (!hasSerial) return;
  let port;
  try {
    port = await navigator.serial.requestPort();
  } catch (e) {
    if (e.name !== 'NotFoundError') note(`No port: ${e.message || e}`, 'warn'); // NotFoundError: chooser closed
    return;
  }
  await openPort(port);
}

async function openPort(port) {
  if (serial.port) await closePort();
  const baudRate = Number($('baud').value) || 115200;
  try {
    await port.open({ baudRate, dataBits: 8, stopBits: 1, parity: 'none', flowControl: 'none' });
  } catch (e) {
    if (e.name !== 'InvalidStateError') { // InvalidStateError: it is open already
      portStatus(`Could not open the ${portName(port)}: ${e.message || e}`);
      note(`Could not open the ${portName(port)}: ${e.message || e}`, 'warn');
      return false;
    }
  }
  if (!port.writable || !port.readable) {
    portStatus(`The ${portName(port)} is in use elsewhere.`);
    return false;
  }
  serial.port = port;
  serial.closing = false;
  serial.writer = port.writable.getWriter();
  port.addEventListener('disconnect', onPortDisconnect);
  // Many modems want DTR (and RTS) up before they listen.
  try { await port.setSignals({ dataTerminalReady: true, requestToSend: true }); } catch { /* not every port has them */ }
  remember(port);
  serial.reading = readLoop(port);
  portStatus(`Connected: ${portName(port)}, ${baudRate} baud`);
  note(`Phone's serial port open: ${portName(port)} at ${baudRate} baud.`);
  showPortButtons();
  if (modem.node && modem.link === 'serial') {
    post({ type: 'phone-lost' }); // whatever the modem sent before went nowhere: set up afresh
    post({ type: 'phone-open' });
  }
  return true;
}

// Reads until the port goes. Break, framing, parity and overrun errors do not close a serial port:
// its readable stream is replaced, and a new reader carries on. A lost device leaves none.
async function readLoop(port) {
  let failures = 0;
  while (serial.port === port && !serial.closing && port.readable) {
    const reader = port.readable.getReader();
    serial.reader = reader;
    let done = false;
    try {
      for (;;) {
        const r = await reader.read();
        if (r.done) { done = true; break; }
        failures = 0;
        if (r.value && r.value.length && modem.node && modem.link === 'serial') post({ type: 'phone', bytes: r.value });
      }
    } catch (e) {
      if (serial.closing || serial.port !== port) break;
      note(`Serial port: ${e.name || 'read error'}${e.message ? ` (${e.message})` : ''}; reading on.`, 'warn');
      failures += 1;
      await new Promise((r) => setTimeout(r, Math.min(1000, 20 * failures)));
    } finally {
      try { reader.releaseLock(); } catch { /* already released */ }
      serial.reader = null;
    }
    if (done) break;
  }
  if (serial.port === port && !serial.closing) {
    serial.reading = null; // this loop is over; phoneGone must not wait for it
    phoneGone('the port closed');
  }
}

function writePhone(bytes) {
  const writer = serial.writer;
  if (!writer) return; // no phone: its set-up times out, and the log says so
  writer.write(bytes).catch((e) => {
    if (serial.writer === writer && !serial.closing) phoneGone(`writing failed: ${e.message || e.name}`);
  });
}

function onPortDisconnect(e) {
  if (e.target === serial.port || !e.target) phoneGone('unplugged or out of range');
}

// The port went away by itself: close what is left and tell the modem.
async function phoneGone(why) {
  if (!serial.port) return;
  const name = portName(serial.port);
  await closePort();
  portStatus(`Disconnected (${why}). Connect the phone again, or choose Dial by hand.`);
  note(`Phone's serial port lost: ${name}, ${why}.`, 'warn');
  if (modem.node && modem.link === 'serial') post({ type: 'phone-lost' });
}

async function closePort() {
  const port = serial.port;
  if (!port) return;
  serial.closing = true;
  port.removeEventListener('disconnect', onPortDisconnect);
  try { if (serial.reader) await serial.reader.cancel(); } catch { /* gone already */ }
  try { if (serial.reading) await serial.reading; } catch { /* ended */ }
  try { if (serial.writer) serial.writer.releaseLock(); } catch { /* gone already */ }
  try { await port.close(); } catch { /* gone already */ }
  serial.port = serial.writer = serial.reader = serial.reading = null;
  serial.closing = false;
  showPortButtons();
}

async function disconnectPhone() {
  if (!serial.port) return;
  await closePort();
  portStatus('Disconnected.');
  note('Phone\'s serial port closed.');
  if (modem.node && modem.link === 'serial') post({ type: 'phone-lost' });
}

// ---- how calls are made ----

function showLink() {
  const link = chosenLink();
  for (const l of ['demo', 'serial', 'manual']) document.body.classList.toggle(`link-${l}`, l === link);
  const number = $('number');
  if (link === 'demo' && number.value === '') number.value = DEMO_NUMBER;
  if (link !== 'demo' && number.value === DEMO_NUMBER) number.value = '';
  number.placeholder = link === 'manual' ? 'dialled on the phone' : DEMO_NUMBER;
}

async function changeLink() {
  const want = chosenLink();
  showLink();
  if (want !== 'serial' && serial.port) await disconnectPhone();
  if (!modem.node && !modem.starting) { await ensureStarted(); return; }
  if (modem.starting) await modem.starting;
  if (modem.link === want) return;
  if (modem.node && modem.link !== 'demo' && want !== 'demo') {
    // The same Hayes modem (its settings stay): only the link changes.
    post({ type: 'link', link: want });
    modem.link = want;
    if (want === 'serial') {
      if (!serial.port && !(await reopenGrantedPort())) {
        post({ type: 'phone-lost' });
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

// ---- wiring ----

$('term').addEventListener('keydown', (e) => {
  // Tab moves on to the next control (no keyboard trap); Ctrl+I sends a tab.
  if (e.key === 'Tab' && !e.ctrlKey) return;
  const bytes = keyBytes(e);
  if (!bytes) return;
  e.preventDefault();
  post({ type: 'terminal', bytes: new Uint8Array(bytes) });
});
$('term').addEventListener('paste', (e) => {
  e.preventDefault();
  const text = e.clipboardData.getData('text').replace(/\r?\n/g, '\r');
  post({ type: 'terminal', bytes: textBytes(text) });
});
$('term').addEventListener('pointerdown', () => { ensureStarted(); });

$('dial').addEventListener('click', () => post({ type: 'dial', number: chosenLink() === 'manual' ? '' : $('number').value.trim() }));
$('number').addEventListener('keydown', (e) => {
  if (e.key === 'Enter') { e.preventDefault(); $('dial').click(); }
});
$('answer').addEventListener('click', () => post({ type: 'answer' }));
$('hangup').addEventListener('click', () => post({ type: 'hangup' }));
$('break').addEventListener('click', () => post({ type: 'break' }));
$('modulation').addEventListener('change', () => {
  // As if typed: the command and its OK show in the terminal.
  post({ type: 'terminal', bytes: textBytes(`AT+MS=${$('modulation').value}\r`) });
  $('term').focus();
});
$('level').addEventListener('change', () => { $('level').value = level(); post({ type: 'level', level: level() }); });
$('mic').addEventListener('change', () => { if (modem.node && modem.link !== 'demo') openAudio(); });
$('speaker').addEventListener('change', () => { if (modem.node && modem.link !== 'demo') openAudio(); });
$('baud').addEventListener('change', async () => {
  const port = serial.port;
  if (!port) return;
  await closePort();
  await openPort(port);
});
$('connect-phone').addEventListener('click', connectPhone);
$('disconnect-phone').addEventListener('click', disconnectPhone);
for (const el of document.querySelectorAll('input[name=link]')) el.addEventListener('change', changeLink);
if (navigator.mediaDevices) navigator.mediaDevices.addEventListener?.('devicechange', listDevices);
if (hasSerial) {
  // A granted port plugged in again: use it, if the phone link is chosen and no port is open.
  navigator.serial.addEventListener('connect', (e) => {
    if (chosenLink() === 'serial' && !serial.port && e.target && e.target !== navigator.serial) openPort(e.target);
  });
} else {
  $('no-serial').hidden = false;
  $('link-serial').disabled = true;
}

showLink();
showStatus(null);
showPortButtons();
listDevices();
term.write(textBytes('softmodem: a Hayes-compatible modem. Type AT and Enter here: it answers OK.\r\n'
  + 'Demo: type ATDT5551234 and Enter to call the demo BBS.\r\n\r\n'));

// For tests and the curious: the page's state.
window.softmodem = {
  term,
  get running() { return modem.node !== null; },
  get link() { return modem.link; },
  get status() { return modem.status; },
  get portOpen() { return serial.port !== null; },
};
