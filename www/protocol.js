// @ts-check
// The messages between the page and the modem in its AudioWorklet (worklet/processor.js), through
// the AudioWorkletNode's port: their names and shapes, in one place for both sides. Each message is
// made by one of the functions below; the receivers switch on `type`, and the type check
// (`./build.sh test`) holds their cases to the unions these functions define.
//
// The start: the page compiles the WebAssembly module and creates the node with ModemOptions as
// its processorOptions. The processor answers `ready` once its session runs, or `failed` with the
// reason (and nothing more). After `ready`:
//
//   page -> worklet (ToModem)         worklet -> page (FromModem)
//   terminal {bytes}  typed           terminal {bytes}  for the terminal
//   phone {bytes}     read from the   phone {bytes}     to write to the phone's serial port
//                     phone's port    log {text}        a status line
//   dial {number}                     status {status, audio, waiting}  the status panel (every 0.1 s
//   answer, hangup, break, ring                         and after each message from the page);
//                                                       audio: the worklet's own counts
//                                                       (AudioHealth); waiting: typed bytes the
//                                                       modem holds, not yet taken (a file
//                                                       transfer paces itself by it)
//   link {link}       serial/manual   link {ok, link, message}  the answer to `link`
//   phone-lost, phone-open            refused {what, reason}    a button the modem refused
//   level {level}     dBm0            overflow {dropped}        typed bytes dropped
//   line-quality {snrDb, codec}       the demo's line
//   line-audio        save the line   line-audio {wav, message}  the answer to `line-audio`: the
//                                                       last minute of the line as a WAV file
//                                                       (2 channels, 8000 Hz, 16-bit: 1 received,
//                                                       2 sent), or null and why not

/** The name the processor is registered under. */
export const PROCESSOR_NAME = 'softmodem';

/**
 * How calls are made: the demo (simulated phone and BBS), a phone on a serial port, or by hand.
 * @typedef {'demo' | 'serial' | 'manual'} Link
 */

/**
 * The processor's options (processorOptions of the AudioWorkletNode).
 * @typedef {object} ModemOptions
 * @property {WebAssembly.Module} module the compiled modem (the worklet scope cannot fetch)
 * @property {Link} link
 * @property {number} level the transmit level, dBm0, within the range the module exports
 * @property {number} seed the demo line's noise seed
 */

/**
 * The status panel's snapshot (src/panel.rs documents the keys; these are the same).
 * @typedef {object} Status
 * @property {'on-hook' | 'off-hook' | 'dialing' | 'connecting' | 'online' | 'online-command'} phase
 * @property {'serial' | 'manual' | 'audio'} link
 * @property {string | null} phone the phone's call: `null` without a serial link
 * @property {'idle' | 'handshake' | 'settling' | 'data'} modem
 * @property {string | null} family the running modem's family (`V.22bis`, `automode`, ...)
 * @property {'call' | 'answer' | null} role
 * @property {number} rx_rate bit/s, 0 before the connection
 * @property {number} tx_rate bit/s, 0 before the connection
 * @property {boolean} carrier
 * @property {number | null} level received level, dBm0
 * @property {number | null} quality V.22/V.22bis receiver's SNR estimate, dB
 * @property {number[]} points V.22/V.22bis receiver's last points, `re, im` pairs
 * @property {string | null} protocol the connection's link protocol: `LAPM/V42BIS`, `LAPM` or
 *   `none`; null while not settled
 * @property {number} retransmissions V.42: I frames sent again
 * @property {number} bad_frames V.42: frames received damaged
 * @property {number} chars
 * @property {number} framing_errors
 * @property {number} parity_errors
 * @property {number} lost characters lost to a retrain, a dropout or a signal that was not data
 * @property {number} seconds
 * @property {number} retrains retrains the call's connection began (the counts from here to
 *   connected_seconds are the call's now up, or the last one's)
 * @property {number} bytes_received bytes the modem received this call
 * @property {number} bytes_sent bytes the modem took to send this call
 * @property {number | null} connected_seconds time since CONNECT (to the call's end once it ended)
 * @property {number | null} line_level the received level over the last 0.1 s, the whole band,
 *   dBm0 (-100 the floor); there in every state, unlike `level`
 * @property {number[]} spectrum the received signal's power, 128 bins of 31.25 Hz from 0 Hz, dBm0
 *   (-100 the floor)
 * @property {(number | null)[]} snr_history the receiver's SNR estimate ten times a second over the
 *   last ten seconds, oldest first, dB (null: none then)
 */

