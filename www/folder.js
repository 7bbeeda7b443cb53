// @ts-check
// A folder for received files, as a terminal program's download directory: chosen once with the
// File System Access API (where the browser has it: Chrome), kept for later visits (IndexedDB holds
// its handle), and written to as files arrive, a name already there getting " (1)", " (2)" as a
// browser's downloads do. Without a folder, without the permission to write (a later visit asks
// again on the button), or when writing fails, a file is saved as a browser download instead.
import { download } from './dialer.js';

const DB = 'softmodem';
const STORE = 'handles';
const KEY = 'download-folder';
/** The most " (n)" tried for a free name. */
const MAX_COPIES = 999;

/**
 * Runs `fn` on the handle store; resolves with its request's result (undefined if IndexedDB is off).
 * @param {IDBTransactionMode} mode
 * @param {(store: IDBObjectStore) => IDBRequest} fn
 * @returns {Promise<any>}
 */
function withStore(mode, fn) {
  return new Promise((resolve) => {
    let open;
    try { open = indexedDB.open(DB, 1); } catch { resolve(undefined); return; }
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onerror = () => resolve(undefined);
    open.onsuccess = () => {
      const db = open.result;
      try {
        const request = fn(db.transaction(STORE, mode).objectStore(STORE));
        request.onsuccess = () => { resolve(request.result); db.close(); };
        request.onerror = () => { resolve(undefined); db.close(); };
      } catch {
        resolve(undefined);
        db.close();
      }
    };
  });
}

/**
 * `name` with " (n)" before its extension: `a.txt`, `a (1).txt`.
 * @param {string} name
 * @param {number} n
 */
export function copyName(name, n) {
  if (n === 0) return name;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

export class DownloadFolder {
  /**
   * @param {(text: string, kind?: '' | 'warn' | 'error') => void} note a line in the log
   * @param {HTMLButtonElement} button chooses the folder (hidden where the browser cannot)
   */
  constructor(note, button) {
    this.note = note;
    this.button = button;
    /** @type {any} a FileSystemDirectoryHandle */
    this.handle = null;
    this.button.hidden = !DownloadFolder.supported();
    this.button.addEventListener('click', () => { this.choose(); });
    this.show();
    if (DownloadFolder.supported()) {
      withStore('readonly', (s) => s.get(KEY)).then((h) => {
        if (h && !this.handle) { this.handle = h; this.show(); }
      });
    }
  }

  /** True where the browser lets a page write to a folder the person chose. */
  static supported() {
    return typeof (/** @type {any} */ (window).showDirectoryPicker) === 'function';
  }

  /** The button: "Folder…", or the folder's name and whether it may be written. */
  async show() {
    const h = this.handle;
    if (!h) {
      this.button.textContent = 'Save to folder…';
      this.button.title = 'Received files go as browser downloads; choose a folder to save them there instead';
      return;
    }
    const allowed = await this.permission(false);
    this.button.textContent = allowed ? `Folder: ${h.name}` : `Folder: ${h.name} (allow)`;
    this.button.title = allowed ? `Received files are saved in ${h.name}; click to choose another folder`
      : `Click to let the page write to ${h.name} again (until then received files go as browser downloads)`;
  }

  /**
   * Whether the folder may be written; with `ask`, asks the person (needs a click).
   * @param {boolean} ask
   */
  async permission(ask) {
    const h = this.handle;
    if (!h) return false;
    try {
      if (typeof h.queryPermission !== 'function') return true;
      if (await h.queryPermission({ mode: 'readwrite' }) === 'granted') return true;
      return ask && await h.requestPermission({ mode: 'readwrite' }) === 'granted';
    } catch {
      return false;
    }
  }

  /** The button: a folder kept from an earlier visit is allowed again, else one is chosen. */
  async choose() {
    if (this.handle && !(await this.permission(false)) && await this.permission(true)) {
      this.note(`Received files go to the folder ${this.handle.name}.`);
      this.show();
      return;
    }
    let h;
    try {
      h = await /** @type {any} */ (window).showDirectoryPicker({ id: 'softmodem-downloads', mode: 'readwrite' });
    } catch (e) {
      if (!(e instanceof DOMException && e.name === 'AbortError')) this.note(`No folder: ${e instanceof Error ? e.message : String(e)}`, 'warn');
      return;
    }
    this.handle = h;
    await withStore('readwrite', (s) => s.put(h, KEY));
    this.note(`Received files go to the folder ${h.name}.`);
    this.show();
  }

  /**
   * Saves a received file: in the folder if there is one that may be written, else as a download.
   * Resolves with where it went, for the log ("saved in FOLDER as NAME" or "saved as a download").
   * @param {Blob} blob
   * @param {string} name
   * @returns {Promise<string>}
   */
  async save(blob, name) {
    const h = this.handle;
    if (h && await this.permission(false)) {
      try {
        for (let n = 0; n <= MAX_COPIES; n++) {
          const candidate = copyName(name, n);
          if (await this.exists(candidate)) continue;
          const file = await h.getFileHandle(candidate, { create: true });
          const w = await file.createWritable();
          await w.write(blob);
          await w.close();
          return `saved in ${h.name} as ${candidate}`;
        }
        throw new Error(`${MAX_COPIES} copies of ${name} there already`);
      } catch (e) {
        this.note(`Cannot write ${name} in ${h.name} (${e instanceof Error ? e.message : String(e)}): saving it as a download.`, 'warn');
      }
    }
    download(blob, name);
    return 'saved as a download';
  }

  /** @param {string} name */
  async exists(name) {
    try {
      await this.handle.getFileHandle(name);
      return true;
    } catch (e) {
      if (e instanceof DOMException && e.name === 'NotFoundError') return false;
      throw e;
    }
  }
}
