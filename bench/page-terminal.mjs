// Does the page's terminal keep up with a serial link's 115 200 bit/s of ANSI (11 520 bytes a
// second, far above any modem), without dropping frames? In headless Chromium (playwright-core,
// Debian's chromium): the page is opened, and for 10 s ANSI art is written to its terminal every
// 10 ms (115 bytes each), as the worklet's messages would bring it. Measured: the animation
// frames' intervals (a frame is dropped when an interval exceeds 1.5 of the display's period), the
// time spent in the terminal's render per frame, and the bytes taken. Needs www/pkg built
// (./build.sh serve or test builds it).
//
//   node bench/page-terminal.mjs [--seconds 10] [--bps 115200]
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from '../e2e/node_modules/playwright-core/index.mjs';
import { serve } from '../e2e/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
};
const seconds = option('seconds', 10);
const bps = option('bps', 115200);
const site = await serve(path.resolve(here, '..', 'www'));
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'softmodem-page-bench-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
try {
  const page = browser.pages()[0] || await browser.newPage();
  await page.goto(site.url);
  await page.waitForFunction(() => window.softmodem.term.screen !== null, null, { timeout: 10000 });
  const r = await page.evaluate(async ([seconds, bps]) => {
    const term = window.softmodem.term;
    // ANSI art: colours, cursor moves, blocks and words (as src/sim/terminal_bench.rs makes it).
    let seed = 1;
    const rnd = (n) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
    const art = [];
    while (art.length < 1 << 20) {
      const k = rnd(20);
      const push = (s) => { for (const c of s) art.push(c.charCodeAt(0)); };
      if (k === 0) push(`\x1b[${1 + rnd(25)};${1 + rnd(80)}H`);
      else if (k <= 4) push(`\x1b[${rnd(2)};${30 + rnd(8)};${40 + rnd(8)}m`);
      else if (k === 5) push('\r\n');
      else if (k <= 12) for (let i = 0; i <= rnd(12); i++) art.push([0xb0, 0xb1, 0xb2, 0xdb, 0xdc, 0xdf][rnd(6)]);
      else { for (let i = 0; i <= rnd(10); i++) art.push(97 + rnd(26)); art.push(32); }
    }
    const bytes = Uint8Array.from(art);
    const render = term.render.bind(term);
    const renders = [];
    term.render = () => { const t = performance.now(); render(); renders.push(performance.now() - t); };
    const frames = [];
    let last = performance.now();
    let running = true;
    const tick = (t) => { frames.push(t - last); last = t; if (running) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const perTick = Math.round(bps / 10 / 100);
    let at = 0;
    const start = performance.now();
    await new Promise((done) => {
      const timer = setInterval(() => {
        term.write(bytes.subarray(at % bytes.length, (at % bytes.length) + perTick));
        at += perTick;
        if (performance.now() - start >= seconds * 1000) { clearInterval(timer); done(); }
      }, 10);
    });
    running = false;
    const elapsed = (performance.now() - start) / 1000;
    frames.shift();
    const sorted = [...frames].sort((a, b) => a - b);
    const period = sorted[Math.floor(sorted.length / 2)];
    const dropped = frames.filter((f) => f > 1.5 * period).length;
    const rs = [...renders].sort((a, b) => a - b);
    return { bytes: at, elapsed, frames: frames.length, period, dropped, renderMedian: rs[Math.floor(rs.length / 2)], renderMax: rs[rs.length - 1] };
  }, [seconds, bps]);
  const rate = (r.bytes * 10) / r.elapsed;
  console.log(`${(r.bytes / 1024).toFixed(0)} KiB of ANSI in ${r.elapsed.toFixed(1)} s (${Math.round(rate)} bit/s at 10 bits a byte); `
    + `${r.frames} frames at ${r.period.toFixed(1)} ms, ${r.dropped} dropped (longer than 1.5 periods); `
    + `terminal render per frame: median ${r.renderMedian.toFixed(2)} ms, longest ${r.renderMax.toFixed(2)} ms`);
  console.log(`RESULT page_terminal_bps=${Math.round(rate)} page_terminal_frames=${r.frames} page_terminal_dropped=${r.dropped} page_terminal_render_median_ms=${r.renderMedian.toFixed(3)} page_terminal_render_max_ms=${r.renderMax.toFixed(3)}`);
} finally {
  await browser.close();
  site.server.close();
}
