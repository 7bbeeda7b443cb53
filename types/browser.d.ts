// Declarations the TypeScript DOM library lacks, for the type check of the page's scripts
// (tsconfig.json): the parts of Web Serial the page uses, and the AudioWorkletGlobalScope the
// modem's processor runs in (www/worklet/). Checked against the specifications (WICG Web Serial,
// W3C Web Audio API), not generated.

interface SerialPortInfo {
  usbVendorId?: number;
  usbProductId?: number;
  bluetoothServiceClassId?: number | string;
}

interface SerialOptions {
  baudRate: number;
  dataBits?: 7 | 8;
  stopBits?: 1 | 2;
  parity?: 'none' | 'even' | 'odd';
  bufferSize?: number;
  flowControl?: 'none' | 'hardware';
}

interface SerialOutputSignals {
  dataTerminalReady?: boolean;
  requestToSend?: boolean;
  break?: boolean;
}

interface SerialPort extends EventTarget {
  readonly readable: ReadableStream<Uint8Array> | null;
  readonly writable: WritableStream<Uint8Array> | null;
  getInfo(): SerialPortInfo;
  open(options: SerialOptions): Promise<void>;
  setSignals(signals: SerialOutputSignals): Promise<void>;
  close(): Promise<void>;
}

interface Serial extends EventTarget {
  getPorts(): Promise<SerialPort[]>;
  requestPort(options?: { filters?: SerialPortInfo[] }): Promise<SerialPort>;
}

interface Navigator {
  /** Web Serial: only in Chromium-based browsers on computers, in secure contexts. */
  readonly serial?: Serial;
}

// AudioWorkletGlobalScope (the processor's module only).
declare class AudioWorkletProcessor {
  constructor();
  readonly port: MessagePort;
}
declare function registerProcessor(
  name: string,
  processorCtor: new (options: any) => AudioWorkletProcessor,
): void;
declare const sampleRate: number;
/** The frame the render quantum being processed starts at. */
declare const currentFrame: number;
