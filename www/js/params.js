// Every setting of the page, in one table. The table drives the URL (parse and serialize, with
// clamping and validation), the controls (controls.js loops over it) and the widget's attributes.
// Pure: no DOM, no `location`; app.js is the only module that reads or writes the URL.

/** Names of the controls that embed mode can show (`?embed=1&controls=play,reset`). */
export const CONTROL_NAMES = [
  'play', 'reset', 'randomise', 'x0', 'integrator', 'train', 'step', 'train-reset', 'save', 'load', 'link',
  'system', 'model', 'coordinates', 'hidden', 'activation', 'init', 'lr', 'schedule', 'steps',
  'batch', 'clip', 'loss', 'weighting', 'angles', 'precision', 'seed',
  // Training on observed trajectories instead of exact accelerations.
  'data', 'sampling', 'noise', 'method', 'trajectories',
  // The editor of a typed Lagrangian (system=custom).
  'preset', 'lagrangian', 'coords', 'params', 'ranges',
];

/** Names of the views (`views=stage,energy`); empty means the ones that suit the system. */
export const VIEW_NAMES = ['stage', 'spacetime', 'energy', 'trajectory', 'loss'];

/**
 * The parameter table. `group`: `system` and `train` get a control each; `page` settings live
 * only in the URL (and the widget's attributes). `train` settings are the wasm Trainer's.
 */
