// @ts-check
// AudioWorkletGlobalScope has no TextDecoder or TextEncoder, and wasm-bindgen's glue builds one of
// each when it is imported. This module is imported first and supplies small UTF-8 versions.

/** @type {Record<string, unknown>} */
const scope = /** @type {any} */ (globalThis);

if (typeof scope.TextDecoder === 'undefined') {
  scope.TextDecoder = class TextDecoder {
    /**
     * @param {Uint8Array | ArrayBuffer | ArrayBufferView} [bytes]
     * @returns {string}
     */
    decode(bytes) {
      if (!bytes) return '';
      const b = bytes instanceof Uint8Array ? bytes
        : ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
          : new Uint8Array(bytes);
      let out = '';
      for (let i = 0; i < b.length;) {
        const c = b[i++];
        let cp;
        if (c < 0x80) cp = c;
        else if (c >= 0xc0 && c < 0xe0) cp = ((c & 0x1f) << 6) | (b[i++] & 0x3f);
        else if (c >= 0xe0 && c < 0xf0) cp = ((c & 0x0f) << 12) | ((b[i++] & 0x3f) << 6) | (b[i++] & 0x3f);
        else if (c >= 0xf0) cp = ((c & 0x07) << 18) | ((b[i++] & 0x3f) << 12) | ((b[i++] & 0x3f) << 6) | (b[i++] & 0x3f);
        else cp = 0xfffd;
        out += String.fromCodePoint(cp);
      }
      return out;
    }
  };
}

if (typeof scope.TextEncoder === 'undefined') {
  scope.TextEncoder = class TextEncoder {
    /**
     * @param {string} [s]
     * @returns {Uint8Array}
     */
    encode(s = '') {
      /** @type {number[]} */
      const out = [];
      for (const ch of s) {
        const cp = /** @type {number} */ (ch.codePointAt(0));
        if (cp < 0x80) out.push(cp);
        else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
        else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
        else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
      }
      return new Uint8Array(out);
    }

    /**
     * @param {string} s
     * @param {Uint8Array} view
     * @returns {{ read: number, written: number }}
     */
    encodeInto(s, view) {
      const b = this.encode(s);
      view.set(b.subarray(0, view.length));
      return { read: s.length, written: Math.min(b.length, view.length) };
    }
  };
}
