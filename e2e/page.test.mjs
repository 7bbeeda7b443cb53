// End-to-end tests of the page in Debian's Chromium (headless), driven by playwright-core.
// Run by `./build.sh test` after the WASM build (www/pkg) and the native CLI exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { installProbe, demoCallCounts, describe } from './probe.mjs';
import { setUp, collectErrors, typeLine, root } from './harness.mjs';

const cli = process.env.SOFTMODEM_BIN || path.join(root, 'target', 'debug', 'softmodem');
const { url, launch, tmp } = setUp('page');

const termText = () => document.querySelector('#term').textContent;

// Waits until the terminal shows `want` (a string) after what it showed when `from` was taken (the
// text's length then). The text is the scrollback's lines and the screen's rows: it grows as lines
// come, but a screen cleared by the far end (the BBS's ANSI screens) can make it shorter than the
// mark, and then all of it is new.
async function waitTerm(page, want, timeout, from = 0) {
  await page.waitForFunction(([w, f]) => {
    const text = document.querySelector('#term').textContent;
    return (text.length < f ? text : text.slice(f)).includes(w);
  }, [want, from], { timeout });
}

// Waits for the modem's CONNECT at `rate`. In the log, which keeps it: on the screen the BBS's
// first bytes (a screen clear) may arrive with the result code and wipe it in the same frame, as
// on any ANSI terminal.
async function waitConnect(page, rate, timeout) {
  await page.waitForFunction((r) => document.querySelector('#log').textContent.includes(`Connected ${r}`), rate, { timeout });
}

async function termLength(page) {
  return page.evaluate(() => document.querySelector('#term').textContent.length);
}

async function commandsSent(page) {
  return page.evaluate(() => window.__fakeSerial.phone.commands.slice());
}

