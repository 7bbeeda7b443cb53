// @ts-check
// Dial-up networking in the page. Dialling a directory entry marked PPP arms a DialupSession
// (Rust: src/web/dialup.rs) before the dial command goes to the modem; from then on the modem's
// bytes go through the session, which shows the dialling and the login conversation in the
// terminal, spots CONNECT, runs the entry's login script, then PPP and TCP/IP. Like a file
// transfer it runs on this thread, beside the modem in its worklet: what it sends goes to the
// modem as typed, no faster than the modem takes it (the backlog the worklet reports).
//
// The Network panel shows the link (PPP's phase, the addresses, octets each way, the echo's round
// trip; the same in the status bar) and has the two things a person does over it: a telnet
// session, whose screen is the terminal (keys typed there go to it while it is open; NAWS gets
// the terminal's size), and a web fetch (the status line, the headers, a text body in the panel,
// any other body offered as a download). Hang up closes PPP first (LCP Terminate), then hangs
// the modem up; a lost carrier ends the link at once.
import { DialupSession } from './pkg/softmodem.js';
import { byId, byIdOf, setText } from './status.js';

/** The most octets left waiting in the modem (about a second at 2400 bit/s): PPP's queue holds
 * the rest, so TCP's timers see the line as it is. */
const WINDOW = 256;
/** How often the session runs between messages from the modem, ms. */
const TICK_MS = 50;
/** After Hang up, the modem hangs up by then whatever PPP says, ms. */
const HANGUP_GRACE_MS = 8000;
/** The most of a text body shown in the panel (the rest is offered as a download). */
const TEXT_MAX = 1 << 20;
const TELNET_PORT = 23;

/**
 * What DialupSession.status() gives (src/web/dialup.rs).
 * @typedef {object} DialupStatus
 * @property {'waiting' | 'login' | 'ppp' | 'ended'} stage
 * @property {string | null} ended why it ended
 * @property {'dead' | 'establish' | 'authenticate' | 'network' | 'terminate'} phase PPP's phase
 * @property {boolean} ip_up
 * @property {string | null} local our address
 * @property {string | null} peer
 * @property {string[]} dns
 * @property {'PAP' | 'CHAP-MD5' | null} auth
 * @property {number} ip_octets_in
 * @property {number} ip_octets_out
 * @property {number} line_octets_in
 * @property {number} line_octets_out
 * @property {number} bad_fcs
 * @property {number} malformed
 * @property {number | null} rtt_ms the last LCP echo's round trip
 * @property {{ host: string, port: number, state: 'resolving' | 'connecting' | 'open' | 'closed', error: string | null, remote_echo: boolean } | null} telnet
 * @property {{ url: string, state: 'running' | 'done' | 'failed', received: number, error: string | null } | null} fetch
 */

/**
 * @typedef {object} NetworkHooks
 * @property {(bytes: Uint8Array) => void} send octets for the modem (as typed)
 * @property {() => void} hangUp hangs the modem up
 * @property {(bytes: Uint8Array) => void} show bytes for the terminal
 * @property {(blob: Blob, name: string) => Promise<string>} save saves a received file; resolves
 *   with where it went
 * @property {(text: string, kind?: '' | 'warn' | 'error') => void} note a line in the log
 * @property {() => { cols: number, rows: number }} size the terminal's size
 * @property {() => void} focusTerminal
 * @property {() => void} telnetClosed the telnet session ended (a file transfer over it cannot go on)
 */

/** @param {number} n octets */
function size(n) {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 10240 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
}

/**
 * PPP's progress in words.
 * @param {DialupStatus} s
 */
function phaseText(s) {
  switch (s.stage) {
    case 'waiting': return 'waiting for CONNECT';
    case 'login': return 'login script';
    case 'ended': return `ended${s.ended ? ` (${s.ended})` : ''}`;
    default: break;
  }
  switch (s.phase) {
    case 'establish': return 'LCP negotiating';
    case 'authenticate': return `authenticating${s.auth ? ` (${s.auth})` : ''}`;
    case 'network': return s.ip_up ? 'up' : 'IPCP negotiating';
    case 'terminate': return 'closing';
    default: return s.phase;
  }
}

