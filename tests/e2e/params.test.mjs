// The parameter table's pure functions (www/js/params.js), run in Node: no browser needed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PARAMS, check, defaults, parse, serialize, switchSystem, trainerSettings } from '../../www/js/params.js';

test('an empty query gives the defaults and serializes to nothing', () => {
  const { state, warnings } = parse('');
  assert.deepEqual(state, defaults());
  assert.deepEqual(warnings, []);
  assert.equal(serialize(state), '');
});

test('every default passes its own check unchanged', () => {
  for (const p of PARAMS) {
    const { value, warning } = check(p.key, p.default);
    assert.deepEqual(value, p.default, p.key);
    assert.equal(warning, null, p.key);
  }
});

test('settings round-trip through the URL', () => {
  const s = {
    ...defaults(), system: 'relativistic', model: 'hnn', coordinates: 'canonical', hidden: [32, 16, 8],
    activation: 'tanh', lr: 0.0005, batch: 64, seed: 7, x0: [1.2345, -0.5, 3], embed: true,
    controls: ['play', 'reset'], autoplay: false, train: true,
  };
  const q = serialize(s);
  assert.match(q, /hidden=32,16,8/, 'lists stay readable in the URL');
  const { state, warnings } = parse(q);
  assert.deepEqual(warnings, []);
  assert.deepEqual(state, s);
});

test('out-of-range numbers are clamped and say so', () => {
  const { state, warnings } = parse('batch=100000&lr=5&seed=-3&steps=12.6');
  assert.equal(state.batch, 4096);
  assert.equal(state.lr, 1);
  assert.equal(state.seed, 0);
  assert.equal(state.steps, 13, 'integers are rounded');
  assert.equal(warnings.length, 4, warnings.join('\n'));
  assert.match(warnings[0], /batch: 100000 is out of range/);
  assert.match(warnings[3], /steps: 12.6 is not a whole number; using 13/);
});

test('bad values fall back to the default with a warning naming the key', () => {
  const { state, warnings } = parse('model=transformer&lr=fast&hidden=a,b&autoplay=maybe&nope=1&controls=play,fly');
  assert.equal(state.model, 'lnn');
  assert.equal(state.lr, 3e-3);
  assert.deepEqual(state.hidden, [64, 64]);
  assert.equal(state.autoplay, true);
  assert.deepEqual(state.controls, ['play']);
  for (const k of ['model', 'lr', 'hidden', 'autoplay', 'nope', 'controls']) {
    assert.ok(warnings.some((w) => w.includes(k)), `no warning for ${k}: ${warnings.join('; ')}`);
  }
});

test('lists are clamped element by element and cut to their maximum length', () => {
  const { state } = parse('hidden=0,600,8,8,8&x0=1.23456789,2');
  assert.deepEqual(state.hidden, [1, 256, 8, 8]);
  assert.deepEqual(state.x0, [1.2346, 2], 'initial states keep 4 decimals');
});

test('a bare flag is true (`?embed`), 0 and false are false', () => {
  assert.equal(parse('embed').state.embed, true);
  assert.equal(parse('embed=1').state.embed, true);
  assert.equal(parse('autoplay=0').state.autoplay, false);
  assert.equal(parse('autoplay=false').state.autoplay, false);
});

test('the Trainer gets only its own settings, with clip 0 meaning none', () => {
  const t = trainerSettings({ ...defaults(), clip: 0, embed: true });
  assert.equal(t.clip, undefined);
  assert.equal(t.embed, undefined);
  assert.equal(t.system, 'double-pendulum');
  assert.deepEqual(Object.keys(t).sort(), ['activation', 'angles', 'batch', 'coordinates', 'data', 'hidden', 'init', 'loss', 'lr', 'method', 'model', 'noise', 'precision', 'sampling', 'schedule', 'seed', 'steps', 'system', 'testSize', 'weighting']);
  // Observed data go to the Trainer only for systems that can be observed; a dropped file with them.
  assert.equal(trainerSettings({ ...defaults(), system: 'wave', data: 'observed' }).data, 'accelerations');
  const file = { name: 'f.csv', text: 't,a,b\n' };
  assert.equal(trainerSettings({ ...defaults(), data: 'observed', trajectoryFile: file }).csv, file.text);
  assert.equal(trainerSettings({ ...defaults(), trajectoryFile: file }).csv, undefined);
});

