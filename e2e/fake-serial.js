// A fake Web Serial API for the end-to-end tests, injected into the page before its scripts run
// (playwright's addInitScript). Behind the one port it offers is a SIMULATOR of a 3GPP TS 27.007
// phone's AT port written for these tests: it is not a real phone and knows only what the page's
// modem sends a phone.
//
// The simulated phone: echo on until ATE0; OK to the set-up commands (AT, ATE0V1, AT+CMEE=1,
// AT+CRC=1, AT+CLIP=1, anything else it does not know); ATD<number>; places a voice call and
// answers OK at once (ATD without the semicolon, a data call, gets NO CARRIER); the call is dialling
// (stat 2) for 300 ms, alerting (3) until 1300 ms, then active (0), as AT+CLCC reports it
// (+CLCC: 1,0,<stat>,0,0,"<number>",129); AT+CHUP and ATH end it.
//
// The port follows the Web Serial specification's behaviour where the page depends on it: open()
// makes readable and writable streams; a framing error errors the readable stream and leaves a new
// one in its place (the port stays open); unplugging errors the stream, leaves no streams and fires
// 'disconnect' at the port. requestPort() grants the port; getPorts() lists it once granted, also
// after the page is loaded again.
//
// Test controls: window.__fakeSerial.phone.commands (every command line received),
// .phone.opens (the options of every open()), .port.framingError(), .port.unplug().
(() => {
  const enc = new TextEncoder();
  const phone = { commands: [], opens: [], signals: [], echo: true, call: null, line: '' };
  let controller = null; // the current readable stream's

  function send(text) {
    if (!controller) return;
    try { controller.enqueue(enc.encode(text)); } catch { /* the reader went away */ }
  }
  const respond = (...lines) => send(lines.map((l) => `\r\n${l}\r\n`).join(''));

  function stat(call) {
    const t = performance.now() - call.since;
    return t < 300 ? 2 : t < 1300 ? 3 : 0;
  }

  function command(line) {
    phone.commands.push(line);
    const body = line.toUpperCase().startsWith('AT') ? line.slice(2).toUpperCase() : null;
    if (body === null) return;
    if (body.startsWith('E0')) { phone.echo = false; respond('OK'); return; }
    if (body.startsWith('D')) {
      if (!body.endsWith(';')) { respond('NO CARRIER'); return; }
      if (phone.call) { respond('+CME ERROR: 3'); return; }
      phone.call = { number: body.slice(1, -1), since: performance.now() };
      respond('OK');
      return;
    }
    if (body === '+CLCC') {
      const c = phone.call;
      if (c) respond(`+CLCC: 1,0,${stat(c)},0,0,"${c.number}",129`, 'OK');
      else respond('OK');
      return;
    }
    if (body === '+CHUP' || body === 'H' || body === 'H0') { phone.call = null; respond('OK'); return; }
    respond('OK');
  }

  function write(bytes) {
    for (const b of bytes) {
      if (phone.echo) send(String.fromCharCode(b));
      if (b === 13) {
        const line = phone.line.trim();
        phone.line = '';
        if (line) command(line);
      } else if (b !== 10) {
        phone.line += String.fromCharCode(b);
      }
    }
  }

  function newReadable() {
    return new ReadableStream({ start(c) { controller = c; } });
  }

  class FakeSerialPort extends EventTarget {
    constructor() {
      super();
      this.readable = null;
      this.writable = null;
      this.ondisconnect = null;
    }

    getInfo() { return { usbVendorId: 0x1e0e, usbProductId: 0x9001 }; }

    async open(options) {
      if (this.readable) throw new DOMException('The port is already open.', 'InvalidStateError');
      phone.opens.push(options);
      this.readable = newReadable();
      this.writable = new WritableStream({ write(chunk) { write(chunk); } });
    }

    async setSignals(signals) { phone.signals.push(signals); }

    async getSignals() {
      return { dataCarrierDetect: false, clearToSend: true, ringIndicator: false, dataSetReady: true };
    }

    async close() {
      if (this.readable && this.readable.locked) throw new DOMException('The readable stream is locked.', 'InvalidStateError');
      if (this.writable && this.writable.locked) throw new DOMException('The writable stream is locked.', 'InvalidStateError');
      this.readable = null;
      this.writable = null;
      controller = null;
    }

    // A framing error on the line: the read in progress fails, the port stays open with a new
    // readable stream.
    framingError() {
      const old = controller;
      this.readable = newReadable();
      old.error(new DOMException('A framing error was detected.', 'FramingError'));
    }

    // The device goes (a USB cable pulled, a Bluetooth link out of range).
    unplug() {
      const old = controller;
      controller = null;
      this.readable = null;
      this.writable = null;
      if (old) old.error(new DOMException('The device has been lost.', 'NetworkError'));
      const e = new Event('disconnect', { bubbles: true });
      this.dispatchEvent(e);
    }
  }

  // The browser remembers a granted port across page loads (here: in sessionStorage).
  const port = new FakeSerialPort();
  const GRANTED = 'fake-serial-granted';
  const serial = new EventTarget();
  serial.requestPort = async () => { sessionStorage.setItem(GRANTED, '1'); return port; };
  serial.getPorts = async () => (sessionStorage.getItem(GRANTED) ? [port] : []);
  Object.defineProperty(Navigator.prototype, 'serial', { get() { return serial; }, configurable: true });
  window.__fakeSerial = { phone, port };
})();
