// The page: sets up audio, runs the modem worklet, and connects it to the terminal.
import { Terminal, keyBytes, textBytes } from './terminal.js';

const $ = (id) => document.getElementById(id);
const term = new Terminal($('term'));
const modulePromise = WebAssembly.compileStreaming(fetch(new URL('./pkg/softmodem_bg.wasm', import.meta.url)));

let ctx = null;
let node = null;
let stream = null;

function source() { return document.querySelector('input[name=source]:checked').value; }

function showSource() {
  document.body.classList.toggle('demo', source() === 'demo');
  $('start').textContent = source() === 'demo' ? 'Start demo' : ($('role').value === 'call' ? 'Start (call)' : 'Start (answer)');
}

function setRunning(running) {
  $('start').disabled = running;
  $('hangup').disabled = !running;
  $('break').disabled = !running;
  for (const el of document.querySelectorAll('#setup select, #setup input')) el.disabled = running;
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
  };
  fill($('mic'), 'audioinput');
  fill($('speaker'), 'audiooutput');
}

function status(msg) {
  $('state').textContent = msg.state;
  $('carrier').classList.toggle('on', msg.carrier);
  $('level-meter').textContent = (msg.carrier || msg.level > -60 ? `rx ${msg.level.toFixed(1)} dBm0` : '')
    + (Number.isFinite(msg.quality) && msg.carrier ? `, SNR ${msg.quality.toFixed(1)} dB` : '');
  const [chars, framing] = msg.counts;
  $('counts').textContent = `${chars} chars` + (framing ? `, ${framing} framing errors` : '');
}

async function start() {
  setRunning(true);
  $('result').textContent = '';
  try {
    const mode = source();
    ctx = new AudioContext({ latencyHint: 'interactive' });
    await ctx.audioWorklet.addModule(new URL('./pkg/processor.js', import.meta.url));
    const module = await modulePromise;
    let input = null;
    if (mode === 'line') {
      const deviceId = $('mic').value;
      stream = await navigator.mediaDevices.getUserMedia({
        audio: {
          deviceId: deviceId ? { exact: deviceId } : undefined,
          echoCancellation: false,
          noiseSuppression: false,
          autoGainControl: false,
          channelCount: 1,
        },
      });
      input = ctx.createMediaStreamSource(stream);
      listDevices(); // labels appear once permission is granted
      const sink = $('speaker').value;
      if (sink && ctx.setSinkId) await ctx.setSinkId(sink);
    }
    node = new AudioWorkletNode(ctx, 'softmodem', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [2],
      processorOptions: {
        module,
        mode,
        family: $('family').value,
        role: $('role').value,
        level: Number($('level').value),
        seed: (Math.random() * 2 ** 32) >>> 0,
      },
    });
    node.port.onmessage = (e) => onMessage(e.data);
    node.onprocessorerror = () => { $('result').textContent = 'modem stopped with an error'; };
    if (input) input.connect(node);
    node.connect(ctx.destination);
    await ctx.resume();
    $('state').textContent = mode === 'demo' ? 'dialling the demo host…' : 'listening…';
    $('term').focus();
  } catch (e) {
    $('result').textContent = `could not start: ${e.message || e}`;
    await stop();
  }
}

function onMessage(msg) {
  switch (msg.type) {
    case 'data': term.write(msg.bytes); break;
    case 'event':
      $('result').textContent = msg.text;
      if (msg.text === 'NO CARRIER') stop();
      break;
    case 'status': status(msg); break;
    case 'error': $('result').textContent = `modem error: ${msg.message}`; stop(); break;
    case 'overflow': $('result').textContent = `typing faster than the line: ${msg.dropped} bytes dropped`; break;
  }
}

async function stop() {
  if (node) {
    node.port.postMessage({ type: 'hangup' });
    node.port.onmessage = null; // messages still in flight must not overwrite the idle state
    node.disconnect();
    node = null;
  }
  if (stream) { for (const t of stream.getTracks()) t.stop(); stream = null; }
  if (ctx) { await ctx.close().catch(() => {}); ctx = null; }
  $('carrier').classList.remove('on');
  $('state').textContent = 'idle';
  setRunning(false);
}

$('term').addEventListener('keydown', (e) => {
  if (!node) return;
  const bytes = keyBytes(e);
  if (!bytes) return;
  e.preventDefault();
  node.port.postMessage({ type: 'write', bytes: new Uint8Array(bytes) });
});
$('term').addEventListener('paste', (e) => {
  if (!node) return;
  e.preventDefault();
  const text = e.clipboardData.getData('text').replace(/\r?\n/g, '\r');
  node.port.postMessage({ type: 'write', bytes: textBytes(text) });
});
$('start').addEventListener('click', start);
$('hangup').addEventListener('click', () => { $('result').textContent = 'hung up'; stop(); });
$('break').addEventListener('click', () => node && node.port.postMessage({ type: 'break' }));
for (const el of document.querySelectorAll('input[name=source], #role')) el.addEventListener('change', showSource);
if (navigator.mediaDevices) navigator.mediaDevices.addEventListener?.('devicechange', listDevices);
showSource();
listDevices();

// For tests and the curious: the page's state.
window.softmodem = { term, get running() { return node !== null; } };
