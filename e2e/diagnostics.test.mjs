// End-to-end tests of the page's status bar and diagnostics panel (issue 10, "Around the
// terminal") in Debian's Chromium (headless), driven by playwright-core: a demo call, the status
// bar's call items, the spectrum and SNR plots, the audio glitch count, and the line audio saved
// as a WAV file. The launch and serve helpers are page.test.mjs's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setUp, collectErrors, typeLine } from './harness.mjs';

const { url, launch, tmp } = setUp('diag', { acceptDownloads: true });

async function litPixels(page, selector) {
  return page.$eval(selector, (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] === 0x4f && d[i + 1] === 0xb3 && d[i + 2] === 0xff) n++;
    return n;
  });
}

const text = (page, selector) => page.textContent(selector);

// The WAV file's header fields (RIFF/WAVE, its fmt chunk, the data chunk's length).
function wavHeader(buf) {
  assert.ok(buf.length >= 44, `${buf.length} bytes`);
  assert.equal(buf.toString('latin1', 0, 4), 'RIFF');
  assert.equal(buf.toString('latin1', 8, 12), 'WAVE');
  assert.equal(buf.readUInt32LE(4), buf.length - 8, 'RIFF length');
  let at = 12;
  let fmt = null;
  while (at + 8 <= buf.length) {
    const id = buf.toString('latin1', at, at + 4);
    const len = buf.readUInt32LE(at + 4);
    if (id === 'fmt ') {
      fmt = {
        format: buf.readUInt16LE(at + 8),
        channels: buf.readUInt16LE(at + 10),
        rate: buf.readUInt32LE(at + 12),
        byteRate: buf.readUInt32LE(at + 16),
        align: buf.readUInt16LE(at + 20),
        bits: buf.readUInt16LE(at + 22),
      };
    }
    if (id === 'data') return { ...fmt, dataLength: len, dataAt: at + 8 };
    at += 8 + len + (len & 1);
  }
  assert.fail('no data chunk');
}

test('demo call: the status bar counts, the diagnostics draw, the line audio saves as a WAV', async () => {
  const browser = await launch();
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(url());
    assert.equal(await text(page, '#call-state'), 'idle');
    assert.equal(await page.isVisible('#spectrum'), false, 'the diagnostics start closed');

    await typeLine(page, 'ATDT5551234');
    await page.waitForFunction(() => ['dialling', 'ringing', 'training'].includes(document.querySelector('#call-state').textContent), null, { timeout: 10000 });
    await page.waitForFunction(() => document.querySelector('#log').textContent.includes('Connected 2400'), null, { timeout: 30000 });
    await page.waitForFunction(() => document.querySelector('#call-state').textContent === 'connected', null, { timeout: 5000 });

    // The status bar: the rate, no retrains, V.42 with V.42bis (so no character counts), no
    // retransmissions on the demo's clean line, the SNR, the level meter.
    assert.equal(await text(page, '#modem-state'), 'V.22bis 2400 bit/s');
    await page.waitForFunction(() => /^\d+\.\d dB$/.test(document.querySelector('#snr').textContent), null, { timeout: 5000 });
    assert.equal(await text(page, '#retrains'), '0');
    assert.equal(await text(page, '#protocol'), 'V.42 LAPM/V.42bis');
    assert.equal(await text(page, '#retransmissions'), '0 (0 bad frames)');
    assert.equal(await text(page, '#framing-errors'), '–');
    const level = await page.$eval('#input-level', (m) => m.value);
    assert.ok(level > -43 && level < 0, `input level ${level} dBm0`);
    assert.equal(await page.isVisible('#quiet-warning'), false);
    assert.equal(await page.isVisible('#clip-warning'), false);

    // Bytes count up as the BBS's screens arrive; the call timer moves.
    const bytes = async () => {
      const m = /^(\d+) in, (\d+) out$/.exec(await text(page, '#bytes'));
      assert.ok(m, `bytes: ${await text(page, '#bytes')}`);
      return { rx: Number(m[1]), tx: Number(m[2]) };
    };
    await page.waitForFunction(() => /^[1-9]\d* in/.test(document.querySelector('#bytes').textContent), null, { timeout: 10000 });
    const first = await bytes();
    const t0 = await text(page, '#call-timer');
    assert.match(t0, /^\d+:\d\d$/);
    await page.focus('#term');
    await page.keyboard.press('h'); // the BBS's help page: more bytes each way
    await page.waitForFunction((n) => {
      const m = /^(\d+) in, (\d+) out$/.exec(document.querySelector('#bytes').textContent);
      return m && Number(m[1]) > n && Number(m[2]) >= 1;
    }, first.rx, { timeout: 10000 });
    await page.waitForFunction((t) => document.querySelector('#call-timer').textContent !== t, t0, { timeout: 3000 });

    // The glitch counter is shown (a number, 0 or more).
    assert.match(await text(page, '#glitches'), /^\d+( \(\d+ frames lost\))?$/);

    // The diagnostics: the spectrum and the SNR history drawn once open.
    await page.click('#diagnostics > summary');
    assert.equal(await page.isVisible('#spectrum'), true);
    await page.waitForFunction(() => /^\d+\.\d dB$/.test(document.querySelector('#snr-now').textContent), null, { timeout: 3000 });
    const spectrumLit = await litPixels(page, '#spectrum');
    assert.ok(spectrumLit >= 200, `spectrum: ${spectrumLit} lit pixels`);
    const snrLit = await litPixels(page, '#snr-plot');
    assert.ok(snrLit >= 20, `SNR plot: ${snrLit} lit pixels`);
    assert.match(await text(page, '#lost-frames'), /^\d+$/);
    // The snapshot behind them: 128 spectrum bins peaking in the answerer's band (2400 Hz).
    const status = await page.evaluate(() => window.softmodem.status);
    assert.equal(status.spectrum.length, 128);
    const top = status.spectrum.indexOf(Math.max(...status.spectrum));
    assert.ok(top * 31.25 > 1800 && top * 31.25 < 3000, `spectrum peak at ${top * 31.25} Hz`);
    assert.ok(status.snr_history.length > 0 && status.snr_history.length <= 100);

    // Save line audio: a 2-channel, 8000 Hz, 16-bit WAV of at most 60 s, received and sent.
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), page.click('#save-audio')]);
    assert.match(download.suggestedFilename(), /^softmodem-line-.*\.wav$/);
    const file = await download.path();
    const wav = fs.readFileSync(file);
    const h = wavHeader(wav);
    assert.deepEqual([h.format, h.channels, h.rate, h.bits, h.align, h.byteRate], [1, 2, 8000, 16, 4, 32000]);
    assert.ok(h.dataLength > 0 && h.dataLength <= 60 * 8000 * 4, `data ${h.dataLength} bytes`);
    assert.equal(h.dataAt + h.dataLength, wav.length);
    // Both channels carry the call: the received (1) and the sent (2) each have signal in the
    // last second.
    const energy = [0, 0];
    for (let i = wav.length - 8000 * 4; i < wav.length; i += 4) {
      energy[0] += Math.abs(wav.readInt16LE(i));
      energy[1] += Math.abs(wav.readInt16LE(i + 2));
    }
    assert.ok(energy[0] / 8000 > 300 && energy[1] / 8000 > 300, `mean |sample|: ${energy.map((e) => e / 8000)}`);
    await page.waitForFunction(() => /Saved \d+\.\d s of line audio/.test(document.querySelector('#log').textContent), null, { timeout: 3000 });

    // Hung up: the state goes back to idle, the timer stops.
    await page.click('#hangup');
    await page.waitForFunction(() => document.querySelector('#call-state').textContent === 'idle', null, { timeout: 5000 });
    const stopped = await text(page, '#call-timer');
    await page.waitForTimeout(1200);
    assert.equal(await text(page, '#call-timer'), stopped);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

