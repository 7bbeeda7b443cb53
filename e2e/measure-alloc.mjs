// The worklet's allocations per render quantum during a demo call, in headless Chromium: the
// figures in the README's Performance section. Serves the page in WWW (default: ../www, built) and
// prints what e2e/alloc-probe.js counted from ATDT5551234 to five seconds after the BBS's greeting.
//
//   node e2e/measure-alloc.mjs [WWW]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';
import { installProbe, demoCallCounts, describe } from './probe.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const www = path.resolve(process.argv[2] || path.join(here, '..', 'www'));
const site = await serve(www);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'softmodem-alloc-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // The probe is a module from a blob: URL, which the page's Content-Security-Policy refuses.
  bypassCSP: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required'],
});
try {
  const page = browser.pages()[0] || await browser.newPage();
  await installProbe(page);
  await page.goto(site.url);
  const stats = await demoCallCounts(page);
  console.log(`${www}: ${describe(stats)}`);
  console.log(`RESULT ${JSON.stringify(stats)}`);
} finally {
  await browser.close();
  site.server.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