/**
 * What the worklet counts of the audio itself, beside the modem's status.
 * @typedef {object} AudioHealth
 * @property {number} clipped input samples at or near full scale since the last status (0.1 s)
 * @property {number} glitches render quanta that came late (frames were skipped), since the start
 * @property {number} lostFrames frames skipped by those, since the start
 */

/** Messages from the page to the modem. */
export const toModem = {
  /** @param {Uint8Array} bytes typed at the terminal */
  terminal: (bytes) => ({ type: /** @type {const} */ ('terminal'), bytes }),
  /** @param {Uint8Array} bytes read from the phone's serial port */
  phone: (bytes) => ({ type: /** @type {const} */ ('phone'), bytes }),
  /** @param {string} number the Dial button: empty for a call dialled by hand */
  dial: (number) => ({ type: /** @type {const} */ ('dial'), number }),
  answer: () => ({ type: /** @type {const} */ ('answer') }),
  hangup: () => ({ type: /** @type {const} */ ('hangup') }),
  break: () => ({ type: /** @type {const} */ ('break') }),
  ring: () => ({ type: /** @type {const} */ ('ring') }),
  /** @param {'serial' | 'manual'} link how calls are made from now on (refused during a call) */
  link: (link) => ({ type: /** @type {const} */ ('link'), link }),
  phoneLost: () => ({ type: /** @type {const} */ ('phone-lost') }),
  phoneOpen: () => ({ type: /** @type {const} */ ('phone-open') }),
  /** @param {number} level the transmit level for calls from now on, dBm0 */
  level: (level) => ({ type: /** @type {const} */ ('level'), level }),
  /**
   * The demo's line both ways: white noise for `snrDb` dB SNR (null: none), and a codec.
   * @param {number | null} snrDb
   * @param {'' | 'mu-law' | 'g729'} codec none, G.711 µ-law, or G.729 (voice over IP)
   */
  lineQuality: (snrDb, codec) => ({ type: /** @type {const} */ ('line-quality'), snrDb, codec }),
  /** The Save line audio button: the modem answers `line-audio` with the WAV file. */
  lineAudio: () => ({ type: /** @type {const} */ ('line-audio') }),
};

/** Messages from the modem to the page. */
export const fromModem = {
  /** @param {number} sampleRate the AudioContext's rate the session runs at */
  ready: (sampleRate) => ({ type: /** @type {const} */ ('ready'), sampleRate }),
  /** @param {string} message why the modem could not start */
  failed: (message) => ({ type: /** @type {const} */ ('failed'), message }),
  /** @param {Uint8Array} bytes for the terminal */
  terminal: (bytes) => ({ type: /** @type {const} */ ('terminal'), bytes }),
  /** @param {Uint8Array} bytes to write to the phone's serial port */
  phone: (bytes) => ({ type: /** @type {const} */ ('phone'), bytes }),
  /** @param {string} text a status line */
  log: (text) => ({ type: /** @type {const} */ ('log'), text }),
  /**
   * @param {Status} status
   * @param {AudioHealth} audio
   * @param {number} waiting typed bytes the modem holds that its transmit queue has not taken yet
   */
  status: (status, audio, waiting) => ({ type: /** @type {const} */ ('status'), status, audio, waiting }),
  /**
   * @param {boolean} ok the link changed
   * @param {'serial' | 'manual' | 'audio'} link the link now
   * @param {string} [message] why not
   */
  link: (ok, link, message) => ({ type: /** @type {const} */ ('link'), ok, link, message }),
  /**
   * @param {'dial' | 'answer'} what the button
   * @param {string} reason the modem's reason
   */
  refused: (what, reason) => ({ type: /** @type {const} */ ('refused'), what, reason }),
  /** @param {number} dropped typed bytes dropped: more were waiting than the modem holds */
  overflow: (dropped) => ({ type: /** @type {const} */ ('overflow'), dropped }),
  /**
   * @param {Uint8Array | null} wav the last minute of the line: a WAV file (2 channels, 8000 Hz,
   *   16-bit); null when it could not be made
   * @param {string} [message] why not
   */
  lineAudio: (wav, message) => ({ type: /** @type {const} */ ('line-audio'), wav, message }),
};

/** @typedef {ReturnType<typeof toModem[keyof typeof toModem]>} ToModem a message to the modem */
/** @typedef {ReturnType<typeof fromModem[keyof typeof fromModem]>} FromModem a message from the modem */

/**
 * The message of an error, or the thing itself as text.
 * @param {unknown} e
 * @returns {string}
 */
export function errorText(e) {
  if (e && typeof e === 'object' && 'message' in e && e.message) return String(e.message);
  return String(e);
}