// A mono 16-bit 8000 Hz WAV of `seconds` of `sample(i)` (full scale 1.0), for Chromium's fake
// microphone (it loops the file).
function writeWav(file, seconds, sample) {
  const n = seconds * 8000;
  const buf = Buffer.alloc(44 + 2 * n);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(36 + 2 * n, 4);
  buf.write('WAVEfmt ', 8, 'latin1');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(8000, 24);
  buf.writeUInt32LE(16000, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < n; i++) buf.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(sample(i) * 32768))), 44 + 2 * i);
  fs.writeFileSync(file, buf);
}

test('audio warnings: a full-scale input shows clipping; a faint one during a call is too quiet', async () => {
  const loud = path.join(tmp, 'loud.wav');
  writeWav(loud, 1, (i) => (Math.floor(i / 4) % 2 ? 1 : -1)); // a 1 kHz square wave at full scale
  let browser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${loud}`]);
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(url());
    await page.check('#link-manual');
    await page.waitForFunction(() => window.softmodem.running && window.softmodem.link === 'manual', null, { timeout: 10000 });
    await page.waitForSelector('#clip-warning:not([hidden])', { timeout: 5000 });
    const health = await page.evaluate(() => window.softmodem.audioHealth);
    assert.ok(health && health.clipped > 0, JSON.stringify(health));
    assert.match(await text(page, '#glitches'), /^\d+( \(\d+ frames lost\))?$/);
    assert.equal(await page.isVisible('#quiet-warning'), false, 'no call: not too quiet');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }

  // A 2400 Hz tone (the calling modem's receive band) at -50 dBm0 while the calling modem trains.
  const faint = path.join(tmp, 'faint.wav');
  const peak = 0.6934 * 10 ** (-50 / 20);
  writeWav(faint, 1, (i) => peak * Math.sin((2 * Math.PI * 2400 * i) / 8000));
  browser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${faint}`]);
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(url());
    await page.check('#link-manual');
    await page.waitForFunction(() => window.softmodem.running && window.softmodem.link === 'manual', null, { timeout: 10000 });
    await page.click('#dial');
    await page.waitForFunction(() => document.querySelector('#call-state').textContent === 'training', null, { timeout: 5000 });
    await page.waitForSelector('#quiet-warning:not([hidden])', { timeout: 5000 });
    const level = await page.$eval('#input-level', (m) => m.value);
    assert.ok(level < -43, `input level ${level} dBm0`);
    assert.equal(await page.isVisible('#clip-warning'), false);
    await page.click('#hangup');
    await page.waitForFunction(() => document.querySelector('#call-state').textContent === 'idle', null, { timeout: 5000 });
    assert.equal(await page.isVisible('#quiet-warning'), false, 'hung up: no warning');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
