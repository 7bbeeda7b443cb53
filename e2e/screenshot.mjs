// Saves the README's screenshots: docs/screenshot.png (the page connected to the demo BBS, its
// welcome screen in colour), docs/ansi-art.png (the terminal showing the BBS's art page),
// docs/diagnostics.png (the status bar and the diagnostics panel during the call) and
// docs/dialup.png (the Network panel with a web page fetched over the demo's dial-up link).
// Usage: node e2e/screenshot.mjs   (after ./build.sh build)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const site = await serve(path.join(root, 'www'));
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'softmodem-shot-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1000, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
});
try {
  const page = browser.pages()[0] || await browser.newPage();
  await page.goto(site.url);
  await page.focus('#term');
  await page.keyboard.type('ATDT5551234');
  await page.keyboard.press('Enter');
  const shown = (text) => page.waitForFunction((t) => document.querySelector('#term').textContent.includes(t), text, { timeout: 40000 });
  await shown('Your choice:');
  await page.waitForFunction(() => /SNR/.test(document.querySelector('#level-meter').textContent), null, { timeout: 5000 });
  await page.waitForTimeout(500);
  fs.mkdirSync(path.join(root, 'docs'), { recursive: true });
  await page.screenshot({ path: path.join(root, 'docs', 'screenshot.png'), fullPage: true });
  console.log('wrote docs/screenshot.png');
  await page.keyboard.press('a');
  await shown('any key');
  await page.waitForTimeout(500);
  await page.locator('#term canvas').screenshot({ path: path.join(root, 'docs', 'ansi-art.png') });
  console.log('wrote docs/ansi-art.png');
  await page.keyboard.press('x');
  await page.click('#diagnostics summary');
  await page.waitForTimeout(3000);
  // Page coordinates (a full-page clip is in them; bounding boxes are in the viewport's).
  const [top, bottom] = await page.evaluate(() => {
    const boxes = ['.status', '#diagnostics'].map((q) => document.querySelector(q).getBoundingClientRect());
    return [Math.min(...boxes.map((b) => b.top)) + window.scrollY, Math.max(...boxes.map((b) => b.bottom)) + window.scrollY];
  });
  await page.screenshot({ path: path.join(root, 'docs', 'diagnostics.png'), fullPage: true,
    clip: { x: 0, y: top - 8, width: 1000, height: bottom - top + 16 } });
  console.log('wrote docs/diagnostics.png');
  // Dial-up networking: hang up, dial the demo dial-up server, fetch its front page.
  await page.click('#hangup');
  await page.waitForFunction(() => document.querySelector('#call-state').textContent === 'idle', null, { timeout: 20000 });
  await page.click('button[aria-label="Dial Demo dial-up server"]');
  await page.waitForFunction(() => document.querySelector('#ppp-state').textContent.includes('10.0.0.2'), null, { timeout: 60000 });
  await page.fill('#fetch-url', 'http://www.demo.net/');
  await page.press('#fetch-url', 'Enter');
  await page.waitForFunction(() => document.querySelector('#fetch-body').textContent.includes('demo network'), null, { timeout: 60000 });
  await page.waitForTimeout(500);
  await page.locator('#network').screenshot({ path: path.join(root, 'docs', 'dialup.png') });
  console.log('wrote docs/dialup.png');
} finally {
  await browser.close();
  site.server.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