test('demo: AT gives OK, ATDT5551234 reaches the BBS, typing echoes, +++ and ATH hang up', async () => {
  const browser = await launch();
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(url());
    assert.equal(await page.isChecked('#link-demo'), true, 'the demo is the default');
    await typeLine(page, 'AT');
    await waitTerm(page, 'AT\nOK', 10000);
    let mark = await termLength(page);
    await typeLine(page, 'ATDT5551234');
    await page.waitForFunction(() => document.querySelector('#phone-state').textContent.includes('ringing at the far end'), null, { timeout: 10000 });
    await waitConnect(page, 2400, 30000);
    // The BBS clears the screen and draws its welcome from the top: with V.42bis the whole screen
    // may be drawn before the first look, so the whole screen is searched, not what follows `mark`.
    await waitTerm(page, 'Welcome to the softmodem demo BBS.', 10000);
    await waitTerm(page, 'You are connected at 2400 bit/s (V.22bis).', 10000);
    await page.waitForFunction(() => /SNR \d+\.\d dB/.test(document.querySelector('#level-meter').textContent), null, { timeout: 5000 });
    assert.equal(await page.textContent('#phase'), 'online');
    assert.equal(await page.textContent('#modem-state'), 'V.22bis 2400 bit/s');
    assert.equal(await page.$eval('#carrier', (e) => e.classList.contains('on')), true);
    // The constellation plot shows the receiver's points: some pixels lit in the dots' colour.
    assert.equal(await page.isVisible('#constellation'), true);
    const lit = await page.$eval('#constellation', (c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] === 0x4f && d[i + 1] === 0xb3 && d[i + 2] === 0xff) n++;
      return n;
    });
    assert.ok(lit >= 16, `constellation: ${lit} lit pixels`);
    // The BBS's menu: C for the chat, which echoes what is typed.
    mark = await termLength(page);
    await page.focus('#term');
    await page.keyboard.type('c');
    await waitTerm(page, 'the BBS hangs up.', 15000, mark);
    mark = await termLength(page);
    await typeLine(page, 'hello modem');
    await waitTerm(page, 'hello modem', 10000, mark);
    // Escape: a second of nothing, +++, a second of nothing: OK, still online.
    await page.waitForTimeout(1200);
    mark = await termLength(page);
    await page.keyboard.type('+++');
    await waitTerm(page, 'OK', 5000, mark);
    await page.waitForFunction(() => document.querySelector('#phase').textContent === 'online, command mode', null, { timeout: 1000 });
    mark = await termLength(page);
    await typeLine(page, 'ATH');
    await waitTerm(page, 'ATH\nOK', 5000, mark);
    await page.waitForFunction(() => document.querySelector('#phase').textContent === 'on hook, command mode', null, { timeout: 5000 });
    await page.waitForFunction(() => document.querySelector('#phone-state').textContent === 'simulated, ready', null, { timeout: 5000 });
    assert.ok((await page.textContent('#log')).includes('Phone: call active'));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('demo: the Modulation list and the Dial button make a 300 bit/s call; the busy number is busy; the mobile choice connects at 1200', async () => {
  const browser = await launch();
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(url());
    await page.selectOption('#modulation', 'B103,0');
    await waitTerm(page, 'AT+MS=B103,0\nOK', 10000);
    let mark = await termLength(page);
    assert.equal(await page.inputValue('#number'), '5551234');
    await page.click('#dial');
    await waitConnect(page, 300, 30000);
    await waitTerm(page, 'Welcome to the softmodem demo BBS.', 10000, mark);
    await page.waitForFunction(() => document.querySelector('#modem-state').textContent === 'Bell 103 300 bit/s', null, { timeout: 1000 });
    mark = await termLength(page);
    await page.click('#hangup');
    await waitTerm(page, 'NO CARRIER', 5000, mark);
    await page.waitForFunction(() => document.querySelector('#phase').textContent === 'on hook, command mode', null, { timeout: 5000 });
    await page.fill('#number', '5550000');
    mark = await termLength(page);
    await page.press('#number', 'Enter');
    await waitTerm(page, 'BUSY', 10000, mark);
    // The mobile-call choice caps automode at 1200 bit/s: the demo BBS (which offers V.22bis)
    // is met with V.22.
    await page.selectOption('#modulation', 'V22B,1,0,1200');
    await waitTerm(page, 'AT+MS=V22B,1,0,1200\nOK', 10000, mark);
    await page.fill('#number', '5551234');
    mark = await termLength(page);
    await page.click('#dial');
    await waitConnect(page, 1200, 30000);
    await page.waitForFunction(() => /^V\.22 1200 bit\/s$/.test(document.querySelector('#modem-state').textContent), null, { timeout: 2000 });
    mark = await termLength(page);
    await page.click('#hangup');
    await waitTerm(page, 'NO CARRIER', 5000, mark);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

// A WAV of a far modem sending its banner on V.21 channel 2 (the answering channel), for a fake
// microphone: the far end of a call as the page would hear it through the phone.
function bannerWav(banner) {
  const txt = path.join(tmp, 'banner.txt');
  const wav = path.join(tmp, 'banner.wav');
  if (!fs.existsSync(wav)) {
    fs.writeFileSync(txt, banner.repeat(3));
    execFileSync(cli, ['encode', '--mode', 'v21-ch2', txt, wav]);
  }
  return wav;
}

const BANNER = 'Welcome to the e2e BBS! Fake microphone, V.21 channel 2, 300 bit/s.\r\n';

test('Web Serial (a simulated phone): ATDT sends the phone ATD<n>;, the modem connects on the call, ATH sends AT+CHUP', async () => {
  const wav = bannerWav(BANNER);
  const browser = await launch([
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${wav}`,
  ]);
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    // The phone is a simulator in the page (e2e/fake-serial.js), not a real phone.
    await page.addInitScript({ path: path.join(root, 'e2e', 'fake-serial.js') });
    await page.goto(url());
    await page.check('#link-serial');
    await page.waitForFunction(() => window.softmodem.running && window.softmodem.link === 'serial', null, { timeout: 10000 });
    assert.equal(await page.isVisible('#connect-phone'), true);
    assert.equal(await page.inputValue('#baud'), '115200');
    await page.click('#connect-phone');
    await page.waitForFunction(() => document.querySelector('#phone-state').textContent === 'ready', null, { timeout: 10000 });
    assert.deepEqual(await page.evaluate(() => window.__fakeSerial.phone.opens.map((o) => o.baudRate)), [115200]);
    assert.ok((await commandsSent(page)).includes('ATE0V1'), 'the phone was set up');
    assert.match(await page.textContent('#port-status'), /Connected: USB device 1e0e:9001, 115200 baud/);

    let mark = await termLength(page);
    await typeLine(page, 'ATDT5551234');
    await page.waitForFunction(() => window.__fakeSerial.phone.commands.includes('ATD5551234;'), null, { timeout: 5000 });
    await page.waitForFunction(() => document.querySelector('#phone-state').textContent === 'call up', null, { timeout: 10000 });
    assert.ok((await commandsSent(page)).includes('AT+CLCC'), 'the call was followed by +CLCC polls');
    // The call is up: the modem hears the far modem (the fake microphone) and connects.
    await waitTerm(page, 'CONNECT 300', 20000, mark);
    await waitTerm(page, 'Welcome to the e2e BBS!', 20000, mark);
    await page.waitForTimeout(1200);
    mark = await termLength(page);
    await page.keyboard.type('+++');
    await waitTerm(page, 'OK', 5000, mark);
    mark = await termLength(page);
    await typeLine(page, 'ATH');
    await waitTerm(page, 'OK', 5000, mark);
    await page.waitForFunction(() => window.__fakeSerial.phone.commands.includes('AT+CHUP'), null, { timeout: 5000 });
    await page.waitForFunction(() => document.querySelector('#phone-state').textContent === 'ready', null, { timeout: 5000 });

    // A framing error does not close the port: the page reads on. A voice call placed and hung up
    // again proves the phone's answers still arrive.
    await page.evaluate(() => window.__fakeSerial.port.framingError());
    await page.waitForFunction(() => document.querySelector('#log').textContent.includes('FramingError'), null, { timeout: 5000 });
    mark = await termLength(page);
    await typeLine(page, 'ATD5551234;');
    await waitTerm(page, 'OK', 10000, mark);
    await page.waitForFunction(() => document.querySelector('#phase').textContent === 'off hook, command mode', null, { timeout: 1000 });
    const chups = (await commandsSent(page)).filter((c) => c === 'AT+CHUP').length;
    await page.click('#hangup');
    await page.waitForFunction((n) => window.__fakeSerial.phone.commands.filter((c) => c === 'AT+CHUP').length > n, chups, { timeout: 5000 });
    assert.equal(await page.evaluate(() => window.softmodem.portOpen), true);

    // Unplugged: the page says so and the modem forgets the phone.
    await page.evaluate(() => window.__fakeSerial.port.unplug());
    await page.waitForFunction(() => document.querySelector('#port-status').textContent.startsWith('Disconnected'), null, { timeout: 5000 });
    await page.waitForFunction(() => document.querySelector('#phone-state').textContent === 'no port (not set up)', null, { timeout: 5000 });
    assert.ok((await page.textContent('#log')).includes('Phone: unavailable (serial port closed)'));
    // The terminal is still the modem's command line.
    mark = await termLength(page);
    await typeLine(page, 'AT');
    await waitTerm(page, 'OK', 5000, mark);

    // Loaded again (the phone plugged back in): the granted port is opened without asking.
    await page.reload();
    await page.check('#link-serial');
    await page.waitForFunction(() => document.querySelector('#phone-state').textContent === 'ready', null, { timeout: 10000 });
    assert.equal(await page.evaluate(() => window.__fakeSerial.phone.opens.length), 1);
    assert.match(await page.textContent('#port-status'), /^Connected: /);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('manual: the Dial button starts the calling modem, Hang up stops it', async () => {
  // Chromium's own fake microphone (a beep): something to hear that is no modem.
  const browser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(url());
    await page.check('#link-manual');
    await page.waitForFunction(() => window.softmodem.running && window.softmodem.link === 'manual', null, { timeout: 10000 });
    assert.equal(await page.isVisible('#connect-phone'), false);
    assert.equal(await page.isVisible('#mic'), true);
    await page.click('#dial');
    await page.waitForFunction(() => document.querySelector('#modem-state').dataset.state === 'handshake', null, { timeout: 5000 });
    assert.match(await page.textContent('#modem-state'), /handshaking/);
    assert.equal(await page.textContent('#phase'), 'connecting');
    assert.equal(await page.textContent('#phone-state'), 'dialled by hand');
    await page.waitForFunction(() => document.querySelector('#log').textContent.includes('start-up as caller'), null, { timeout: 5000 });
    const mark = await termLength(page);
    await page.click('#hangup');
    await waitTerm(page, 'NO CARRIER', 5000, mark);
    await page.waitForFunction(() => document.querySelector('#modem-state').dataset.state === 'idle', null, { timeout: 5000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the worklet: a render quantum with nothing to tell the page allocates nothing (a demo call)', async (t) => {
  // The probe is a module from a blob: URL, which the page's Content-Security-Policy refuses (as it
  // should): this test alone runs with the policy off.
  const browser = await launch([], { bypassCSP: true });
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    // e2e/alloc-probe.js counts, per process() call, calls into the glue's allocation exports and
    // typed arrays made; quanta that post nothing to the page and do not grow the memory must make
    // none.
    await installProbe(page);
    await page.goto(url());
    const s = await demoCallCounts(page, 2000);
    t.diagnostic(describe(s));
    assert.ok(s.quiet > 1000, describe(s));
    assert.equal(s.quietAllocations, 0, describe(s));
    assert.ok(s.quiet > 0.9 * s.quanta, describe(s));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a failed start is shown as a failure: the log says why and the modem stays off', async () => {
  const browser = await launch();
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    // A link the modem does not know: its session cannot start in the worklet.
    await page.addInitScript(() => {
      const Node = window.AudioWorkletNode;
      window.AudioWorkletNode = class extends Node {
        constructor(ctx, name, options) {
          super(ctx, name, { ...options, processorOptions: { ...options.processorOptions, link: 'pigeon' } });
        }
      };
    });
    await page.goto(url());
    await typeLine(page, 'AT');
    await page.waitForFunction(() => document.querySelector('#log .error')?.textContent.includes('Could not start the modem'), null, { timeout: 10000 });
    assert.match(await page.textContent('#log .error'), /Could not start the modem: unknown phone link 'pigeon'/);
    assert.equal(await page.evaluate(() => window.softmodem.running), false);
    await page.waitForFunction(() => document.querySelector('#phase').textContent.startsWith('off'), null, { timeout: 5000 });
    assert.ok(!(await page.textContent('#log')).includes('Modem on'));
    assert.ok(!(await page.textContent('#term')).includes('AT\nOK'));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the Level field keeps to the transmit levels the modem accepts, from its bindings', async () => {
  const browser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(url());
    await page.check('#link-manual');
    await page.waitForFunction(() => document.querySelector('#level').min !== '', null, { timeout: 10000 });
    assert.deepEqual(await page.$eval('#level', (e) => [e.min, e.max, e.value]), ['-60', '0', '-13']);
    for (const [typed, kept] of [['-50', '-50'], ['-75', '-60'], ['3', '0'], ['', '-13']]) {
      await page.fill('#level', typed);
      await page.dispatchEvent('#level', 'change');
      await page.waitForFunction((v) => document.querySelector('#level').value === v, kept, { timeout: 5000 });
    }
    await page.waitForFunction(() => window.softmodem.running, null, { timeout: 10000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the ANSI terminal: colours on the canvas, the text mirror, only changed rows drawn, replies and keys', async () => {
  const browser = await launch();
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(url());
    await page.waitForFunction(() => window.softmodem.term.screen !== null, null, { timeout: 10000 });
    const r = await page.evaluate(async () => {
      const term = window.softmodem.term;
      const frame = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
      const bytes = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));
      let puts = 0;
      const put = term.ctx.putImageData.bind(term.ctx);
      term.ctx.putImageData = (...a) => { puts++; put(...a); };
      const replies = [];
      term.hooks.reply = (b) => replies.push(String.fromCharCode(...b));
      const pixel = (x, y) => Array.from(term.ctx.getImageData(x, y, 1, 1).data.slice(0, 3));
      const out = {};
      // Clear, bright yellow on blue, CP437 box corner; DOS wrap at column 80.
      term.write(bytes('\x1b[2J\x1b[1;33;44mHello\x1b[0m world \xc9\xcd\xbb\r\n' + '#'.repeat(80) + 'x'));
      await frame();
      out.bg = pixel(0, 0);
      out.fg = pixel(8 * 1 + 1, 16 * 0 + 6); // inside the 'e' of Hello: some row of it is lit
      out.lines = term.text().split('\n').slice(0, 3);
      // One character: one row drawn.
      puts = 0;
      term.write(bytes('!'));
      await frame();
      out.oneChar = puts;
      // iCE colours: blink selects a bright background (light red).
      term.write(bytes('\x1b[?33h\x1b[5;41m\x1b[10;1HX\x1b[0m'));
      await frame();
      out.ice = pixel(0, 16 * 9);
      // Replies the far end asks for.
      term.write(bytes('\x1b[6n\x1b[c'));
      await frame();
      out.replies = replies.slice();
      // Keys: SyncTERM's sequences, and DoorWay scan codes.
      const key = (k, o = {}) => Array.from(term.keyBytes(new KeyboardEvent('keydown', { key: k, ...o })) ?? []);
      out.keys = [key('ArrowUp'), key('F1'), key('a'), key('c', { ctrlKey: true }), key('Enter')];
      term.write(bytes('\x1b[=255h'));
      out.doorway = [key('F1'), key('ArrowUp')];
      // Scrolling: 40 lines push the first rows into the scrollback, kept in the mirror.
      term.write(bytes('\x1b[=255l\x1b[2J' + Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\r\n')));
      await frame();
      const lines = term.text().split('\n');
      out.scroll = { first: lines.find((l) => l.startsWith('line ')), last: lines[lines.length - 1], sb: term.screen.scrollback_len() };
      // Nothing from the line reaches the title, the clipboard or a link; the sequences' tails are
      // not printed.
      const title = document.title;
      term.write(bytes('\x1b[2J\x1b]0;evil title\x07\x1b]52;c;aGVsbG8=\x07\x1b]8;;http://example.com/\x1b\\link\x1b]8;;\x1b\\ <a href=x>'));
      await frame();
      out.safe = { title: document.title === title, links: document.querySelectorAll('#term a').length, last: term.text().split('\n').pop(), tails: /evil|aGVs|example/.test(term.text()) };
      // 80x50: the screen and its canvas grow.
      document.querySelector('#screen-size').value = '50';
      document.querySelector('#screen-size').dispatchEvent(new Event('change'));
      await frame();
      out.size = [term.screen.rows(), term.canvas.height];
      return out;
    });
    assert.deepEqual(r.bg, [0x00, 0x00, 0xaa], 'blue background');
    assert.deepEqual(r.lines, ['Hello world ╔═╗', '#'.repeat(80), 'x']);
    assert.equal(r.oneChar, 1, 'one character draws one row');
    assert.deepEqual(r.ice, [0xff, 0x55, 0x55]);
    assert.deepEqual(r.replies, ['\x1b[10;2R\x1b[=67;84;101;114;109;1;0c'], 'the cursor after the X, and CTerm\'s device attributes');
    assert.deepEqual(r.keys, [[0x1b, 0x5b, 0x41], [0x1b, 0x5b, 0x31, 0x31, 0x7e], [0x61], [0x03], [0x0d]]);
    assert.deepEqual(r.doorway, [[0x00, 0x3b], [0x00, 0x48]]);
    assert.equal(r.scroll.first, 'line 0');
    assert.equal(r.scroll.last, 'line 39');
    assert.ok(r.scroll.sb >= 15, `scrollback ${r.scroll.sb}`);
    assert.deepEqual(r.safe, { title: true, links: 0, last: 'link <a href=x>', tails: false });
    assert.deepEqual(r.size, [50, 800]);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the page\'s Content-Security-Policy refuses inline script and scripts from elsewhere', async () => {
  const browser = await launch();
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const violations = [];
    page.on('console', (m) => { if (m.type() === 'error') violations.push(m.text()); });
    await page.goto(url());
    const ran = await page.evaluate(async () => {
      const inline = document.createElement('script');
      inline.textContent = 'window.__inlineRan = true';
      document.head.append(inline);
      const blob = document.createElement('script');
      blob.src = URL.createObjectURL(new Blob(['window.__blobRan = true'], { type: 'text/javascript' }));
      const settled = new Promise((resolve) => { blob.onload = resolve; blob.onerror = resolve; });
      document.head.append(blob);
      await settled;
      return { inline: window.__inlineRan === true, blob: window.__blobRan === true };
    });
    assert.deepEqual(ran, { inline: false, blob: false });
    assert.ok(violations.some((v) => v.includes('Content Security Policy')), violations.join('\n'));
  } finally {
    await browser.close();
  }
});

test('the dialling directory: the demo BBS and the demo dial-up server first, dialled with a click; entries added, exported, imported and kept', async () => {
  const browser = await launch();
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(url());
    const names = () => page.$$eval('#directory-list .entry-name', (els) => els.map((e) => e.textContent));
    assert.deepEqual(await names(), ['softmodem demo BBS', 'Demo dial-up server']);
    // A new entry through the form; one with a bad number is refused with a reason.
    await page.click('#directory-add');
    await page.fill('#directory-form [name=name]', 'Bad');
    await page.fill('#directory-form [name=number]', '555<b>');
    await page.click('#directory-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#log').textContent.includes('characters a dial string cannot hold'), null, { timeout: 2000 });
    await page.fill('#directory-form [name=name]', 'Busy line <script>');
    await page.fill('#directory-form [name=number]', '555-0000');
    await page.selectOption('#directory-form [name=modulation]', 'V21,0');
    await page.click('#directory-form button[type=submit]');
    assert.deepEqual(await names(), ['softmodem demo BBS', 'Demo dial-up server', 'Busy line <script>']);
    assert.equal(await page.$$eval('#directory-list script', (s) => s.length), 0, 'names are text, not HTML');
    // Export: a JSON file with all three (the dial-up server's account and script too).
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#directory-export')]);
    const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    assert.deepEqual(exported.entries.map((e) => [e.name, e.number, e.modulation, e.network]),
      [['softmodem demo BBS', '5551234', 'V22B,1', 'terminal'], ['Demo dial-up server', '5552000', 'V22B,1', 'ppp'],
        ['Busy line <script>', '555-0000', 'V21,0', 'terminal']]);
    assert.deepEqual([exported.entries[1].user, exported.entries[1].script], ['guest', 'login: guest\nPassword: demo\n> ppp\n']);
    // Import replaces the list, and survives a reload (localStorage).
    const file = path.join(tmp, 'directory.json');
    fs.writeFileSync(file, JSON.stringify({ entries: [exported.entries[2], exported.entries[0]] }));
    await page.setInputFiles('#directory-import', file);
    await page.waitForFunction(() => document.querySelector('#directory-list .entry-name')?.textContent === 'Busy line <script>', null, { timeout: 2000 });
    fs.writeFileSync(file, '{"entries": [{"name": 5}]}');
    await page.setInputFiles('#directory-import', file);
    await page.waitForFunction(() => document.querySelector('#log').textContent.includes('could not import: entry 1'), null, { timeout: 2000 });
    await page.reload();
    assert.deepEqual(await names(), ['Busy line <script>', 'softmodem demo BBS']);
    // Dial the demo BBS with its button: the command is typed, and the BBS answers.
    await page.click('#directory-list li:nth-child(2) button:text("Dial")');
    await waitTerm(page, 'AT+MS=V22B,1;D5551234', 10000);
    await waitConnect(page, 2400, 30000);
    await waitTerm(page, 'Welcome to the softmodem demo BBS', 10000);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the demo BBS in colour: its welcome read from the text mirror, the menu, the art page, chat, and the line quality control', async () => {
  const browser = await launch();
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(url());
    await page.click('#directory-list li:first-child button:text("Dial")');
    await waitConnect(page, 2400, 30000);
    await waitTerm(page, 'Welcome to the softmodem demo BBS.', 15000);
    await waitTerm(page, 'Your choice:', 15000);
    // The welcome box is drawn in colour: yellow on blue somewhere on the canvas.
    const colours = await page.evaluate(() => {
      const ctx = window.softmodem.term.ctx;
      const d = ctx.getImageData(0, 0, ctx.canvas.width, ctx.canvas.height).data;
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return { blue: seen.has(0x0000aa), yellow: seen.has(0xffff55), count: seen.size };
    });
    assert.ok(colours.blue && colours.yellow && colours.count >= 4, JSON.stringify(colours));
    // The art page: iCE colours on, then any key back to the menu.
    await page.focus('#term');
    await page.keyboard.press('a');
    await page.waitForFunction(() => window.softmodem.term.screen.ice_colors(), null, { timeout: 30000 });
    await waitTerm(page, 'any key', 30000);
    await page.keyboard.press('x');
    await waitTerm(page, 'Your choice:', 15000);
    // Chat: the BBS echoes a line over the line.
    await page.keyboard.press('c');
    await waitTerm(page, 'Chat (echo)', 10000);
    let mark = await termLength(page);
    await typeLine(page, 'hello over the line');
    await waitTerm(page, 'hello over the line', 10000, mark);
    // Line quality: 6 dB SNR is too poor for 2400 bit/s: the modems fall back to 1200.
    await page.selectOption('#line-quality', '6');
    await page.waitForFunction(() => document.querySelector('#log').textContent.includes('Demo line: Bad (6 dB)'), null, { timeout: 2000 });
    await page.waitForFunction(() => document.querySelector('#modem-state').textContent.includes('1200 bit/s'), null, { timeout: 40000 });
    mark = await termLength(page);
    await typeLine(page, 'still here');
    await waitTerm(page, 'still here', 15000, mark);
    // A speech codec instead (G.729, voice over IP), for the next call: the modems find 2400 bit/s
    // too much for it and connect slower by themselves.
    await page.click('#hangup');
    await page.waitForFunction(() => document.querySelector('#phase').textContent === 'on hook, command mode', null, { timeout: 5000 });
    await page.selectOption('#line-quality', '30');
    await page.selectOption('#line-codec', 'g729');
    await page.waitForFunction(() => document.querySelector('#log').textContent.includes('G.729 (voice over IP)'), null, { timeout: 2000 });
    const connects = await page.evaluate(() => document.querySelector('#log').textContent.split('Connected').length);
    await page.click('#directory-list li:first-child button:text("Dial")');
    await page.waitForFunction((n) => document.querySelector('#log').textContent.split('Connected').length > n, connects, { timeout: 40000 });
    await page.waitForFunction(() => / bit\/s$/.test(document.querySelector('#modem-state').textContent), null, { timeout: 5000 });
    const state = await page.textContent('#modem-state');
    assert.ok(/ (1200|300) bit\/s/.test(state), `through G.729: ${state}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('capture: what arrives is saved as raw bytes and as text', async () => {
  const browser = await launch();
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(url());
    await page.waitForFunction(() => window.softmodem.term.screen !== null, null, { timeout: 10000 });
    await page.click('#capture');
    assert.equal(await page.textContent('#capture'), 'Save capture');
    const sent = '\x1b[2J\x1b[1;31mred \xdb\xdb\x1b[0m\r\n' + Array.from({ length: 30 }, (_, i) => `row ${i}`).join('\r\n');
    await page.evaluate((s) => window.softmodem.term.write(Uint8Array.from(s, (c) => c.charCodeAt(0))), sent);
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    const downloads = [];
    page.on('download', (d) => downloads.push(d));
    await page.click('#capture');
    await page.waitForFunction(() => document.querySelector('#capture').textContent === 'Capture');
    for (let i = 0; i < 50 && downloads.length < 2; i++) await page.waitForTimeout(100);
    const files = {};
    for (const d of downloads) files[path.extname(d.suggestedFilename())] = fs.readFileSync(await d.path());
    // The raw capture is exactly the bytes that arrived; the text has every line, scrolled off or not.
    assert.deepEqual([...files['.ans']], [...Buffer.from(sent, 'latin1')]);
    const text = files['.txt'].toString('utf8').split('\r\n');
    assert.equal(text[0], 'red ██');
    assert.equal(text[30], 'row 29');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('copy by selecting with the mouse; ANSI music only once switched on', async () => {
  const browser = await launch();
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(url());
    await page.waitForFunction(() => window.softmodem.term.screen !== null, null, { timeout: 10000 });
    await page.evaluate(() => {
      const t = window.softmodem.term;
      t.write(Uint8Array.from('\x1b[2J\x1b[3;5Hselect me please\r\nand me', (c) => c.charCodeAt(0)));
      // Count the oscillators the music makes.
      window.__oscillators = 0;
      const make = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function () { window.__oscillators++; return make.call(this); };
    });
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    // Drag from row 3, column 5 to row 4, column 3 (cells of the 80x25 canvas).
    await page.locator('#term canvas').scrollIntoViewIfNeeded();
    const box = await page.locator('#term canvas').boundingBox();
    const at = (col, row) => [box.x + (col + 0.5) * box.width / 80, box.y + (row + 0.5) * box.height / 25];
    await page.mouse.move(...at(4, 2));
    await page.mouse.down();
    await page.mouse.move(...at(10, 2), { steps: 3 });
    await page.mouse.move(...at(2, 3), { steps: 3 });
    await page.mouse.up();
    await page.waitForFunction(() => document.querySelector('#log').textContent.includes('Copied'), null, { timeout: 2000 });
    assert.equal(await page.evaluate(() => window.softmodem.term.lastCopied), 'select me please\nand');
    // Music while muted: dropped, nothing played.
    const music = Uint8Array.from('\x1b[NT200 L16 CDEFG\x0e', (c) => c.charCodeAt(0));
    await page.evaluate((m) => window.softmodem.term.write(Uint8Array.from(m)), [...music]);
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__oscillators), 0);
    await page.click('#music');
    await page.evaluate((m) => window.softmodem.term.write(Uint8Array.from(m)), [...music]);
    await page.waitForFunction(() => window.__oscillators === 5, null, { timeout: 3000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
