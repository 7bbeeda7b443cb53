// @ts-check
// The dialling directory: the BBSes and dial-up servers a person calls, each with its number, the
// modulation to ask for (AT+MS) and notes, kept in this browser (localStorage), exported and
// imported as JSON. Dialling an entry types `AT+MS=<modulation>;D<number>` into the modem, as a
// terminal program's dialler does, so the command and its result codes show in the terminal. An
// entry is a terminal call (a BBS) or dial-up networking (PPP, with its account and an optional
// login script: network.js runs it after CONNECT).

/**
 * One entry.
 * @typedef {object} Entry
 * @property {string} name
 * @property {string} number what follows ATD (digits, T/P, W, commas...)
 * @property {string} modulation the AT+MS setting, e.g. `V22B,1` (the page's Modulation list)
 * @property {'demo' | 'serial' | 'manual' | ''} link how the call is made ('' whatever is chosen)
 * @property {string} notes
 * @property {'terminal' | 'ppp'} network what the call is for: the terminal (a BBS), or dial-up
 *   networking (PPP)
 * @property {string} user PPP's account name (PAP or CHAP), for `ppp`
 * @property {string} password PPP's password, for `ppp` (kept in this browser as it is)
 * @property {string} script the login script run before PPP (chat(8) style), for `ppp`
 */

const STORAGE_KEY = 'softmodem.directory.v1';
/** Bounds on what is kept or imported: a directory is a list, not a database. */
export const MAX_ENTRIES = 500;
const MAX_FIELD = 200;
const MAX_NOTES = 2000;
const MAX_SCRIPT = 4000;
/** Characters a dial string may hold (V.250 6.3.1 less `;`, which would make it a voice call; spaces,
 * brackets and dashes as people write numbers, dropped when dialling). */
const DIAL_CHARS = /^[0-9A-Da-d*#+TtPpWw,!@\s()-]*$/;
/** AT+MS values: letters, digits and commas. */
const MODULATION_CHARS = /^[A-Za-z0-9,]*$/;
const LINKS = ['demo', 'serial', 'manual', ''];
const NETWORKS = ['terminal', 'ppp'];

/** The entries a new directory starts with: the demo BBS first. */
export const DEFAULT_ENTRIES = /** @type {Entry[]} */ ([
  {
    name: 'softmodem demo BBS',
    number: '5551234',
    modulation: 'V22B,1',
    link: 'demo',
    notes: 'The BBS inside this page, behind a simulated phone and line: ANSI menus, chat, art.',
    network: 'terminal',
    user: '',
    password: '',
    script: '',
  },
  {
    name: 'Demo dial-up server',
    number: '5552000',
    modulation: 'V22B,1',
    link: 'demo',
    notes: 'Dial-up networking inside this page: PPP to a small network with a web page and the BBS over telnet.',
    network: 'ppp',
    user: 'guest',
    password: 'demo',
    script: 'login: guest\nPassword: demo\n> ppp\n',
  },
]);

/**
 * An entry from anything (an imported file, storage): the entry, or a reason it is not one.
 * @param {unknown} v
 * @returns {{ entry: Entry } | { error: string }}
 */
export function toEntry(v) {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: 'not an object' };
  const o = /** @type {Record<string, unknown>} */ (v);
  /** @param {string} k @param {number} max */
  const str = (k, max) => {
    const x = o[k] ?? '';
    if (typeof x !== 'string') throw new Error(`${k} is not text`);
    if (x.length > max) throw new Error(`${k} is longer than ${max} characters`);
    return x;
  };
  try {
    const name = str('name', MAX_FIELD).trim();
    const number = str('number', MAX_FIELD).trim();
    const modulation = str('modulation', MAX_FIELD).trim() || 'V22B,1';
    const link = str('link', 10);
    const notes = str('notes', MAX_NOTES);
    const network = str('network', 10) || 'terminal';
    const user = str('user', MAX_FIELD);
    const password = str('password', MAX_FIELD);
    const script = str('script', MAX_SCRIPT);
    if (!name) return { error: 'no name' };
    if (!DIAL_CHARS.test(number)) return { error: `the number ${JSON.stringify(number)} has characters a dial string cannot hold` };
    if (!MODULATION_CHARS.test(modulation)) return { error: `the modulation ${JSON.stringify(modulation)} is not an AT+MS setting` };
    if (!LINKS.includes(link)) return { error: `the link ${JSON.stringify(link)} is not demo, serial or manual` };
    if (!NETWORKS.includes(network)) return { error: `the network ${JSON.stringify(network)} is not terminal or ppp` };
    return {
      entry: {
        name, number, modulation, link: /** @type {Entry['link']} */ (link), notes,
        network: /** @type {Entry['network']} */ (network), user, password, script,
      },
    };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * The entries in a JSON text (an export of this page: `{"softmodem-directory": 1, "entries": [...]}`,
 * or a bare array), or the reason they cannot be read.
 * @param {string} text
 * @returns {{ entries: Entry[] } | { error: string }}
 */
export function parseDirectory(text) {
  let v;
  try { v = JSON.parse(text); } catch { return { error: 'not JSON' }; }
  const list = Array.isArray(v) ? v : (v && typeof v === 'object' ? v.entries : undefined);
  if (!Array.isArray(list)) return { error: 'no list of entries' };
  if (list.length > MAX_ENTRIES) return { error: `more than ${MAX_ENTRIES} entries` };
  /** @type {Entry[]} */
  const entries = [];
  for (let i = 0; i < list.length; i++) {
    const r = toEntry(list[i]);
    if ('error' in r) return { error: `entry ${i + 1}: ${r.error}` };
    entries.push(r.entry);
  }
  return { entries };
}

/**
 * The text an export writes.
 * @param {Entry[]} entries
 */
export function exportDirectory(entries) {
  return JSON.stringify({ 'softmodem-directory': 1, entries }, null, 2) + '\n';
}

/** The directory's entries, kept in localStorage. */
export class Directory {
  /** @param {Storage | null} storage */
  constructor(storage) {
    this.storage = storage;
    /** @type {Entry[]} */
    this.entries = DEFAULT_ENTRIES.map((e) => ({ ...e }));
    const saved = this.load();
    if (saved) this.entries = saved;
  }

  /** @returns {Entry[] | null} */
  load() {
    try {
      const text = this.storage?.getItem(STORAGE_KEY);
      if (!text) return null;
      const r = parseDirectory(text);
      return 'entries' in r ? r.entries : null;
    } catch { return null; }
  }

  save() {
    try { this.storage?.setItem(STORAGE_KEY, exportDirectory(this.entries)); } catch { /* storage full or off: kept for this visit */ }
  }

  /** @param {Entry[]} entries */
  replace(entries) {
    this.entries = entries.slice(0, MAX_ENTRIES);
    this.save();
  }

  /**
   * Adds or (with `index`) changes an entry.
   * @param {Entry} entry
   * @param {number} [index]
   */
  put(entry, index) {
    if (index !== undefined && index >= 0 && index < this.entries.length) this.entries[index] = entry;
    else if (this.entries.length < MAX_ENTRIES) this.entries.push(entry);
    this.save();
  }

  /** @param {number} index */
  remove(index) {
    this.entries.splice(index, 1);
    this.save();
  }
}

/**
 * The command a dial of `entry` types.
 * @param {Entry} entry
 */
export function dialCommand(entry) {
  const number = entry.number.replace(/[\s()-]+/g, '');
  return entry.modulation ? `AT+MS=${entry.modulation};D${number}\r` : `ATD${number}\r`;
}