/**
 * `host[:port]` taken apart (port 23 unless given), or null.
 * @param {string} text
 * @returns {{ host: string, port: number } | null}
 */
export function parseHostPort(text) {
  const m = /^\s*(?:telnet:\/\/)?([A-Za-z0-9.-]+)(?::(\d{1,5}))?\/?\s*$/.exec(text);
  if (!m) return null;
  const port = m[2] === undefined ? TELNET_PORT : Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1], port } : null;
}

export class Network {
  /** @param {NetworkHooks} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    /** @type {DialupSession | null} */
    this.session = null;
    /** @type {DialupStatus | null} the session's last status (kept once it is gone) */
    this.last = null;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.timer = null;
    /** Typed octets the modem held at its last status, and what went since. */
    this.waiting = 0;
    this.sentSinceStatus = 0;
    /** The modem was seen online during this session (so its going off-line is a lost carrier). */
    this.sawOnline = false;
    /** The modem's call is up (its last status). */
    this.callUp = false;
    /** The modem is busy with a call: dialling, connecting or online (its last status). */
    this.inCall = false;
    /** @type {number | null} when Hang up was pressed (performance.now()) */
    this.hangUpAt = null;
    /** The modem was told to hang up for this session. */
    this.hungUp = false;
    /** The hint about typing was given this session. */
    this.hinted = false;
    /** The telnet session was open at the last look (for the terminal's notes). */
    this.telnetWas = false;
    /** A pump() is queued for after the current task (a transfer sent over the telnet session). */
    this.pumpQueued = false;