export const PARAMS = [
  { key: 'system', type: 'enum', default: 'double-pendulum', options: ['double-pendulum', 'relativistic', 'wave', 'custom'], optionLabels: ['double pendulum', 'relativistic particle', '1-D wave (graph model)', 'your own Lagrangian'], group: 'system', label: 'System' },
  // A control of its own (system group) so that the initial state can be typed, not only dragged.
  // Up to 12 numbers: a typed Lagrangian may have 6 coordinates (lnn-core's MAX_DOF).
  { key: 'x0', type: 'floats', default: [], min: -100, max: 100, maxLength: 12, group: 'system', label: 'Initial state' },
  // How the learned rollouts are stepped: RK4 on their q̈, or the variational integrator on the
  // learned L itself (bounded energy error; models without a Lagrangian stay on RK4).
  { key: 'integrator', type: 'enum', default: 'rk4', options: ['rk4', 'variational'], optionLabels: ['RK4', 'variational (models with a Lagrangian)'], group: 'system', label: 'Learned rollouts step with' },
  // The typed Lagrangian of `system=custom` (lnn-core's CustomSpec, in the URL as text); its
  // defaults are the pendulum preset. Checked by the engine (the editor shows its errors).
  { key: 'lagrangian', type: 'text', default: 'm*l^2*theta_dot^2/2 + m*g*l*cos(theta)', maxLength: 2000, group: 'custom', label: 'Lagrangian L' },
  { key: 'coords', type: 'text', default: 'theta', maxLength: 200, group: 'custom', label: 'Coordinates' },
  { key: 'params', type: 'text', default: 'm=1,l=1,g=9.8', maxLength: 500, group: 'custom', label: 'Parameters' },
  { key: 'ranges', type: 'text', default: '-3:3,-4:4', maxLength: 500, group: 'custom', label: 'Training ranges (lo:hi per state number)' },
  { key: 'model', type: 'enum', default: 'lnn', options: ['lnn', 'baseline', 'hnn', 'graph-lnn'], optionLabels: ['LNN', 'baseline MLP', 'HNN', 'graph LNN'], group: 'train', label: 'Model' },
  { key: 'coordinates', type: 'enum', default: 'velocity', options: ['velocity', 'canonical'], optionLabels: ['(q, q̇)', '(q, p)'], group: 'train', label: 'HNN coordinates' },
  { key: 'hidden', type: 'ints', default: [64, 64], min: 1, max: 256, minLength: 1, maxLength: 4, group: 'train', label: 'Hidden widths' },
  { key: 'activation', type: 'enum', default: 'softplus', options: ['softplus', 'tanh', 'sigmoid', 'relu2', 'relu3', 'relu'], group: 'train', label: 'Activation' },
  { key: 'init', type: 'enum', default: 'xavier', options: ['xavier', 'paper', 'kaiming'], group: 'train', label: 'Weight init' },
  { key: 'lr', type: 'float', default: 3e-3, min: 1e-6, max: 1, group: 'train', label: 'Learning rate' },
  { key: 'schedule', type: 'enum', default: 'onecycle', options: ['onecycle', 'step', 'constant'], group: 'train', label: 'Schedule' },
  { key: 'steps', type: 'int', default: 200000, min: 10, max: 10000000, group: 'train', label: 'Schedule length' },
  { key: 'batch', type: 'int', default: 32, min: 1, max: 4096, group: 'train', label: 'Batch size' },
  { key: 'clip', type: 'float', default: 1, min: 0, max: 1000, group: 'train', label: 'Gradient clip (0: off)' },
  { key: 'loss', type: 'enum', default: 'l1', options: ['l1', 'mse'], group: 'train', label: 'Loss' },
  // Per-sample loss weights: `gamma` is the relativistic particle's paper score (each sample
  // weighted by 1 + 1/√(1 − q̇²), a canonical HNN's ṗ judged as q̈); other systems refuse it.
  { key: 'weighting', type: 'enum', default: 'none', options: ['none', 'gamma'], optionLabels: ['none', 'γ-weighted (relativistic: the paper\'s score)'], group: 'train', label: 'Loss weights' },
  { key: 'angles', type: 'enum', default: 'circle', options: ['circle', 'wrap'], optionLabels: ['(cos θ, sin θ)', 'wrapped θ'], group: 'train', label: 'Angles fed as' },
  { key: 'precision', type: 'enum', default: 'f32', options: ['f32', 'f64'], group: 'train', label: 'Precision' },
  { key: 'seed', type: 'int', default: 0, min: 0, max: 2147483647, group: 'train', label: 'Seed' },
  // Observed trajectories instead of exact accelerations (lnn-core's observe module): the system
  // sampled every `sampling` with Gaussian noise on q, or a trajectory file (not in the URL).
  { key: 'data', type: 'enum', default: 'accelerations', options: ['accelerations', 'observed'], optionLabels: ['exact accelerations', 'observed trajectories'], group: 'data', label: 'Train on' },
  { key: 'sampling', type: 'float', default: 0.05, min: 0.001, max: 1, group: 'data', label: 'Sampling interval (s)' },
  { key: 'noise', type: 'float', default: 0, min: 0, max: 1, group: 'data', label: 'Noise σ on q' },
  { key: 'method', type: 'enum', default: 'estimate', options: ['estimate', 'discrete'], optionLabels: ['estimated q̈ (any model)', 'discrete Euler–Lagrange (LNN)'], group: 'data', label: 'Learn by' },
  // A weights file to open on load (a URL, relative to the page): a model trained elsewhere (the
  // JAX trainer in python/, `lnn train`) shown beside the truth, and Train continues from it.
  { key: 'weights', type: 'text', default: '', maxLength: 2000, group: 'page', label: 'Weights file to open (URL)' },
  { key: 'autoplay', type: 'bool', default: true, group: 'page', label: 'Animate on load' },
  { key: 'train', type: 'bool', default: false, group: 'page', label: 'Train on load' },
  { key: 'embed', type: 'bool', default: false, group: 'page', label: 'Embed mode' },
  // Off: animation and training pause while the page is off-screen or its tab hidden (battery).
  { key: 'background', type: 'bool', default: false, group: 'page', label: 'Keep training when hidden' },
  { key: 'controls', type: 'names', default: [], options: CONTROL_NAMES, group: 'page', label: 'Controls shown in embed mode' },
  { key: 'views', type: 'names', default: [], options: VIEW_NAMES, group: 'page', label: 'Views shown' },
];

export const BY_KEY = new Map(PARAMS.map((p) => [p.key, p]));

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What depends on the system: the models it offers, the training defaults that differ from the
 * table's (so a link only spells out what the visitor changed), and the Trainer's fixed settings.
 * The wave's defaults are its shipped weights' architecture, with a schedule a visitor can wait for
 * (README, "Settings in the URL").
 */
