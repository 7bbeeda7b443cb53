// End-to-end: file transfers with the demo BBS, in headless Chromium. The BBS (inside the page,
// behind a simulated V.22bis call with V.42) offers files and takes uploads; the page's terminal
// spots ZMODEM's start by itself, saves the download, and sends a file picked for the upload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { setUp, collectErrors } from './harness.mjs';

const { url, launch, tmp } = setUp('transfer');

const hex = (n) => n.toString(16).toUpperCase().padStart(8, '0');

async function waitTerm(page, re, timeout) {
  await page.waitForFunction((src) => new RegExp(src).test(document.querySelector('#term').textContent), re.source, { timeout });
}

/**
 * Dials the demo BBS and opens its Files page, which lists each file with its size and CRC-32 (a
 * download must match them); returns readme.txt's.
 */
async function openFiles(page) {
  await page.click('#directory-list li:first-child button:text("Dial")');
  await page.waitForFunction(() => document.querySelector('#log').textContent.includes('Connected 2400'), null, { timeout: 30000 });
  await waitTerm(page, /Your choice:/, 15000);
  await page.focus('#term');
  await page.keyboard.press('f');
  await waitTerm(page, /readme\.txt\s+\d+/, 15000);
  const listed = await page.evaluate(() => {
    const m = document.querySelector('#term').textContent.match(/readme\.txt\s+(\d+)[^\n]*?([0-9A-F]{8})/);
    return m ? { size: Number(m[1]), crc: m[2] } : null;
  });
  assert.ok(listed, 'the Files page lists readme.txt with its size and CRC-32');
  return listed;
}

test('demo BBS: a ZMODEM download starts by itself and saves the file; an upload from the file picker arrives whole', async () => {
  const browser = await launch([], { acceptDownloads: true });
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(url());
    const listed = await openFiles(page);

    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 90000 }), page.keyboard.press('1')]);
    assert.equal(download.suggestedFilename(), 'readme.txt');
    const got = fs.readFileSync(await download.path());
    assert.equal(got.length, listed.size);
    assert.equal(hex(zlib.crc32(got)), listed.crc);
    await page.waitForFunction(() => /ZMODEM done/.test(document.querySelector('#transfer-state').textContent), null, { timeout: 15000 });
    assert.match(await page.textContent('#log'), /ZMODEM download started by the far end/);
    await waitTerm(page, /Sent readme\.txt \(\d+ octets\) with ZMODEM/, 20000);

    // Upload: the BBS's receiver announces itself (ZRINIT); the page asks for files.
    const upload = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + (i >> 3)) & 0xff));
    await page.keyboard.press('u');
    await page.waitForFunction(() => document.querySelector('#transfer').dataset.state === 'waiting', null, { timeout: 20000 });
    await page.setInputFiles('#transfer-files', { name: 'hello.bin', mimeType: 'application/octet-stream', buffer: upload });
    await waitTerm(page, /Received hello\.bin: \d+ octets, CRC-32 [0-9A-F]{8}/, 90000);
    const report = await page.evaluate(() => document.querySelector('#term').textContent.match(/Received hello\.bin: (\d+) octets, CRC-32 ([0-9A-F]{8})/).slice(1));
    assert.deepEqual(report, [String(upload.length), hex(zlib.crc32(upload))]);
    await page.waitForFunction(() => document.querySelector('#transfer-title').textContent.includes('upload: complete'), null, { timeout: 15000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a download folder: chosen once and kept, ZMODEM downloads are written there (a second copy as "readme (1).txt"), not downloaded', async () => {
  const browser = await launch([], { acceptDownloads: true });
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    // The folder picker is a stand-in (Playwright cannot answer the browser's own dialog): it gives
    // a folder in the origin's private file system, a real FileSystemDirectoryHandle.
    await page.addInitScript(() => {
      /** @type {any} */ (window).showDirectoryPicker = async () => (await navigator.storage.getDirectory()).getDirectoryHandle('Downloads', { create: true });
    });
    await page.goto(url());
    let downloads = 0;
    page.on('download', () => { downloads += 1; });
    assert.equal(await page.textContent('#transfer-folder'), 'Save to folder…');
    await page.click('#transfer-folder');
    await page.waitForFunction(() => document.querySelector('#transfer-folder').textContent === 'Folder: Downloads', null, { timeout: 5000 });
    assert.match(await page.textContent('#log'), /Received files go to the folder Downloads\./);

    const listed = await openFiles(page);
    const starts = () => page.evaluate(() => document.querySelector('#log').textContent.split('ZMODEM download started').length - 1);
    for (const [n, name] of [[1, 'readme.txt'], [2, 'readme (1).txt']]) {
      // The BBS drops keys while the line settles after a transfer: press again, as a person would.
      for (let tries = 0; await starts() < n; tries++) {
        assert.ok(tries < 10, 'the BBS starts the download');
        await page.keyboard.press('1');
        await page.waitForFunction((c) => document.querySelector('#log').textContent.split('ZMODEM download started').length - 1 >= c, n, { timeout: 3000 }).catch(() => {});
      }
      await page.waitForFunction(([want]) => document.querySelector('#log').textContent.includes(want),
        [`Received readme.txt (${listed.size} octets): saved in Downloads as ${name}.`], { timeout: 90000 });
    }
    const saved = await page.evaluate(async () => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('Downloads');
      const out = {};
      for await (const [name, handle] of dir.entries()) out[name] = Array.from(new Uint8Array(await (await handle.getFile()).arrayBuffer()));
      return out;
    });
    assert.deepEqual(Object.keys(saved).sort(), ['readme (1).txt', 'readme.txt']);
    for (const bytes of Object.values(saved)) {
      const got = Buffer.from(bytes);
      assert.equal(got.length, listed.size);
      assert.equal(hex(zlib.crc32(got)), listed.crc);
    }
    assert.equal(downloads, 0, 'nothing went as a browser download');
    // The folder is kept for the next visit.
    await page.click('#hangup');
    await page.reload();
    await page.waitForFunction(() => document.querySelector('#transfer-folder').textContent === 'Folder: Downloads', null, { timeout: 5000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
