// The allocation probe (alloc-probe.js) from the tests' side: installs it in a page, resets and
// reads its counts, and runs the scenario the README's figures come from (a demo call).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const probeSource = fs.readFileSync(path.join(here, 'alloc-probe.js'), 'utf8');

// Before the page's scripts run: every AudioWorklet gets the probe module before the page's own,
// and every AudioWorkletNode is remembered (window.__probeNodes) so the test can ask it.
function pageSide(source) {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const addModule = AudioWorklet.prototype.addModule;
  const probed = new WeakSet();
  AudioWorklet.prototype.addModule = async function (moduleUrl, options) {
    if (!probed.has(this)) { probed.add(this); await addModule.call(this, url); }
    return addModule.call(this, moduleUrl, options);
  };
  window.__probeNodes = [];
  const Node = window.AudioWorkletNode;
  window.AudioWorkletNode = class extends Node {
    constructor(...args) {
      super(...args);
      window.__probeNodes.push(this);
    }
  };
}

/** Installs the probe in `page` (call before page.goto). */
export async function installProbe(page) {
  await page.addInitScript(pageSide, probeSource);
}

/** Sends the newest node's probe `msg` and returns its answer (none for a reset). */
async function ask(page, msg) {
  return page.evaluate((m) => {
    const node = window.__probeNodes[window.__probeNodes.length - 1];
    if (!node) throw new Error('no AudioWorkletNode yet');
    if (m.reset) { node.port.postMessage(m); return null; }
    return new Promise((resolve) => {
      const h = (e) => {
        if (e.data && e.data.type === '__probe') { node.port.removeEventListener('message', h); resolve(e.data.stats); }
      };
      node.port.addEventListener('message', h);
      node.port.postMessage(m);
    });
  }, msg);
}

/** Zeroes the probe's counts. */
export const resetProbe = (page) => ask(page, { type: '__probe', reset: true });

/** The probe's counts since the last reset. */
export const readProbe = (page) => ask(page, { type: '__probe' });

/** The counts as a line for a person. */
export function describe(s) {
  const per = (a, n) => (n ? (a / n).toFixed(2) : '-');
  return `${s.quanta} render quanta: ${per(s.allocations, s.quanta)} allocations per quantum on average `
    + `(${s.glueAllocCalls} glue allocation calls, ${s.typedArrays} typed arrays), at most ${s.maxPerQuantum} in one; `
    + `${s.quiet} quiet quanta (nothing posted, memory unchanged): ${per(s.quietAllocations, s.quiet)} each, ${s.quietAllocating} allocating; `
    + `${s.posting} posting: ${per(s.postingAllocations, s.posting)} each; `
    + `${s.growing} growing the memory: ${s.growingAllocations} in all`;
}

/**
 * The demo call in `page` (already at the page's URL, probe installed): AT, then the probe's counts
 * from ATDT5551234 through CONNECT 2400 and the BBS's greeting to `holdMs` of the call after it.
 */
export async function demoCallCounts(page, holdMs = 5000) {
  await page.focus('#term');
  await page.keyboard.type('AT');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#term').textContent.includes('AT\nOK'), null, { timeout: 10000 });
  await page.waitForFunction(() => window.__probeNodes.length > 0, null, { timeout: 5000 });
  await resetProbe(page);
  await page.keyboard.type('ATDT5551234');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#term').textContent.includes('(V.22bis).'), null, { timeout: 40000 });
  await page.waitForTimeout(holdMs);
  return readProbe(page);
}