export const PER_SYSTEM = {
  // observable: trainable on observed trajectories (no conditioning inputs, not a field).
  'double-pendulum': { models: ['lnn', 'baseline', 'hnn'], defaults: {}, trainer: { testSize: 256 }, observable: true },
  // f64 where f32 training has not been measured (the particle's data span γ up to 225; the
  // graph model's mass matrices are the worst conditioned): the f32 default is the pendulum's.
  relativistic: { models: ['lnn', 'baseline', 'hnn'], defaults: { precision: 'f64' }, trainer: { testSize: 256 } },
  // A typed Lagrangian: its own inputs (no angles to put on the circle), f64 as for the particle.
  custom: { models: ['lnn', 'baseline', 'hnn'], defaults: { angles: 'wrap', precision: 'f64' }, trainer: { testSize: 256 }, observable: true },
  wave: {
    models: ['graph-lnn'],
    defaults: { model: 'graph-lnn', hidden: [32, 32], batch: 4, loss: 'mse', steps: 20000, precision: 'f64' },
    trainer: { grid: 100, testSize: 32 },
  },
};

/** What a link held, quoted in a warning: at most QUOTE characters, so a warning stays a line. */
const QUOTE = 40;
const quote = (x) => {
  const t = String(x);
  return `"${t.length > QUOTE ? `${t.slice(0, QUOTE)}…` : t}"`;
};
/** The accepted names, cut after KNOWN characters (the embed controls are 35 names). */
const KNOWN = 120;
const known = (names) => {
  const all = names.join(', ');
  return all.length <= KNOWN ? all : `${all.slice(0, all.lastIndexOf(', ', KNOWN))}, … (see the README's table)`;
};
/** "a, b, c and 7 more": a long list of complaints stays one short warning. */
const some = (xs) => (xs.length <= 3 ? xs.join(', ') : `${xs.slice(0, 3).join(', ')} and ${xs.length - 3} more`);

const clampNumber = (x, p, integer) => {
  const v = integer ? Math.round(x) : x;
  const c = Math.min(p.max, Math.max(p.min, v));
  if (c !== v) return { value: c, warning: `${p.key}: ${x} is out of range [${p.min}, ${p.max}]; using ${c}` };
  return { value: c, warning: c !== x ? `${p.key}: ${x} is not a whole number; using ${c}` : null };
};

const number = (integer) => ({
  check(x, p) {
    if (typeof x !== 'number' || !Number.isFinite(x)) return { value: p.default, warning: `${p.key}: ${quote(x)} is not a finite number; using ${p.default}` };
    return clampNumber(x, p, integer);
  },
  // Text that is no number stays text, so that the warning quotes what was typed ("4s", not NaN).
  read: (s) => (s.trim() === '' || Number.isNaN(Number(s)) ? s : Number(s)),
  format: (v) => String(v),
});

const list = (integer) => ({
  check(xs, p) {
    if (!Array.isArray(xs)) return { value: p.default, warning: `${p.key}: not a list; using the default` };
    const warnings = [];
    const numbers = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
    const dropped = xs.filter((x) => !numbers.includes(x)).map(quote);
    if (dropped.length) warnings.push(`${some(dropped)} ${dropped.length === 1 ? 'is not a finite number' : 'are not finite numbers'}; dropped`);
    if (numbers.length > (p.maxLength ?? Infinity)) {
      warnings.push(`at most ${p.maxLength} entries; the other ${numbers.length - p.maxLength} dropped`);
      numbers.length = p.maxLength;
    }
    const clamped = [], outside = [];
    const value = numbers.map((x) => {
      // Floats keep 4 decimals so that the URL is short and parse(serialize(s)) equals s.
      // Clamped before rounding: 1e308 × 10⁴ would overflow to Infinity and be reported so.
      const r = clampNumber(x, p, integer);
      if (r.warning) clamped.push(r.warning.slice(p.key.length + 2));
      if (r.value !== (integer ? Math.round(x) : x) && (x < p.min || x > p.max)) outside.push(String(x));
      return integer ? r.value : Math.round(r.value * 1e4) / 1e4;
    });
    // Each clamp said in full while there are few; many are one line (a warning stays a line).
    if (clamped.length <= 3) warnings.push(...clamped);
    else warnings.push(`${some(outside.map(quote))} are out of range [${p.min}, ${p.max}]; clamped into it${clamped.length > outside.length ? '; others rounded to whole numbers' : ''}`);
    if (value.length < (p.minLength ?? 0)) {
      return { value: p.default, warning: `${p.key}: needs at least ${p.minLength} entries; using the default` };
    }
    return { value, warning: warnings.length ? `${p.key}: ${warnings.join('; ')}` : null };
  },
  read: (s) => s.split(',').map((t) => t.trim()).filter((t) => t !== '').map(Number),
  format: (v) => v.join(','),
});

