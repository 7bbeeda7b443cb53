// End-to-end: dial-up networking in the page, in headless Chromium. The directory's Demo dial-up
// server (inside the page, behind a simulated V.22bis call with V.42) takes the login script, then
// PPP comes up; a telnet session to the demo BBS shows in the terminal and takes keys, a web fetch
// shows the demo network's front page, and Hang up closes PPP before the modem hangs up. Over
// the telnet session a ZMODEM download starts by itself and an upload goes, as over the modem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { setUp, collectErrors, waitText } from './harness.mjs';

const { url, launch } = setUp('dialup');
const hex = (n) => n.toString(16).toUpperCase().padStart(8, '0');

test('demo dial-up server: the script logs in, PPP comes up, telnet to the BBS with ZMODEM both ways, web fetches of a page and a file, a clean hang-up', async () => {
  const browser = await launch([], { acceptDownloads: true });
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(url());
    // The directory's entry is marked PPP, and the Network panel waits for a link.
    assert.match(await page.textContent('#directory-list li:nth-child(2)'), /Demo dial-up server\s*5552000 PPP/);
    assert.equal(await page.isDisabled('#fetch-get'), true);
    await page.click('button[aria-label="Dial Demo dial-up server"]');
    await waitText(page, '#term', 'AT+MS=V22B,1;D5552000', 10000);
    await waitText(page, '#log', 'Connected 2400', 30000);
    // The login conversation shows in the terminal; PPP's progress in the log and the status bar.
    await waitText(page, '#ppp-state', '10.0.0.2', 60000);
    await waitText(page, '#term', 'login: guest', 1000);
    assert.equal(await page.textContent('#ppp-dns'), '10.0.0.1');
    assert.equal(await page.textContent('#net-local'), '10.0.0.2 (peer 10.0.0.1)');
    const log = await page.textContent('#log');
    for (const want of ['Dial-up networking: calling Demo dial-up server', 'chat: ', 'PPP: LCP up', 'PPP: IP up: local 10.0.0.2']) {
      assert.ok(log.includes(want), `the log has "${want}"`);
    }
    assert.ok(!log.includes('"demo"'), 'the password is not logged');
    assert.equal(await page.textContent('#phase'), 'online');

    // Telnet from the keyboard: the BBS's welcome in the terminal, and keys go to it.
    await page.fill('#telnet-host', 'bbs.demo.net');
    await page.press('#telnet-host', 'Enter');
    await waitText(page, '#term', 'Welcome to the softmodem demo BBS.', 60000);
    assert.equal(await page.textContent('#term-owner'), 'Telnet: bbs.demo.net:23');
    await waitText(page, '#telnet-state', 'open: bbs.demo.net:23', 5000);
    await waitText(page, '#term', 'Your choice:', 60000);
    await page.focus('#term');

    // ZMODEM over the telnet session: the BBS's download starts by itself and arrives whole.
    await page.keyboard.press('f');
    await page.waitForFunction(() => /readme\.txt\s+\d+[^\n]*?[0-9A-F]{8}/.test(document.querySelector('#term').textContent), null, { timeout: 30000 });
    const filesPage = await page.textContent('#term');
    const m = /readme\.txt\s+(\d+)[^\n]*?([0-9A-F]{8})/.exec(filesPage);
    const listed = m ? { size: Number(m[1]), crc: m[2] } : null;
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 90000 }), page.keyboard.press('1')]);
    assert.equal(download.suggestedFilename(), 'readme.txt');
    const got = fs.readFileSync(await download.path());
    assert.equal(got.length, listed.size);
    assert.equal(hex(zlib.crc32(got)), listed.crc);
    await waitText(page, '#log', 'ZMODEM download started by the far end', 1000);
    await page.waitForFunction(() => /ZMODEM done/.test(document.querySelector('#transfer-state').textContent), null, { timeout: 15000 });
    // The BBS drops what comes while it lets the line settle after a transfer: wait for its result.
    await waitText(page, '#term', `Sent readme.txt (${listed.size} octets) with ZMODEM`, 30000);
    // And an upload into the BBS's receiver, every octet value in it (0xFF is telnet's IAC).
    const upload = Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 7919 + (i >> 3)) & 0xff));
    await page.keyboard.press('u');
    await page.waitForFunction(() => document.querySelector('#transfer').dataset.state === 'waiting', null, { timeout: 30000 });
    await page.setInputFiles('#transfer-files', { name: 'up.bin', mimeType: 'application/octet-stream', buffer: upload });
    await page.waitForFunction(() => /Received up\.bin: \d+ octets, CRC-32 [0-9A-F]{8}/.test(document.querySelector('#term').textContent), null, { timeout: 90000 });
    const report = await page.evaluate(() => document.querySelector('#term').textContent.match(/Received up\.bin: (\d+) octets, CRC-32 ([0-9A-F]{8})/).slice(1));
    assert.deepEqual(report, [String(upload.length), hex(zlib.crc32(upload))]);
    // Back to the menu, and on to its chat.
    await page.keyboard.press('q');
    await page.keyboard.press('c');
    await waitText(page, '#term', 'the BBS hangs up.', 60000);
    // "bye" in the chat: the BBS hangs up, the telnet session closes, and files cannot go over
    // PPP itself: the page says so.
    await page.keyboard.type('bye');
    await page.keyboard.press('Enter');
    await waitText(page, '#term', '*** Telnet: connection closed ***', 60000);
    await page.click('#transfer-receive');
    await waitText(page, '#log', 'files go over a telnet session', 5000);

    // A web fetch: the status line, the headers and the page's text in the panel.
    await page.fill('#fetch-url', 'http://www.demo.net/');
    await page.press('#fetch-url', 'Enter');
    await waitText(page, '#fetch-body', 'Welcome to the softmodem demo network', 90000);
    assert.equal(await page.textContent('#fetch-status'), 'HTTP/1.0 200 OK');
    assert.match(await page.textContent('#fetch-headers'), /Content-Type: text\/html/);
    await waitText(page, '#log', 'Web: HTTP/1.0 200 OK', 1000);
    await waitText(page, '#net-rtt', ' ms', 30000);
    // A body that is not text is saved as a file, whole.
    await page.fill('#fetch-url', 'http://www.demo.net/bbsnews.ans');
    const [saved] = await Promise.all([page.waitForEvent('download', { timeout: 90000 }), page.press('#fetch-url', 'Enter')]);
    assert.equal(saved.suggestedFilename(), 'bbsnews.ans');
    const news = fs.readFileSync(await saved.path());
    const newsListed = /bbsnews\.ans\s+(\d+)[^\n]*?([0-9A-F]{8})/.exec(filesPage);
    assert.ok(newsListed, 'the BBS listed bbsnews.ans');
    assert.equal(news.length, Number(newsListed[1]));
    assert.equal(hex(zlib.crc32(news)), newsListed[2]);
    await waitText(page, '#fetch-body', `binary: ${news.length} B, saved as a download`, 5000);
    await waitText(page, '#log', 'Fetch: bbsnews.ans', 5000);

    // Hang up: PPP closes (LCP Terminate), then the modem hangs up.
    await page.click('#net-hangup');
    await waitText(page, '#log', 'PPP ended (hung up)', 20000);
    await page.waitForFunction(() => document.querySelector('#call-state').textContent === 'idle'
      && document.querySelector('#phase').textContent === 'on hook, command mode', null, { timeout: 20000 });
    await waitText(page, '#net-summary', 'ended (hung up)', 5000);
    assert.equal(await page.isHidden('#term-owner'), true);
    assert.equal(await page.evaluate(() => window.softmodem.network.active), false);
    // The terminal is the modem's again.
    await page.focus('#term');
    await page.keyboard.type('AT');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /AT\s*\nOK\s*$/.test(document.querySelector('#term').textContent), null, { timeout: 10000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
