// @ts-check
// The modem's audio: the compiled WebAssembly module, the AudioContext and the worklet node the
// modem runs in, the call's input and output devices.
import init, { transmit_level_min, transmit_level_max } from './pkg/softmodem.js';
import { PROCESSOR_NAME, toModem, errorText } from './protocol.js';
import { note } from './status.js';

/** @typedef {import('./protocol.js').ModemOptions} ModemOptions */
/** @typedef {import('./protocol.js').ToModem} ToModem */
/** @typedef {import('./protocol.js').FromModem} FromModem */

/**
 * The compiled modem, and what the page takes from it.
 * @typedef {object} LoadedModem
 * @property {WebAssembly.Module} module compiled here, instantiated in the worklet
 * @property {{ min: number, max: number }} levelRange the transmit levels the modem accepts, dBm0
 */

/** @type {Promise<LoadedModem> | null} */
let loading = null;

/**
 * Compiles the modem (once) and instantiates it on this thread too, for what the page asks it
 * directly (the transmit level range). The worklet's scope cannot fetch: it gets the module.
 * @returns {Promise<LoadedModem>}
 */
export function loadModem() {
  loading ??= (async () => {
    const module = await WebAssembly.compileStreaming(fetch(new URL('./pkg/softmodem_bg.wasm', import.meta.url)));
    await init({ module_or_path: module });
    return { module, levelRange: { min: transmit_level_min(), max: transmit_level_max() } };
  })();
  return loading;
}

/** The modem running in an AudioWorklet, with the call's audio. */
export class ModemAudio {
  /**
   * @param {AudioContext} ctx
   * @param {AudioWorkletNode} node
   */
  constructor(ctx, node) {
    this.ctx = ctx;
    this.node = node;
    /** @type {MediaStream | null} */
    this.stream = null;
    /** @type {MediaStreamAudioSourceNode | null} */
    this.source = null;
  }

  /**
   * Creates the AudioContext and the modem's node, and waits for the modem to say it runs. Fails
   * with the modem's reason when its start failed (and closes what was made).
   * @param {ModemOptions} options
   * @param {(msg: FromModem) => void} onMessage the modem's messages after `ready`
   * @returns {Promise<ModemAudio>}
   */
  static async start(options, onMessage) {
    const ctx = new AudioContext({ latencyHint: 'interactive' });
    try {
      await ctx.audioWorklet.addModule(new URL('./worklet/processor.js', import.meta.url));
      const node = new AudioWorkletNode(ctx, PROCESSOR_NAME, {
        numberOfInputs: 1,
        numberOfOutputs: 1,
        outputChannelCount: [2],
        processorOptions: options,
      });
      await new Promise((resolve, reject) => {
        node.onprocessorerror = () => reject(new Error('the modem stopped with an error'));
        node.port.onmessage = (e) => {
          /** @type {FromModem} */
          const msg = e.data;
          if (msg.type === 'ready') resolve(undefined);
          else if (msg.type === 'failed') reject(new Error(msg.message));
        };
      });
      node.port.onmessage = (e) => onMessage(e.data);
      node.onprocessorerror = () => note('The modem stopped with an error. Reload the page to start again.', 'error');
      node.connect(ctx.destination);
      return new ModemAudio(ctx, node);
    } catch (e) {
      await ctx.close().catch(() => {});
      throw e;
    }
  }

  /** @param {ToModem} msg */
  post(msg) {
    this.node.port.postMessage(msg);
  }

  /**
   * The call's audio: the input chosen (`deviceId`, '' for the default) into the modem, the modem
   * out to the output chosen (`sinkId`). Without an input the modem hears silence (it still takes
   * commands).
   * @param {string} deviceId
   * @param {string} sinkId
   * @param {() => void} granted called once the input is open (device labels are readable now)
   */
  async open(deviceId, sinkId, granted) {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: {
          deviceId: deviceId ? { exact: deviceId } : undefined,
          echoCancellation: false,
          noiseSuppression: false,
          autoGainControl: false,
          channelCount: 1,
        },
      });
      this.closeInput();
      if (this.ctx.state === 'closed') { for (const t of stream.getTracks()) t.stop(); return; }
      this.stream = stream;
      this.source = this.ctx.createMediaStreamSource(stream);
      this.source.connect(this.node);
      granted();
    } catch (e) {
      const why = e instanceof Error && !e.message ? e.name : errorText(e);
      note(`No audio from the phone (${why}): the modem hears silence.`, 'warn');
    }
    /** @type {AudioContext & { setSinkId?: (id: string) => Promise<void> }} */
    const ctx = this.ctx;
    if (ctx.setSinkId) {
      await ctx.setSinkId(sinkId).catch((e) => note(`Could not use that output: ${errorText(e)}`, 'warn'));
    }
  }

  closeInput() {
    if (this.source) { this.source.disconnect(); this.source = null; }
    if (this.stream) { for (const t of this.stream.getTracks()) t.stop(); this.stream = null; }
  }

  /** Hangs up, and closes the node and the context; messages still in flight are dropped. */
  async close() {
    this.post(toModem.hangup());
    this.node.port.onmessage = null;
    this.node.disconnect();
    this.closeInput();
    await this.ctx.close().catch(() => {});
  }
}

/**
 * Fills the input and output lists with the devices there are, keeping the choices made.
 * @param {HTMLSelectElement} mic
 * @param {HTMLSelectElement} speaker
 */
export async function listDevices(mic, speaker) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return;
  const devices = await navigator.mediaDevices.enumerateDevices();
  /**
   * @param {HTMLSelectElement} select
   * @param {MediaDeviceKind} kind
   */
  const fill = (select, kind) => {
    const keep = select.value;
    select.length = 1;
    for (const d of devices.filter((d) => d.kind === kind && d.deviceId && d.deviceId !== 'default')) {
      const o = document.createElement('option');
      o.value = d.deviceId;
      o.textContent = d.label || `${kind} ${select.length}`;
      select.append(o);
    }
    select.value = keep;
    if (select.value !== keep) select.value = '';
  };
  fill(mic, 'audioinput');
  fill(speaker, 'audiooutput');
}