test('the wave has its own defaults, so its link spells out only the system', () => {
  const { state, warnings } = parse('system=wave');
  assert.deepEqual(warnings, []);
  assert.equal(state.model, 'graph-lnn');
  assert.deepEqual(state.hidden, [32, 32]);
  assert.equal(state.batch, 4);
  assert.equal(state.loss, 'mse');
  assert.equal(serialize(state), 'system=wave');
  const t = trainerSettings(state);
  assert.equal(t.grid, 100);
  assert.equal(t.testSize, 32);
  assert.equal(t.model, 'graph-lnn');
});

test('a model the system does not offer falls back to the system\'s, with a warning', () => {
  for (const [q, model] of [['system=wave&model=lnn', 'graph-lnn'], ['system=wave&model=baseline', 'graph-lnn'], ['model=graph-lnn', 'lnn'], ['system=relativistic&model=graph-lnn', 'lnn']]) {
    const { state, warnings } = parse(q);
    assert.equal(state.model, model, q);
    assert.equal(warnings.length, 1, `${q}: ${warnings}`);
    assert.match(warnings[0], /^model: ".*" is not offered for the/);
  }
});

test('switching the system moves the settings still at their defaults and keeps the changed ones', () => {
  const s = { ...defaults(), seed: 5, lr: 0.01 };
  assert.deepEqual(switchSystem(s, 'wave'), []);
  assert.equal(s.system, 'wave');
  assert.equal(s.model, 'graph-lnn');
  assert.deepEqual(s.hidden, [32, 32]);
  assert.equal(s.seed, 5);
  assert.equal(s.lr, 0.01);
  assert.equal(serialize(s), 'system=wave&lr=0.01&seed=5');
  switchSystem(s, 'double-pendulum');
  assert.deepEqual(s, { ...defaults(), seed: 5, lr: 0.01 }, 'and back');
  // A changed width stays, a model the wave lacks gives way.
  const t = { ...defaults(), model: 'hnn', hidden: [16] };
  const w = switchSystem(t, 'wave');
  assert.equal(t.model, 'graph-lnn');
  assert.deepEqual(t.hidden, [16]);
  assert.equal(w.length, 1);
});

test('a huge entry is reported as the number given, not as Infinity', () => {
  const { state, warnings } = parse('x0=1e308,0,0,0');
  assert.deepEqual(state.x0, [100, 0, 0, 0]);
  assert.match(warnings.join('; '), /x0: 1e\+308 is out of range \[-100, 100\]; using 100/);
  assert.doesNotMatch(warnings.join('; '), /Infinity/);
  // Text that is no number is quoted as typed (a stray key in the batch field read "NaN").
  assert.match(parse('batch=4s').warnings[0], /batch: "4s" is not a finite number; using 32/);
});