/** How each type is checked, read from a URL string and written back. */
const TYPES = {
  enum: {
    check: (x, p) => (p.options.includes(x)
      ? { value: x, warning: null }
      : { value: p.default, warning: `${p.key}: ${quote(x)} is not one of ${p.options.join(', ')}; using ${p.default}` }),
    read: (s) => s,
    format: (v) => v,
  },
  int: number(true),
  float: number(false),
  bool: {
    check: (x, p) => (typeof x === 'boolean' ? { value: x, warning: null } : { value: p.default, warning: `${p.key}: ${quote(x)} is not 0 or 1; using ${p.default ? 1 : 0}` }),
    read: (s) => ({ '': true, 1: true, true: true, 0: false, false: false })[s] ?? s,
    format: (v) => (v ? '1' : '0'),
  },
  ints: list(true),
  floats: list(false),
  text: {
    check: (x, p) => (typeof x === 'string' && x.length <= p.maxLength
      ? { value: x, warning: null }
      : { value: p.default, warning: `${p.key}: longer than ${p.maxLength} characters; using the default` }),
    read: (s) => s,
    format: (v) => v,
  },
  names: {
    check(xs, p) {
      if (!Array.isArray(xs)) return { value: p.default, warning: `${p.key}: not a list; using the default` };
      const bad = [...new Set(xs.filter((x) => !p.options.includes(x)))].map((x) => quote(x).slice(1, -1));
      const value = [...new Set(xs.filter((x) => p.options.includes(x)))];
      return { value, warning: bad.length ? `${p.key}: unknown ${some(bad)} ignored (known: ${known(p.options)})` : null };
    },
    read: (s) => s.split(',').map((t) => t.trim()).filter((t) => t !== ''),
    format: (v) => v.join(','),
  },
};

/** The default of `key` for `system`. */
const defaultOf = (key, system) => PER_SYSTEM[system]?.defaults[key] ?? BY_KEY.get(key).default;

/** A fresh copy of the defaults (those of `system`, the table's default system if omitted). */
export function defaults(system = BY_KEY.get('system').default) {
  const s = Object.fromEntries(PARAMS.map((p) => [p.key, structuredClone(defaultOf(p.key, system))]));
  s.system = system;
  return s;
}

/** The models `system` offers (the model select shows only these). */
export const modelsOf = (system) => PER_SYSTEM[system].models;

/**
 * The settings a weights file fixes: a link that names one (`weights`) leaves them out and
 * ignores its own, since the file sets them on load (and may hold what the page could not
 * train, e.g. 3×600 layers).
 */
const FROM_WEIGHTS = new Set(['model', 'coordinates', 'hidden', 'activation']);

/** Checks the settings that depend on each other (the model against the system); fixes `state`. */
function checkTogether(state, warnings) {
  const models = modelsOf(state.system);
  if (!models.includes(state.model)) {
    const fallback = defaultOf('model', state.system);
    warnings.push(`model: "${state.model}" is not offered for the ${state.system} (${models.join(', ')}); using ${fallback}`);
    state.model = fallback;
  }
}

/**
 * Switches `state` to `system`: every training setting still at the old system's default moves
 * to the new one's; the ones the visitor changed stay (the model only if the new system offers
 * it). Returns the warnings (none when nothing had to give way).
 */
export function switchSystem(state, system) {
  const from = state.system;
  for (const p of PARAMS) {
    if (p.group === 'train' && same(state[p.key], defaultOf(p.key, from))) state[p.key] = structuredClone(defaultOf(p.key, system));
  }
  state.system = system;
  const warnings = [];
  checkTogether(state, warnings);
  return warnings;
}

/** Validates a typed value for `key`: `{value, warning}`, the value clamped or the default. */
export function check(key, value) {
  const p = BY_KEY.get(key);
  if (!p) throw new Error(`unknown setting "${key}"`);
  return TYPES[p.type].check(value, p);
}

/** Reads the text of a control or URL entry for `key`: `{value, warning}`. */
export function readText(key, text) {
  const p = BY_KEY.get(key);
  if (!p) throw new Error(`unknown setting "${key}"`);
  return TYPES[p.type].check(TYPES[p.type].read(String(text)), p);
}

