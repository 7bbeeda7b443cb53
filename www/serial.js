// @ts-check
// The phone's serial port (Web Serial): choosing, opening, reading, writing, and noticing when it
// goes. The page owns the port; the modem only sees the bytes (through the hooks).
import { byIdOf, setText, note } from './status.js';
import { errorText } from './protocol.js';

const PORT_KEY = 'softmodem.port';

/** The browser has Web Serial (Chromium on a computer, on https or localhost). */
export const hasSerial = !!navigator.serial && typeof navigator.serial.requestPort === 'function';

/**
 * An error's name (`NotFoundError`, `FramingError`, ...), or ''.
 * @param {unknown} e
 */
function errorName(e) {
  return e && typeof e === 'object' && 'name' in e ? String(e.name) : '';
}

/** @param {number} n */
function hex4(n) { return n.toString(16).padStart(4, '0'); }

/** @param {SerialPort} port */
function portName(port) {
  const info = port.getInfo ? port.getInfo() : {};
  if (info.usbVendorId !== undefined) return `USB device ${hex4(info.usbVendorId)}:${hex4(info.usbProductId ?? 0)}`;
  if (info.bluetoothServiceClassId !== undefined) return 'Bluetooth serial port';
  return 'serial port';
}

/** @param {SerialPort} port */
function remember(port) {
  try { localStorage.setItem(PORT_KEY, JSON.stringify(port.getInfo ? port.getInfo() : {})); } catch { /* private mode */ }
}

/** @returns {Record<string, unknown> | null} */
function remembered() {
  try { return JSON.parse(localStorage.getItem(PORT_KEY) || 'null'); } catch { return null; }
}

/**
 * @param {SerialPort} port
 * @param {Record<string, unknown> | null} info
 */
function sameInfo(port, info) {
  if (!info || !port.getInfo) return false;
  /** @type {Record<string, unknown>} */
  const p = { ...port.getInfo() };
  return Object.keys(info).length > 0 && Object.keys(info).every((k) => p[k] === info[k]);
}

/** @param {string} text */
function portStatus(text) { setText('port-status', text); }

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * What the page does with the port's events.
 * @typedef {object} PortHooks
 * @property {() => number} baudRate the baud rate chosen
 * @property {(bytes: Uint8Array) => void} bytes bytes read from the phone
 * @property {() => void} opened the port is open (again): the phone needs setting up
 * @property {() => void} lost the port is gone or was closed
 */

