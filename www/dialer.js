// @ts-check
// The dialling directory's part of the page: the list (Dial buttons; Enter on a row dials it), the
// form that adds or changes an entry (a dial-up networking entry's account and login script show
// when PPP is chosen), import and export. Every text from an entry goes into the
// page as text (textContent, value), never as HTML.
import { Directory, parseDirectory, exportDirectory, toEntry } from './directory.js';
import { byId, byIdOf, note } from './status.js';

/** @typedef {import('./directory.js').Entry} Entry */

export class Dialer {
  /**
   * @param {(entry: Entry) => void} dial called when the person dials an entry
   * @param {Storage | null} storage
   */
  constructor(dial, storage) {
    this.dial = dial;
    this.directory = new Directory(storage);
    this.list = byIdOf('directory-list', HTMLOListElement);
    this.form = byIdOf('directory-form', HTMLFormElement);
    /** @type {number | undefined} the entry the form changes (undefined: a new one) */
    this.editing = undefined;
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.saveForm(); });
    byId('directory-add').addEventListener('click', () => this.edit(undefined));
    byId('directory-cancel').addEventListener('click', () => { this.form.hidden = true; });
    this.field('network').addEventListener('change', () => this.showNetwork());
    byId('directory-export').addEventListener('click', () => this.export());
    const file = byIdOf('directory-import', HTMLInputElement);
    file.addEventListener('change', async () => {
      const f = file.files?.[0];
      file.value = '';
      if (f) await this.import(f);
    });
    this.render();
  }

  /** @param {string} name */
  field(name) {
    const el = this.form.elements.namedItem(name);
    if (!(el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement)) {
      throw new Error(`no field ${name}`);
    }
    return el;
  }

  render() {
    this.list.replaceChildren(...this.directory.entries.map((entry, i) => this.row(entry, i)));
  }

  /**
   * @param {Entry} entry
   * @param {number} i
   */
  row(entry, i) {
    const li = document.createElement('li');
    li.tabIndex = 0;
    li.className = 'entry';
    li.setAttribute('aria-label', `${entry.name}, ${entry.number || 'no number'}${entry.network === 'ppp' ? ', dial-up networking' : ''}: Enter dials`);
    const name = document.createElement('span');
    name.className = 'entry-name';
    name.textContent = entry.name;
    const number = document.createElement('span');
    number.className = 'entry-number';
    number.textContent = entry.number;
    if (entry.network === 'ppp') {
      const tag = document.createElement('span');
      tag.className = 'entry-tag';
      tag.textContent = 'PPP';
      tag.title = 'Dial-up networking: PPP starts after CONNECT';
      number.append(' ', tag);
    }
    const notes = document.createElement('span');
    notes.className = 'entry-notes';
    notes.textContent = entry.notes;
    const dial = button('Dial', () => this.dial(entry));
    dial.setAttribute('aria-label', `Dial ${entry.name}`);
    const edit = button('Edit', () => this.edit(i), 'secondary');
    edit.setAttribute('aria-label', `Edit ${entry.name}`);
    const remove = button('Delete', () => { this.directory.remove(i); this.render(); }, 'secondary');
    remove.setAttribute('aria-label', `Delete ${entry.name}`);
    li.append(name, number, notes, dial, edit, remove);
    li.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target === li) { e.preventDefault(); this.dial(entry); }
    });
    return li;
  }

  /** @param {number | undefined} i the entry to change, or undefined for a new one */
  edit(i) {
    this.editing = i;
    /** @type {Entry} */
    const e = i === undefined
      ? { name: '', number: '', modulation: 'V22B,1', link: '', notes: '', network: 'terminal', user: '', password: '', script: '' }
      : this.directory.entries[i];
    this.field('name').value = e.name;
    this.field('number').value = e.number;
    this.field('modulation').value = e.modulation;
    this.field('link').value = e.link;
    this.field('notes').value = e.notes;
    this.field('network').value = e.network;
    this.field('user').value = e.user;
    this.field('password').value = e.password;
    this.field('script').value = e.script;
    this.showNetwork();
    this.form.hidden = false;
    this.field('name').focus();
  }

  saveForm() {
    const r = toEntry({
      name: this.field('name').value,
      number: this.field('number').value,
      modulation: this.field('modulation').value,
      link: this.field('link').value,
      notes: this.field('notes').value,
      network: this.field('network').value,
      user: this.field('user').value,
      password: this.field('password').value,
      script: this.field('script').value,
    });
    if ('error' in r) { note(`Directory: ${r.error}.`, 'warn'); return; }
    this.directory.put(r.entry, this.editing);
    this.form.hidden = true;
    this.render();
  }

  /** The account and the login script apply to dial-up networking only. */
  showNetwork() {
    const ppp = this.field('network').value === 'ppp';
    const fields = byIdOf('directory-ppp', HTMLFieldSetElement);
    fields.hidden = !ppp;
    fields.disabled = !ppp;
  }

  export() {
    const blob = new Blob([exportDirectory(this.directory.entries)], { type: 'application/json' });
    download(blob, 'softmodem-directory.json');
  }

  /** @param {Blob} file */
  async import(file) {
    if (file.size > 1 << 20) { note('Directory: the file is larger than 1 MiB.', 'warn'); return; }
    const r = parseDirectory(await file.text());
    if ('error' in r) { note(`Directory: could not import: ${r.error}.`, 'warn'); return; }
    this.directory.replace(r.entries);
    this.render();
    note(`Directory: ${r.entries.length} entries imported.`);
  }
}

/**
 * @param {string} text
 * @param {() => void} onClick
 * @param {string} [cls]
 */
function button(text, onClick, cls) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  if (cls) b.className = cls;
  b.addEventListener('click', onClick);
  return b;
}

/**
 * Offers `blob` as a file to save.
 * @param {Blob} blob
 * @param {string} name
 */
export function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