/** The text a control shows for a value. */
export function formatValue(key, value) {
  const p = BY_KEY.get(key);
  return TYPES[p.type].format(value);
}

/** Settings from a query string (`?a=1&b=2`, or without the `?`): `{state, warnings}`. */
export function parse(query) {
  const params = new URLSearchParams(query);
  const system = params.has('system') ? readText('system', params.getAll('system').at(-1)).value : undefined;
  const state = defaults(system);
  const warnings = [];
  const unknown = [...new Set([...params.keys()].filter((key) => !BY_KEY.has(key)))].map(quote);
  if (unknown.length) warnings.push(`unknown setting${unknown.length > 1 ? 's' : ''} ${some(unknown)} ignored`);
  // One warning per setting at most: a key given twice counts once, the last value as before.
  for (const key of new Set(params.keys())) {
    if (!BY_KEY.has(key)) continue;
    const texts = params.getAll(key);
    const { value, warning } = readText(key, texts.at(-1));
    state[key] = value;
    const twice = texts.length > 1 ? `given ${texts.length} times, the last used` : null;
    if (warning || twice) warnings.push(twice ? `${key}: ${twice}${warning ? `; ${warning.slice(key.length + 2)}` : ''}` : warning);
  }
  // A link's weights file sets these on load: the link's own would be overruled (and its link
  // leaves them out: serialize).
  if (state.weights) {
    for (const key of FROM_WEIGHTS) {
      const fallback = defaultOf(key, state.system);
      if (same(state[key], fallback)) continue;
      warnings.push(`${key}: set by the weights file the link names; ignored`);
      state[key] = structuredClone(fallback);
    }
  }
  checkTogether(state, warnings);
  return { state, warnings };
}

/**
 * The query string (no `?`) of the settings that differ from the defaults (the system's), in
 * table order.
 */
export function serialize(state) {
  const q = new URLSearchParams();
  const system = PER_SYSTEM[state.system] ? state.system : undefined;
  for (const p of PARAMS) {
    if (state.weights && FROM_WEIGHTS.has(p.key)) continue;
    if (state[p.key] !== undefined && !same(state[p.key], defaultOf(p.key, system))) q.set(p.key, TYPES[p.type].format(state[p.key]));
  }
  return q.toString().replaceAll('%2C', ',');
}

/**
 * The typed Lagrangian of `state` as lnn-core's CustomSpec: `coords` "a,b", `params` "g=9.8,k=1",
 * `ranges` "lo:hi,..." (empty: the engine's defaults). Throws with the setting's name when the
 * text is not in that form; what the names and numbers mean is the engine's to check.
 */
export function customSpec(state) {
  const items = (text) => text.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const number = (key, t) => {
    const v = Number(t);
    if (t === '' || !Number.isFinite(v)) throw new Error(`${key}: "${t}" is not a finite number`);
    return v;
  };
  const pair = (key, t, sep, hint) => {
    const i = t.indexOf(sep);
    if (i < 0) throw new Error(`${key}: "${t}" is not ${hint}`);
    return [t.slice(0, i).trim(), t.slice(i + 1).trim()];
  };
  return {
    lagrangian: state.lagrangian,
    coordinates: items(state.coords),
    parameters: items(state.params).map((t) => {
      const [name, v] = pair('params', t, '=', 'name=value (e.g. g=9.8)');
      return [name, number('params', v)];
    }),
    ranges: items(state.ranges).map((t) => pair('ranges', t, ':', 'lo:hi (e.g. -1:1)').map((v) => number('ranges', v))),
  };
}

/** The wasm Trainer's settings object from page settings. */
export function trainerSettings(state) {
  const s = { system: state.system, ...PER_SYSTEM[state.system].trainer };
  for (const p of PARAMS) if (p.group === 'train' || p.group === 'data') s[p.key] = state[p.key];
  if (!PER_SYSTEM[state.system].observable) s.data = 'accelerations';
  // A dropped trajectory file (page state, not a URL setting) replaces the observation.
  if (s.data === 'observed' && state.trajectoryFile) s.csv = state.trajectoryFile.text;
  if (state.system === 'custom') s.custom = customSpec(state);
  if (s.clip === 0) delete s.clip; // 0 means no clipping; the Trainer takes "absent"
  return s;
}