/** The phone's serial port: at most one open at a time. */
export class PhonePort {
  /** @param {PortHooks} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    /** @type {SerialPort | null} */
    this.port = null;
    /** @type {WritableStreamDefaultWriter<Uint8Array> | null} */
    this.writer = null;
    /** @type {ReadableStreamDefaultReader<Uint8Array> | null} */
    this.reader = null;
    /** @type {Promise<void> | null} the read loop */
    this.reading = null;
    this.closing = false;
    /** @param {Event} e */
    this.onDisconnect = (e) => {
      if (e.target === this.port || !e.target) this.gone('unplugged or out of range');
    };
  }

  get isOpen() { return this.port !== null; }

  showButtons() {
    const connect = byIdOf('connect-phone', HTMLButtonElement);
    connect.disabled = !hasSerial;
    connect.textContent = this.port ? 'Connect another phone' : 'Connect phone';
    byIdOf('disconnect-phone', HTMLButtonElement).disabled = !this.port;
  }

  /**
   * A port granted earlier (getPorts): the one used last, or the only one. No user gesture needed.
   * @returns {Promise<boolean>} a port is open
   */
  async reopenGranted() {
    if (!navigator.serial || this.port) return false;
    /** @type {SerialPort[]} */
    let ports = [];
    try { ports = await navigator.serial.getPorts(); } catch { return false; }
    const info = remembered();
    const port = ports.find((p) => sameInfo(p, info)) || (ports.length === 1 ? ports[0] : null);
    return port ? this.open(port) : false;
  }

  /** The Connect phone button: the browser's port chooser (needs this user gesture). */
  async choose() {
    if (!navigator.serial) return;
    let port;
    try {
      port = await navigator.serial.requestPort();
    } catch (e) {
      // NotFoundError: the chooser was closed.
      if (errorName(e) !== 'NotFoundError') note(`No port: ${errorText(e)}`, 'warn');
      return;
    }
    await this.open(port);
  }

  /**
   * Opens `port` (closing the one open) and starts reading.
   * @param {SerialPort} port
   * @returns {Promise<boolean>} it is open
   */
  async open(port) {
    if (this.port) await this.close();
    const baudRate = this.hooks.baudRate();
    try {
      await port.open({ baudRate, dataBits: 8, stopBits: 1, parity: 'none', flowControl: 'none' });
    } catch (e) {
      if (errorName(e) !== 'InvalidStateError') { // InvalidStateError: open already
        portStatus(`Could not open the ${portName(port)}: ${errorText(e)}`);
        note(`Could not open the ${portName(port)}: ${errorText(e)}`, 'warn');
        return false;
      }
    }
    if (!port.writable || !port.readable) {
      portStatus(`The ${portName(port)} is in use elsewhere.`);
      return false;
    }
    this.port = port;
    this.closing = false;
    this.writer = port.writable.getWriter();
    port.addEventListener('disconnect', this.onDisconnect);
    // Many modems want DTR (and RTS) up before they listen.
    try { await port.setSignals({ dataTerminalReady: true, requestToSend: true }); } catch { /* not every port has them */ }
    remember(port);
    this.reading = this.readLoop(port);
    portStatus(`Connected: ${portName(port)}, ${baudRate} baud`);
    note(`Phone's serial port open: ${portName(port)} at ${baudRate} baud.`);
    this.showButtons();
    this.hooks.opened();
    return true;
  }

  /** Opens the open port again (a new baud rate). */
  async reopen() {
    const port = this.port;
    if (!port) return;
    await this.close();
    await this.open(port);
  }

  /**
   * Reads until the port goes. Break, framing, parity and overrun errors do not close a serial
   * port: its readable stream is replaced, and a new reader carries on. A lost device leaves none.
   * @param {SerialPort} port
   */
  async readLoop(port) {
    let failures = 0;
    while (this.port === port && !this.closing && port.readable) {
      const reader = port.readable.getReader();
      this.reader = reader;
      let done = false;
      try {
        for (;;) {
          const r = await reader.read();
          if (r.done) { done = true; break; }
          failures = 0;
          if (r.value && r.value.length) this.hooks.bytes(r.value);
        }
      } catch (e) {
        if (this.closing || this.port !== port) break;
        const message = errorText(e);
        note(`Serial port: ${errorName(e) || 'read error'}${message ? ` (${message})` : ''}; reading on.`, 'warn');
        failures += 1;
        await sleep(Math.min(1000, 20 * failures));
      } finally {
        try { reader.releaseLock(); } catch { /* already released */ }
        this.reader = null;
      }
      if (done) break;
    }
    if (this.port === port && !this.closing) {
      this.reading = null; // this loop is over; gone() must not wait for it
      this.gone('the port closed');
    }
  }

  /**
   * Bytes for the phone. Without a port they go nowhere: the phone's set-up times out, and the
   * log says so.
   * @param {Uint8Array} bytes
   */
  write(bytes) {
    const writer = this.writer;
    if (!writer) return;
    writer.write(bytes).catch((e) => {
      if (this.writer === writer && !this.closing) this.gone(`writing failed: ${errorText(e)}`);
    });
  }

  /**
   * The port went away by itself: close what is left and tell the modem.
   * @param {string} why
   */
  async gone(why) {
    if (!this.port) return;
    const name = portName(this.port);
    await this.close();
    portStatus(`Disconnected (${why}). Connect the phone again, or choose Dial by hand.`);
    note(`Phone's serial port lost: ${name}, ${why}.`, 'warn');
    this.hooks.lost();
  }

  /** Closes the port, waiting for the read loop to end. */
  async close() {
    const port = this.port;
    if (!port) return;
    this.closing = true;
    port.removeEventListener('disconnect', this.onDisconnect);
    try { if (this.reader) await this.reader.cancel(); } catch { /* gone already */ }
    try { if (this.reading) await this.reading; } catch { /* ended */ }
    try { if (this.writer) this.writer.releaseLock(); } catch { /* gone already */ }
    try { await port.close(); } catch { /* gone already */ }
    this.port = this.writer = this.reader = this.reading = null;
    this.closing = false;
    this.showButtons();
  }

  /** The Disconnect button. */
  async disconnect() {
    if (!this.port) return;
    await this.close();
    portStatus('Disconnected.');
    note('Phone\'s serial port closed.');
    this.hooks.lost();
  }
}
