// Keeps an embedded widget's trained model in the browser (IndexedDB), so that a Reveal.js slide
// revisited (Reveal unloads a hidden slide's iframe) or a reloaded lecture page finds the model
// where the student left it. Keyed by the widget's position on its page and its settings; a store
// that refuses (quota, private mode, a file:// page) or holds a record it cannot read is said on
// the page and otherwise ignored: the widget works as without it.
import { serialize } from './params.js';

const DB = 'lnn-web';
const STORE = 'kept-models';
const KEEP_MS = 3000; // while training, the latest weights are kept this often (and at each pause)

function openDb() {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.onblocked = () => reject(new Error('the store is held open by an older version of this page'));
  });
}

/** One request in a transaction of its own; resolves with its result once the transaction commits. */
function run(db, mode, f) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const r = f(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(r.result);
    tx.onerror = tx.onabort = () => reject(tx.error ?? r.error ?? new Error('the transaction was aborted'));
  });
}

/**
 * Where this widget sits: the `slot` the embedding <lnn-demo> puts in the URL's fragment (its
 * host page's path and its place among the page's widgets), else the embedding page's path.
 */
export function slotOf(hash, referrer) {
  const given = new URLSearchParams(hash.replace(/^#/, '')).get('slot');
  if (given) return given;
  try {
    return new URL(referrer).pathname;
  } catch {
    return '';
  }
}

/** The store's key: the place and the settings that make the model (not how the page shows it). */
export function keyOf(slot, settings) {
  const { autoplay, train, embed, controls, views, background, x0, ...model } = settings;
  return `${slot}|${serialize(model)}`;
}

const message = (err) => `${err?.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err?.message ?? err}`;

/**
 * Wires keeping into the demo: restores a kept model into training (Train continues from it),
 * keeps the run's weights as it trains, and shows "restored from step N" with Start over.
 */
export function keepTrainedModel(lnn, demo, dom, slot) {
  const note = dom('kept');
  const say = (text, isError = false) => {
    note.hidden = false;
    dom('kept-text').textContent = text;
    note.classList.toggle('error', isError);
  };
  let db = null;
  const request = (mode, f) => (db ??= openDb()).then((d) => run(d, mode, f));
  const key = () => keyOf(slot, demo.settings);
  const training = demo.training;
  const restoredKey = key();
  let failed = false;
  const refuse = (err) => {
    if (failed) return;
    failed = true; // once: the store would refuse every few seconds
    say(`This browser did not keep the model (${message(err)}); it lasts until the page is left.`, true);
  };
  training.keepEvery(KEEP_MS, ({ json, step }) => {
    request('readwrite', (s) => s.put({ json, step, savedAt: Date.now() }, key())).catch(refuse);
  });
  dom('start-over').addEventListener('click', () => {
    note.hidden = true;
    training.reset();
    request('readwrite', (s) => s.delete(key())).catch(refuse);
  });
  request('readonly', (s) => s.get(restoredKey)).then((record) => {
    if (record === undefined || key() !== restoredKey) return;
    const bad = (why) => {
      say(`The model kept in this browser could not be read (${why}) and was discarded.`, true);
      request('readwrite', (s) => s.delete(restoredKey)).catch(() => {});
    };
    if (typeof record?.json !== 'string') return bad('not a weights record');
    try {
      lnn.LearnedModel.fromWeights(record.json).free();
    } catch (err) {
      return bad(message(err));
    }
    training.load(record.json, 'the model kept in this browser');
    const step = JSON.parse(record.json).step;
    const when = Number.isFinite(record.savedAt) ? ` (${new Date(record.savedAt).toLocaleString('en')})` : '';
    say(`Restored from step ${step.toLocaleString('en')}${when}, kept in this browser.`);
    document.body.dataset.restoredStep = String(step);
    return undefined;
  }).catch(refuse);
}
