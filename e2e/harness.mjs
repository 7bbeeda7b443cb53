// What the end-to-end test files share: the page served for the tests, Chromium's arguments, a
// fresh browser profile per launch, the page's errors collected, typing a line into the terminal.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';

/** The repository's root and the page's directory. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const www = path.join(root, 'www');

const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

/** Arguments every test's Chromium gets (see ../shared/notes/toolchain.md). */
export const BASE_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required',
];

/** A `launch(extraArgs, options)` that starts headless Chromium with a fresh profile under `tmp`. */
export function launcher(tmp) {
  return (extraArgs = [], options = {}) => chromium.launchPersistentContext(fs.mkdtempSync(path.join(tmp, 'profile-')), {
    executablePath: chromiumPath,
    headless: true,
    args: [...BASE_ARGS, ...extraArgs],
    ...options,
  });
}

/**
 * A test file's set-up: the page served from www/ before its tests (the WASM build must be there),
 * a temporary directory for browser profiles and files, both gone after the tests.
 * `name` names the directory; `defaults` are launch options every launch gets.
 * @returns {{ url: () => string, tmp: string, launch: (extraArgs?: string[], options?: object) => Promise<import('playwright-core').BrowserContext> }}
 */
export function setUp(name, defaults = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `softmodem-e2e-${name}-`));
  let site;
  before(async () => {
    assert.ok(fs.existsSync(path.join(www, 'pkg', 'softmodem_bg.wasm')), 'www/pkg is missing: run ./build.sh build first');
    site = await serve(www);
  });
  after(() => {
    site?.server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  const launch = launcher(tmp);
  return { url: () => site.url, tmp, launch: (extraArgs = [], options = {}) => launch(extraArgs, { ...defaults, ...options }) };
}

/** Waits until the element `selector` holds the text `want`. */
export async function waitText(page, selector, want, timeout) {
  await page.waitForFunction(([q, w]) => (document.querySelector(q)?.textContent ?? '').includes(w), [selector, want], { timeout });
}

/** The page's errors and console errors, as they come. */
export function collectErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return errors;
}

/** Types a line into the page's terminal as a person would, Enter included. */
export async function typeLine(page, text) {
  await page.focus('#term');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}
