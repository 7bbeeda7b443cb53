// What the end-to-end test files share: Chromium's arguments, a fresh browser profile per launch,
// the page's errors collected, typing a line into the terminal.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

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