    this.panel = byId('network');
    this.telnetHost = byIdOf('telnet-host', HTMLInputElement);
    this.fetchUrl = byIdOf('fetch-url', HTMLInputElement);
    byIdOf('telnet-form', HTMLFormElement).addEventListener('submit', (e) => { e.preventDefault(); this.telnetConnect(); });
    byId('telnet-disconnect').addEventListener('click', () => this.telnetDisconnect());
    byIdOf('fetch-form', HTMLFormElement).addEventListener('submit', (e) => { e.preventDefault(); this.fetch(); });
    byId('fetch-cancel').addEventListener('click', () => { this.session?.fetch_cancel(); this.pump(); });
    byId('net-hangup').addEventListener('click', () => this.hangUp());
    this.show();
  }

  /**
   * Arms dial-up networking for a call about to be dialled to `entry`; false (and a note) when its
   * login script does not parse, or a session runs already.
   * @param {import('./directory.js').Entry} entry
   * @returns {boolean}
   */
  arm(entry) {
    if ((this.session && !this.session.ended()) || this.inCall) {
      this.hooks.note(`${entry.name}: a call is up already: hang up first.`, 'warn');
      return false;
    }
    this.drop();
    try {
      this.session = new DialupSession(entry.user, entry.password, entry.script, (Math.random() * 2 ** 32) >>> 0);
    } catch (e) {
      this.hooks.note(`${entry.name}: ${e instanceof Error ? e.message : String(e)}.`, 'error');
      return false;
    }
    this.sawOnline = false;
    this.hangUpAt = null;
    this.hungUp = false;
    this.hinted = false;
    this.telnetWas = false;
    this.waiting = 0;
    this.sentSinceStatus = 0;
    this.timer ??= setInterval(() => this.pump(), TICK_MS);
    this.hooks.note(`Dial-up networking: calling ${entry.name}${entry.script.trim() ? ' (with its login script)' : ''}.`);
    this.pump();
    return true;
  }

  /** True while a session has the modem's bytes (from the dial until the call is down). */
  get active() {
    return this.session !== null;
  }

  /** True while the line carries the session (CONNECT seen, not ended): keys are not the modem's. */
  get ownsLine() {
    return this.session !== null && this.session.connected();
  }

  /** True while a telnet session has the terminal. */
  get telnetActive() {
    return this.session !== null && this.session.telnet_active();
  }

  /**
   * Octets from the modem.
   * @param {Uint8Array} bytes
   */
  fromLine(bytes) {
    if (!this.session) return;
    this.session.receive(performance.now(), bytes);
    this.pump();
  }

  /**
   * Keys typed in the terminal (or its replies), for the telnet session.
   * @param {Uint8Array} bytes
   * @param {boolean} [quiet] no hint when there is no telnet session (the terminal's replies)
   */
  keys(bytes, quiet = false) {
    const s = this.session;
    if (!s) return;
    if (!s.telnet_active()) {
      if (!quiet && !this.hinted) {
        this.hinted = true;
        this.hooks.note('Dial-up networking has the line: once PPP is up, connect a telnet session in the Network panel to type to a host.', 'warn');
      }
      return;
    }
    const taken = s.send_keys(bytes);
    if (taken < bytes.length) this.hooks.note(`Typing faster than the link: ${bytes.length - taken} keys dropped.`, 'warn');
    this.pump();
  }

  /**
   * How many octets the telnet session takes whole now (0 without one): a file transfer over it
   * hands it no more than this at a time.
   * @returns {number}
   */
  telnetRoom() {
    return this.session?.telnet_room() ?? 0;
  }

  /**
   * A file transfer's octets for the telnet session (no more than {@link telnetRoom} at a time).
   * @param {Uint8Array} bytes
   */
  sendTelnet(bytes) {
    const s = this.session;
    if (!s || !s.telnet_active()) return;
    const taken = s.send_keys(bytes);
    if (taken < bytes.length) this.hooks.note(`Telnet: ${bytes.length - taken} octets of the transfer found no room.`, 'error');
    // Not now: this runs inside the transfer, which may be inside pump() showing the session's
    // octets; a nested pump would hand the transfer later octets before the earlier ones.
    if (!this.pumpQueued) {
      this.pumpQueued = true;
      queueMicrotask(() => { this.pumpQueued = false; this.pump(); });
    }
  }

  /**
   * The terminal's size changed.
   * @param {number} cols
   * @param {number} rows
   */
  resize(cols, rows) {
    this.session?.set_window_size(cols, rows);
  }

  /**
   * The modem's status: how many typed octets it holds (the pace), and whether the call is up.
   * @param {import('./protocol.js').Status} status
   * @param {number} waiting
   */
  status(status, waiting) {
    this.waiting = waiting;
    this.sentSinceStatus = 0;
    this.callUp = status.phase === 'online' || status.phase === 'online-command';
    this.inCall = status.phase !== 'on-hook' && status.phase !== 'off-hook';
    const s = this.session;
    if (!s) return;
    if (this.callUp && s.connected()) this.sawOnline = true;
    if (this.sawOnline && !this.callUp && !s.ended()) s.lower_down('NO CARRIER');
    this.pump();
  }

  /** The Hang up button: PPP closes first (LCP Terminate), then the modem hangs up. */
  hangUp() {
    const s = this.session;
    if (!s || s.ended()) { this.hooks.hangUp(); return; }
    this.hooks.note('Dial-up networking: closing PPP, then hanging up.');
    this.hangUpAt = performance.now();
    s.hang_up();
    this.pump();
  }

  telnetConnect() {
    const s = this.session;
    const target = parseHostPort(this.telnetHost.value);
    if (!target) { this.hooks.note('Telnet: give a host, and a port after a colon if not 23 (bbs.demo.net, 10.0.0.1:23).', 'warn'); return; }
    if (!s || !s.ip_up()) { this.hooks.note('Telnet: no dial-up link is up. Dial a PPP entry first (Demo dial-up server).', 'warn'); return; }
    const { cols, rows } = this.hooks.size();
    try {
      s.telnet_connect(target.host, target.port, cols, rows);
    } catch (e) {
      this.hooks.note(e instanceof Error ? e.message : String(e), 'warn');
      return;
    }
    this.hinted = false;
    this.hooks.show(textBytes(`\r\n*** Telnet: connecting to ${target.host}:${target.port} ***\r\n`));
    this.hooks.focusTerminal();
    this.pump();
  }

  telnetDisconnect() {
    this.session?.telnet_close();
    this.pump();
  }

  fetch() {
    const s = this.session;
    const url = this.fetchUrl.value.trim();
    if (!url) { this.hooks.note('Fetch: give a URL (http://www.demo.net/).', 'warn'); return; }
    if (!s || !s.ip_up()) { this.hooks.note('Fetch: no dial-up link is up. Dial a PPP entry first (Demo dial-up server).', 'warn'); return; }
    try {
      s.fetch(url);
    } catch (e) {
      this.hooks.note(`Fetch: ${e instanceof Error ? e.message : String(e)}`, 'warn');
      return;
    }
    byId('fetch-result').hidden = true;
    this.pump();
  }

  /** Runs the session: what it sends (as far as the modem has room), its log, its end. */
  pump() {
    const s = this.session;
    if (!s) return;
    const now = performance.now();
    const room = WINDOW - this.waiting - this.sentSinceStatus;
    const out = s.transmit(now, Math.max(0, room));
    if (out.length) {
      this.sentSinceStatus += out.length;
      this.hooks.send(out);
    }
    const shown = s.take_display();
    if (shown.length) this.hooks.show(shown);
    for (let line = s.poll_log(); line !== undefined; line = s.poll_log()) this.hooks.note(line);
    const response = s.take_response();
    if (response) this.showResponse(response);
    const telnet = s.telnet_active();
    if (this.telnetWas && !telnet) {
      this.hooks.telnetClosed();
      if (!s.ended()) this.hooks.show(textBytes('\r\n*** Telnet: connection closed ***\r\n'));
    }
    this.telnetWas = telnet;
    this.last = /** @type {DialupStatus} */ (s.status());
    if (s.ended()) this.ending(s);
    else if (this.hangUpAt !== null && now - this.hangUpAt > HANGUP_GRACE_MS) {
      this.hooks.note('PPP did not close in time: hanging up.', 'warn');
      s.lower_down('hung up');
      this.ending(s);
    }
    this.show();
  }

  /**
   * The session is over: the modem hangs up once PPP's last octets went; with the call down, the
   * session goes and the modem's bytes are the terminal's again.
   * @param {DialupSession} s
   */
  ending(s) {
    const drained = s.tx_pending() === 0 && this.waiting === 0;
    if (this.inCall && !this.hungUp && (drained || this.hangUpAt !== null)) {
      this.hungUp = true;
      this.hooks.hangUp();
    }
    if (!this.inCall) this.drop();
  }

  /** Frees the session. */
  drop() {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (!this.session) return;
    this.last = /** @type {DialupStatus} */ (this.session.status());
    this.session.free();
    this.session = null;
    this.show();
  }

  /** @param {import('./pkg/softmodem.js').FetchResponse} r */
  showResponse(r) {
    byId('fetch-result').hidden = false;
    setText('fetch-status', r.status_line());
    byId('fetch-headers').textContent = r.headers();
    const body = byId('fetch-body');
    const n = r.body_len();
    if (r.is_text() && n <= TEXT_MAX) {
      const charset = /charset=([\w-]+)/i.exec(r.content_type())?.[1] ?? 'utf-8';
      let decoder;
      try { decoder = new TextDecoder(charset); } catch { decoder = new TextDecoder('utf-8'); }
      body.textContent = decoder.decode(r.body());
    } else {
      const name = r.file_name();
      // Taken now: the response is freed below, before the file is saved.
      const what = `${r.is_text() ? 'a long text' : 'binary'}: ${size(n)}`;
      body.textContent = `(${what}, saving as ${name})`;
      this.hooks.save(new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (r.body())], { type: r.content_type() || 'application/octet-stream' }), name)
        .then((where) => {
          body.textContent = `(${what}, ${where})`;
          this.hooks.note(`Fetch: ${name} (${size(n)}) ${where}.`);
        });
    }
    body.scrollTop = 0;
    r.free();
  }

  /** The Network panel and the status bar's dial-up items. */
  show() {
    const s = this.last;
    const running = this.session !== null;
    const up = running && s !== null && s.ip_up && s.stage === 'ppp';
    this.panel.dataset.state = !s ? 'off' : up ? 'up' : running ? s.stage : 'ended';
    setText('net-summary', !s ? 'no dial-up link: dial a PPP entry of the directory'
      : up ? `up: ${s.local ?? '?'}` : running ? phaseText(s) : `ended${s.ended ? ` (${s.ended})` : ''}`);
    setText('net-phase', s ? phaseText(s) : '–');
    setText('net-local', s && s.local ? `${s.local}${s.peer ? ` (peer ${s.peer})` : ''}` : '–');
    setText('net-dns', s && s.dns.length ? s.dns.join(', ') : '–');
    setText('net-octets', s && s.stage !== 'waiting' ? `${size(s.ip_octets_in)} in, ${size(s.ip_octets_out)} out` : '–');
    setText('net-rtt', s && s.rtt_ms !== null ? `${s.rtt_ms} ms` : '–');
    const t = s?.telnet ?? null;
    const telnetOn = running && t !== null && t.state !== 'closed';
    setText('telnet-state', !t ? '–' : t.state === 'closed'
      ? `closed${t.error ? `: ${t.error}` : ''}` : `${t.state}: ${t.host}:${t.port}${t.state === 'open' ? ' (type in the terminal)' : ''}`);
    const f = s?.fetch ?? null;
    const fetching = running && f !== null && f.state === 'running';
    setText('fetch-state', !f ? '–' : f.state === 'running' ? `${size(f.received)} received`
      : f.state === 'failed' ? `failed: ${f.error ?? ''}` : `done (${size(f.received)})`);
    byIdOf('telnet-connect', HTMLButtonElement).disabled = !up;
    byIdOf('telnet-disconnect', HTMLButtonElement).disabled = !telnetOn;
    byIdOf('fetch-get', HTMLButtonElement).disabled = !up;
    byIdOf('fetch-cancel', HTMLButtonElement).disabled = !fetching;
    byIdOf('net-hangup', HTMLButtonElement).disabled = !running || this.hangUpAt !== null;
    // The status bar: shown from the first dial-up call on.
    for (const el of document.querySelectorAll('.ppp-item')) if (el instanceof HTMLElement) el.hidden = !s;
    setText('ppp-state', s ? (up ? `up, ${s.local ?? '?'}` : phaseText(s)) : '–');
    setText('ppp-dns', s && s.dns.length ? s.dns.join(', ') : '–');
    setText('ppp-octets', s && s.stage !== 'waiting' ? `${s.ip_octets_in} in, ${s.ip_octets_out} out` : '–');
    setText('ppp-rtt', s && s.rtt_ms !== null ? `${s.rtt_ms} ms` : '–');
    const owner = byId('term-owner');
    owner.hidden = !telnetOn;
    if (t && telnetOn) owner.textContent = `Telnet: ${t.host}:${t.port}`;
  }
}

/**
 * Text as bytes for the terminal (ASCII).
 * @param {string} text
 */
function textBytes(text) {
  return new Uint8Array(Array.from(text, (c) => (c.charCodeAt(0) < 0x80 ? c.charCodeAt(0) : 0x3f)));
}
