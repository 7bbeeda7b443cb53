// The page's dial-up networking, end to end in headless Chromium (playwright-core, Debian's
// chromium): the directory's Demo dial-up server is dialled (a simulated V.22bis call at 2400 bit/s
// with V.42 and V.42bis, inside the page, in real time), the login script and PPP run, and each URL
// is fetched in turn from the Network panel. Measured: the time from CONNECT to an IP address, and
// each fetch's octets a second, as the page's log reports them, against the line's 240 characters a
// second. Needs www/pkg built (./build.sh serve or test builds it).
//
//   node bench/page-fetch.mjs [URL ...]     (default: the demo's /readme.txt and /words.txt)
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { serve } from '../e2e/server.mjs';
import { launcher } from '../e2e/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const urls = process.argv.slice(2).length ? process.argv.slice(2) : ['http://www.demo.net/readme.txt', 'http://www.demo.net/words.txt'];
const LINE_CPS = 240;
const site = await serve(path.resolve(here, '..', 'www'));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'softmodem-page-fetch-'));
const browser = await launcher(tmp)([], { acceptDownloads: true });
const logText = (page) => page.textContent('#log');
try {
  const page = browser.pages()[0] || await browser.newPage();
  await page.goto(site.url);
  await page.click('button[aria-label="Dial Demo dial-up server"]');
  await page.waitForFunction(() => (document.querySelector('#log')?.textContent ?? '').includes('Connected 2400'), null, { timeout: 60000 });
  const connected = performance.now();
  await page.waitForFunction(() => (document.querySelector('#ppp-state')?.textContent ?? '').includes('10.0.0.2'), null, { timeout: 90000 });
  console.log(`CONNECT to an IP address (login script, LCP, IPCP): ${((performance.now() - connected) / 1000).toFixed(1)} s`);
  const log = await logText(page);
  const link = log.match(/V\.42: LAPM up[^\n]*?(?=\d\d:\d\d:\d\d|$)/);
  if (link) console.log(link[0].trim());
  for (const url of urls) {
    const seen = (await logText(page)).split('Web: HTTP').length;
    await page.fill('#fetch-url', url);
    await page.press('#fetch-url', 'Enter');
    await page.waitForFunction((n) => {
      const t = document.querySelector('#log')?.textContent ?? '';
      return t.split('Web: HTTP').length > n || /Web: GET .* failed/.test(t);
    }, seen, { timeout: 900000 });
    const m = (await logText(page)).match(/Web: (HTTP\/1\.\d \d+[^(]*)\((\d+) octets in ([\d.]+) s\)(?![\s\S]*Web: HTTP)/);
    if (!m) throw new Error(`${url}: ${(await logText(page)).match(/Web: GET .* failed[^\n]*/)?.[0] ?? 'no answer'}`);
    const [octets, secs] = [Number(m[2]), Number(m[3])];
    const rate = octets / secs;
    console.log(`${url}: ${octets} octets in ${secs.toFixed(1)} s = ${rate.toFixed(0)} octets/s (${(100 * rate / LINE_CPS).toFixed(0)} % of ${LINE_CPS} cps)`);
  }
} finally {
  await browser.close();
  site.server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