test('an initial state the system cannot use is named, and the link shows what runs', async () => {
  const { checkInitialState } = await import('../../www/js/systems.js');
  // The wrong length: the default, said so (it was silently ignored).
  let r = checkInitialState('double-pendulum', [1, 2, 3]);
  assert.deepEqual(r.x0, []);
  assert.match(r.warnings[0], /double pendulum's initial state has 4 entries \(θ1, θ2, ω1, ω2\), not 3; using the default 1,2,0,0/);
  // Faster than light: clamped to 0.99, said so, and the link carries 0.99.
  r = checkInitialState('relativistic', [0, 1.5, 2]);
  assert.deepEqual(r.x0, [0, 0.99, 2]);
  assert.match(r.warnings[0], /q̇ = 1.5 → 0.99 \(the speed stays below light's/);
  assert.equal(serialize({ ...defaults('relativistic'), x0: r.x0 }), 'system=relativistic&x0=0,0.99,2');
  // The wave's pulse: width and amplitude into range, each named.
  r = checkInitialState('wave', [1.25, 3, -9]);
  assert.deepEqual(r.x0, [0.25, 0.5, -5]);
  assert.match(r.warnings[0], /centre = 1.25 → 0.25, width σ = 3 → 0.5, amplitude = -9 → -5/);
  // An angle outside [−π, π) is the same angle inside it.
  r = checkInitialState('double-pendulum', [4, 2, 0, 0]);
  assert.deepEqual(r.x0, [-2.2832, 2, 0, 0]);
  assert.match(r.warnings[0], /θ1 = 4 → -2.2832/);
  // What is usable passes unchanged and silently, and so does the empty default.
  for (const [system, x] of [['double-pendulum', [1, -2, 0.5, 0]], ['relativistic', [-5, 0.9, 2]], ['wave', [0.5, 0.05, 1]], ['wave', []]]) {
    assert.deepEqual(checkInitialState(system, x), { x0: x, warnings: [] }, system);
  }
});

// Minimal reproducers of what params-fuzz.test.mjs found.
test('fuzz: a list of a thousand bad entries is one short warning', () => {
  const { state, warnings } = parse(`x0=${Array(1000).fill('NaN').join(',')},1`);
  assert.deepEqual(state.x0, [1]);
  assert.deepEqual(warnings, ['x0: "NaN", "NaN", "NaN" and 997 more are not finite numbers; dropped']);
  const long = parse(`hidden=${Array(500).fill('999').join(',')}`);
  assert.deepEqual(long.state.hidden, [256, 256, 256, 256]);
  assert.deepEqual(long.warnings, ['hidden: at most 4 entries; the other 496 dropped; "999", "999", "999" and 1 more are out of range [1, 256]; clamped into it']);
});

test('fuzz: what a link held is quoted short, and unknown settings are one warning', () => {
  const { warnings } = parse(`${'k'.repeat(3000)}=1&zoom=2&zoom=3&model=${'a'.repeat(5000)}`);
  assert.equal(warnings[0], `unknown settings "${'k'.repeat(40)}…", "zoom" ignored`);
  assert.equal(warnings[1], `model: "${'a'.repeat(40)}…" is not one of lnn, baseline, hnn, graph-lnn; using lnn`);
});

test('fuzz: a setting given twice warns once and the last one counts, the system too', () => {
  const { state, warnings } = parse('system=wave&system=relativistic&seed=1&seed=2');
  assert.equal(state.system, 'relativistic');
  assert.deepEqual(state, { ...defaults('relativistic'), seed: 2 }, 'the defaults are the system\'s that is used');
  assert.deepEqual(warnings, ['system: given 2 times, the last used', 'seed: given 2 times, the last used']);
});

test('a link naming a weights file leaves out what the file sets (its architecture)', () => {
  // A 3×600 file from the JAX trainer: its widths are past the page's own limit (256), and a
  // reload must not warn about settings the file, not the visitor, chose.
  const s = { ...defaults(), hidden: [600, 600, 600], activation: 'tanh', lr: 0.001, weights: 'trained/dp-3x600.json' };
  const q = serialize(s);
  assert.equal(q, 'lr=0.001&weights=trained%2Fdp-3x600.json');
  const { state, warnings } = parse(q);
  assert.deepEqual(warnings, []);
  assert.equal(state.weights, 'trained/dp-3x600.json');
  // Without a file the same settings are the link's own.
  assert.match(serialize({ ...s, weights: '' }), /hidden=600,600,600&activation=tanh/);
});

test('a link naming a weights file ignores its own architecture, with a word', () => {
  const { state, warnings } = parse('weights=mine.json&hidden=16,16&model=baseline&lr=0.01');
  assert.deepEqual(state.hidden, [64, 64]);
  assert.equal(state.model, 'lnn');
  assert.equal(state.lr, 0.01, 'the training settings are still the link\'s');
  assert.deepEqual(warnings, ['model: set by the weights file the link names; ignored', 'hidden: set by the weights file the link names; ignored']);
});
