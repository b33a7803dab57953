// Fuzzing the page's URL parser (www/js/params.js, and the initial-state check of systems.js), in
// Node, seeded and time-boxed: whatever a link holds, the page gets settings within the table's
// bounds, a short warning that names each setting it changed, and a link that reads back the same.
// Minimal reproducers of what it found are named tests in params.test.mjs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BY_KEY, PARAMS, parse, serialize, trainerSettings } from '../../www/js/params.js';
import { SYSTEMS, checkInitialState } from '../../www/js/systems.js';

const BUDGET_MS = 3000;
const MAX_WARNING = 400; // characters of one warning: a page line, not the link echoed back

/** mulberry32: a small seeded generator, so that a failure names the case that reproduces it. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const ATOMS = ['0', '1', '-1', '1e308', '-1e308', '1e-320', 'NaN', 'Infinity', '-0', '0.5', '3e-3', '256', '257', '4097',
  '2147483648', '9007199254740993', '0x10', '1_000', ' 7 ', '', ',', ',,', 'true', 'false', 'lnn', 'wave', 'relativistic',
  'graph-lnn', 'hnn', 'stage', 'play', 'f32', '%', '%zz', '%E2%82%AC', '€', '\u0000', '<script>', '"', "'", '&', '=', '#',
  'a'.repeat(5000)];

/** A random query: table keys (and others) with values built from awkward pieces. */
function query(random) {
  const pick = (xs) => xs[Math.floor(random() * xs.length)];
  const keys = [...BY_KEY.keys(), 'unknown', 'x0', 'hidden', 'Hidden', '', 'k'.repeat(3000)];
  const parts = [];
  const n = 1 + Math.floor(random() * 8);
  for (let i = 0; i < n; i++) {
    const length = random() < 0.1 ? 2000 : 1 + Math.floor(random() * 4);
    const value = Array.from({ length }, () => pick(ATOMS)).join(random() < 0.7 ? ',' : '');
    parts.push(random() < 0.05 ? pick(ATOMS) : `${pick(keys)}=${value}`);
  }
  return parts.join('&');
}

/** Is `v` within what the table allows for `p`? */
function allowed(p, v) {
  const inRange = (x) => typeof x === 'number' && Number.isFinite(x) && x >= p.min && x <= p.max;
  switch (p.type) {
    case 'enum': return p.options.includes(v);
    case 'bool': return typeof v === 'boolean';
    case 'int': return inRange(v) && Number.isInteger(v);
    case 'float': return inRange(v);
    case 'ints': case 'floats':
      return Array.isArray(v) && v.length >= (p.minLength ?? 0) && v.length <= p.maxLength
        && v.every((x) => inRange(x) && (p.type === 'floats' || Number.isInteger(x)));
    case 'text': return typeof v === 'string' && v.length <= p.maxLength;
    case 'names': return Array.isArray(v) && v.every((x) => p.options.includes(x)) && new Set(v).size === v.length;
    default: return false;
  }
}

test('any link gives settings within the table, short warnings, and a link that reads back the same', () => {
  const start = Date.now();
  let cases = 0;
  for (let seed = 1; Date.now() - start < BUDGET_MS; seed++, cases++) {
    const q = query(rng(seed));
    const where = `seed ${seed}: ?${q.slice(0, 200)}`;
    const { state, warnings } = parse(q);
    for (const p of PARAMS) assert.ok(allowed(p, state[p.key]), `${where}: ${p.key} = ${JSON.stringify(state[p.key])?.slice(0, 100)}`);
    assert.ok(state.model && PARAMS.length === Object.keys(state).length, where);
    for (const w of warnings) {
      assert.ok(w.length <= MAX_WARNING, `${where}: a warning of ${w.length} characters: ${w.slice(0, 120)}…`);
      assert.match(w, /^(unknown setting|[a-z0-9]+: )/, `${where}: a warning that names no setting: ${w.slice(0, 120)}`);
    }
    assert.ok(warnings.length <= 2 * PARAMS.length, `${where}: ${warnings.length} warnings`);
    // The initial state as the page takes it (app.js: checkInitialState after parse).
    const { x0, warnings: more } = checkInitialState(state.system, state.x0);
    assert.ok(x0.length === 0 || x0.length === SYSTEMS[state.system].stateLength, where);
    assert.ok(x0.every(Number.isFinite), where);
    for (const w of more) assert.ok(w.length <= MAX_WARNING, `${where}: ${w.slice(0, 120)}`);
    // What the page then shows in its link reads back unchanged and without a word.
    const fixed = { ...state, x0 };
    const again = parse(serialize(fixed));
    assert.deepEqual(again.warnings, [], `${where}: the page's own link warns`);
    assert.deepEqual(again.state, fixed, where);
    // And the Trainer gets finite numbers only.
    for (const [k, v] of Object.entries(trainerSettings(fixed))) {
      if (typeof v === 'number') assert.ok(Number.isFinite(v), `${where}: trainer ${k} = ${v}`);
    }
  }
  assert.ok(cases > 200, `only ${cases} cases in ${BUDGET_MS} ms`);
  console.log(`${cases} links in ${BUDGET_MS} ms`);
});
