// End-to-end tests of the page in Debian's Chromium (headless), driven by playwright-core.
// Run by `./build.sh test` after the WASM build (www/pkg) and the native CLI exist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const www = path.join(root, 'www');
const cli = process.env.SOFTMODEM_BIN || path.join(root, 'target', 'debug', 'softmodem');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

const BASE_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required',
];

let site;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'softmodem-e2e-'));

before(async () => {
  assert.ok(fs.existsSync(path.join(www, 'pkg', 'softmodem_bg.wasm')), 'www/pkg is missing: run ./build.sh build first');
  site = await serve(www);
});

after(() => {
  site?.server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function launch(extraArgs = []) {
  const userDataDir = fs.mkdtempSync(path.join(tmp, 'profile-'));
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [...BASE_ARGS, ...extraArgs],
  });
}

function collectErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return errors;
}

test('loopback demo connects at 300 bit/s, shows the banner and echoes typing', async () => {
  const browser = await launch();
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(site.url);
    await page.click('#start');
    await page.waitForFunction(() => document.querySelector('#result').textContent === 'CONNECT 300', null, { timeout: 15000 });
    await page.waitForFunction(() => document.querySelector('#term').textContent.includes('Type something: it is echoed back'), null, { timeout: 20000 });
    await page.focus('#term');
    await page.keyboard.type('hello modem');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#term').textContent.includes('hello modem'), null, { timeout: 20000 });
    assert.equal(await page.$eval('#carrier', (e) => e.classList.contains('on')), true);
    await page.click('#hangup');
    await page.waitForFunction(() => document.querySelector('#state').textContent === 'idle');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the demo runs V.22bis at 2400 bit/s and shows the signal quality', async () => {
  const browser = await launch();
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(site.url);
    await page.selectOption('#family', 'v22bis');
    await page.click('#start');
    await page.waitForFunction(() => document.querySelector('#result').textContent === 'CONNECT 2400', null, { timeout: 20000 });
    await page.waitForFunction(() => document.querySelector('#term').textContent.includes('Type something: it is echoed back'), null, { timeout: 20000 });
    await page.waitForFunction(() => /SNR \d+\.\d dB/.test(document.querySelector('#level-meter').textContent), null, { timeout: 5000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a fake microphone carrying V.21 channel 2 puts its banner in the terminal', async () => {
  const banner = 'Welcome to the e2e BBS! Fake microphone, V.21 channel 2, 300 bit/s.\r\n';
  const txt = path.join(tmp, 'banner.txt');
  const wav = path.join(tmp, 'banner.wav');
  fs.writeFileSync(txt, banner.repeat(3));
  execFileSync(cli, ['encode', '--mode', 'v21-ch2', txt, wav]);
  const browser = await launch([
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${wav}`,
  ]);
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(site.url);
    await page.check('#source-line');
    await page.selectOption('#family', 'v21');
    await page.selectOption('#role', 'call');
    await page.click('#start');
    await page.waitForFunction(() => document.querySelector('#result').textContent === 'CONNECT 300', null, { timeout: 15000 });
    await page.waitForFunction(
      (want) => document.querySelector('#term').textContent.includes(want),
      'Welcome to the e2e BBS! Fake microphone, V.21 channel 2, 300 bit/s.',
      { timeout: 30000 },
    );
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
