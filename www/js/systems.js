// What the page shows for each system: the rollouts side by side (true system first), the shipped
// weights of each learned rollout, the initial state and how to draw a random one. Pure data and
// small pure functions; no DOM.
import { check, customSpec, defaults } from './params.js';

/** Colours of the rollouts, by slot key (see slotKey). */
export const COLORS = {
  truth: '#e6e6e6',
  lnn: '#f0a030',
  baseline: '#6cb6ff',
  hnn: '#d2a8ff',
  'hnn-canonical': '#7ee787',
  'graph-lnn': '#f0a030',
};

const LABELS = {
  truth: 'true system',
  lnn: 'LNN',
  baseline: 'baseline MLP',
  hnn: 'HNN (q, q̇)',
  'hnn-canonical': 'HNN (q, p)',
  'graph-lnn': 'graph LNN',
};

/** The slot a model of this kind occupies: the HNN in canonical coordinates has its own. */
export function slotKey(model, coordinates) {
  return model === 'hnn' && coordinates === 'canonical' ? 'hnn-canonical' : model;
}

export const slotLabel = (key) => LABELS[key] ?? key;
export const slotColor = (key) => COLORS[key] ?? '#ff7b72';

/** The relativistic particle's canonical momentum p = ∂L/∂q̇ = q̇ (1 − q̇²)^(−3/2) (c = m = 1). */
export const relativisticMomentum = (v) => v * Math.pow(1 - v * v, -1.5);

/**
 * The double pendulum's (m = l = 1) canonical momenta p = M(θ) ω:
 * p1 = 2 ω1 + ω2 cos(θ1 − θ2), p2 = ω2 + ω1 cos(θ1 − θ2).
 */
export const pendulumMomenta = ([t1, t2, w1, w2]) => {
  const c = Math.cos(t1 - t2);
  return [t1, t2, 2 * w1 + w2 * c, w2 + w1 * c];
};

const uniform = (random, a, b) => a + (b - a) * random();

const WAVE_GRID = 100; // points of the periodic box [0, 1): dx = 0.01, as the shipped weights

/**
 * A Gaussian pulse at rest on the wave's grid, φ_i = A exp(−½ (d_i/σ)²) with d_i the periodic
 * distance from x_i = i dx to the centre, and φ̇_i = 0: the state [φ (N), φ̇ (N)]. The same pulse
 * as lnn-core's `Wave::gaussian_pulse`.
 */
export function gaussianPulse([centre, sigma, amplitude], n = WAVE_GRID) {
  const phi = Array.from({ length: n }, (_, i) => {
    let d = i / n - centre;
    d -= Math.round(d);
    return amplitude * Math.exp(-0.5 * (d / sigma) ** 2);
  });
  return [...phi, ...new Array(n).fill(0)];
}

export const SYSTEMS = {
  'double-pendulum': {
    title: 'double pendulum',
    view: 'pendulum',
    lede: 'Below, the true double pendulum, a Lagrangian Neural Network and a plain MLP that predicts accelerations directly start from the same state.',
    hint: 'Drag a bob to start all of them from there; Train to learn your own LNN in a web worker (the default 200,000 steps took 3.5–4.5 minutes on a 2-core machine), and watch its energy error fall below the baseline\'s under the loss curve.',
    views: ['stage', 'energy'],
    dof: 2,
    stateLength: 4,
    stateNames: ['θ1', 'θ2', 'ω1', 'ω2'],
    stateRule: 'angles are taken in [−π, π)',
    x0: [1, 2, 0, 0],
    energyScale: 29.4, // 3 m g l with m = l = 1, g = 9.8: the drift readout's normaliser
    energyLabel: 'energy E (J)', // m = 1 kg, l = 1 m, g = 9.8 m/s² (the caption says so)
    energyProtocol: true, // the paper's energy-error protocol is defined for it (energy-panel.js)
    loopSeconds: Infinity,
    slots: [
      { key: 'lnn', weights: 'models/double-pendulum-lnn.json' },
      { key: 'baseline', weights: 'models/double-pendulum-baseline.json' },
    ],
    /** The paper's energy protocol: angles anywhere, nearly at rest. */
    toCanonical: pendulumMomenta,
    /** A state in words, for the stage's text alternative. */
    describe: ([t1, t2, w1, w2]) => `θ1 ${t1.toFixed(2)} rad, θ2 ${t2.toFixed(2)} rad, ω1 ${w1.toFixed(2)}, ω2 ${w2.toFixed(2)} rad/s`,
    randomState: (random) => [uniform(random, -Math.PI, Math.PI), uniform(random, -Math.PI, Math.PI), 0, 0],
    /** A usable initial state: angles wrapped into [−π, π). */
    fixState: (x) => x.map((v, i) => (i < 2 ? ((((v + Math.PI) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI)) - Math.PI : v)),
  },
  relativistic: {
    title: 'relativistic particle',
    view: 'particle',
    lede: 'Below, a relativistic particle in a uniform field: the truth, an LNN, and Hamiltonian networks fed (q, q̇) and canonical (q, p) coordinates.',
    hint: 'Every 10 s the rollouts start again from the initial state; Randomise picks another (q, q̇, g).',
    views: ['stage', 'trajectory'], // the energy (1 − q̇²)^(−1/2) + … explodes as a learned |q̇| nears 1: not shown by default
    dof: 1,
    stateLength: 3,
    stateNames: ['q', 'q̇', 'g'],
    stateRule: 'the speed stays below light\'s, |q̇| ≤ 0.99 (c = 1)',
    x0: [-5, 0, 2],
    energyScale: 1,
    energyLabel: 'energy E (units of m c²)',
    qLabel: 'position q (light-s)', // c = 1
    loopSeconds: 10, // the rollouts restart from the initial state every 10 s
    qRange: [-12, 12], // the training data has q in [−10, 10]
    slots: [
      { key: 'lnn', weights: 'models/relativistic-lnn.json' },
      { key: 'hnn', weights: 'models/relativistic-hnn-velocity.json' },
      { key: 'hnn-canonical', weights: 'models/relativistic-hnn-canonical.json' },
    ],
    toCanonical: ([q, v, g]) => [q, relativisticMomentum(v), g],
    describe: ([q, v]) => `q ${q.toFixed(2)}, q̇ ${v.toFixed(3)}`,
    randomState: (random) => [uniform(random, -6, 6), uniform(random, -0.9, 0.9), uniform(random, -5, 5)],
    /** |q̇| < 1 (c = 1). */
    fixState: (x) => [x[0], Math.max(-0.99, Math.min(0.99, x[1])), x[2]],
  },
  wave: {
    title: '1-D wave',
    view: 'wave',
    lede: 'Below, a wave on a periodic string of 100 points (the paper\'s Figure 4): the true field and a graph LNN, one small network for the Lagrangian density of every point, learned from data.',
    hint: 'Randomise starts a new pulse. Shown in slow motion: each frame advances 2.5 ms of simulated time (~7× slower than real time) so the page stays smooth. Training the graph LNN here ran at 150–310 steps/s (250 on average, page at 59–60 frames/s, on a quiet two-core machine): the default 20,000 steps take under a minute and a half. Its loss starts near 10¹² (a random network\'s mass matrix ∂²L/∂φ̇² is nearly singular, so its accelerations are huge) and falls to ~10³ in the first ten seconds and ~1 after a minute; the shipped weights took 100,000 steps.',
    views: ['stage', 'spacetime', 'energy'],
    energyCaption: 'True (discrete) energy of the field of each rollout over time. The true system keeps its energy; the graph LNN\'s spikes by about 0.01 % when the two halves meet (a little more at each meeting: 0.012 % by t = 4 s, measured) and stays within 0.01 % between.',
    dof: WAVE_GRID,
    stateLength: 3, // the initial state is a pulse: x0 = [centre, width σ, amplitude]
    stateNames: ['centre', 'width σ', 'amplitude'],
    stateRule: 'the centre is taken in [0, 1), the width in [0.02, 0.5], the amplitude within ±5',
    x0: [0.5, 0.05, 1], // lnn-core's default wave state
    energyScale: null, // relative to the initial energy
    energyLabel: 'energy E (arb. units)',
    loopSeconds: Infinity,
    // One RK4 step of h = 2.5 ms per frame, truth and model alike (measured in wasm over 1 s of a
    // pulse: the same energy to 1e-9 as h = 1 ms; one graph-LNN evaluation costs ~1.75 ms, so
    // a frame costs ~7 ms for the model and ~1.5 ms for the truth).
    rollout: { dt: 0.0025, substeps: 1, truthSubsteps: 1, grid: WAVE_GRID },
    spacetime: { rowEvery: 4, seconds: 3 }, // a row every 10 ms; 3 s of simulated time shown
    traceLength: 1,
    slots: [{ key: 'graph-lnn', weights: 'models/wave-graph-lnn.json' }],
    toState: gaussianPulse,
    /** The field's highest point (a pulse splits in two and runs round the box). */
    describe: (x) => {
      const phi = x.slice(0, WAVE_GRID);
      const i = phi.indexOf(Math.max(...phi));
      return `highest φ ${phi[i].toFixed(3)} at x ${(i / WAVE_GRID).toFixed(2)}`;
    },
    /** The φ range of the field view: the initial pulse's, with room for its learned wobbles. */
    stageRange: (x) => {
      const phi = x.slice(0, WAVE_GRID);
      const hi = Math.max(...phi), lo = Math.min(...phi), a = Math.max(hi, -lo, 1e-9);
      return [Math.min(lo, 0) - 0.6 * a, Math.max(hi, 0) + 0.15 * a];
    },
    /** A pulse anywhere, of width 0.05–0.15 and amplitude 0.2–0.5, at rest. */
    randomState: (random) => [uniform(random, 0, 1), uniform(random, 0.05, 0.15), uniform(random, 0.2, 0.5)],
    /** Centre in [0, 1), width in [0.02, 0.5], amplitude within ±5. */
    fixState: ([c, w, a]) => [c - Math.floor(c), Math.max(0.02, Math.min(0.5, w)), Math.max(-5, Math.min(5, a))],
  },
};

/**
 * The descriptor of a typed Lagrangian (lnn-core's CustomSpec, checked by the engine first): the
 * same fields as the built-in systems', made from its names and ranges. No shipped weights: the
 * slots fill as the visitor trains. The stage is a phase portrait (q against q̇ of each
 * coordinate).
 */
export function customDescriptor(spec) {
  const q = spec.coordinates;
  const cond = spec.conditioning ?? [];
  const stateNames = [...q, ...q.map((n) => `${n}_dot`), ...cond];
  const ranges = spec.ranges?.length ? spec.ranges : [...stateNames.map((_, i) => (i < 2 * q.length ? [-1, 1] : [1, 1]))];
  const mid = ranges.map(([lo, hi]) => (lo + hi) / 2);
  // Start away from the middle (often a rest point): a quarter of the way up each range.
  const x0 = ranges.map(([lo, hi], i) => Number((i < 2 * q.length ? lo + 0.75 * (hi - lo) : mid[i]).toFixed(4)));
  return {
    title: 'typed Lagrangian',
    view: 'phase',
    lede: `Below, the motion of your Lagrangian L = ${spec.lagrangian}, derived by the Euler–Lagrange engine; train an LNN or a plain MLP on it and watch whether it keeps the energy.`,
    hint: 'Edit L, the coordinates, parameters and ranges under "Your Lagrangian", or pick a preset. No model is shipped for your system: until you press Train the model slot shows a fresh, untrained network; then it learns on states drawn from the ranges.',
    views: ['stage', 'trajectory', 'energy'],
    energyCaption: 'True energy E = q̇·∂L/∂q̇ − L along each rollout, from your L: the true system keeps it; a learned Lagrangian should stay close, a plain MLP drifts.',
    trajectoryCaption: `${q.length > 1 ? `${q.join(', ')} over time (one dash per coordinate)` : `${q[0]}(t)`} of each rollout against the truth; every 10 s the rollouts start again from the initial state.`,
    allCoordinates: true, // q(t) of every coordinate
    dof: q.length,
    stateLength: stateNames.length,
    stateNames,
    stateRule: 'any finite numbers',
    x0,
    energyScale: null,
    energyLabel: 'energy E',
    qLabel: q[0],
    loopSeconds: 10,
    qRange: ranges[0],
    slots: [],
    rollout: { custom: spec },
    ranges,
    describe: (x) => stateNames.map((n, i) => `${n} ${x[i].toFixed(2)}`).join(', '),
    randomState: (random) => ranges.map(([lo, hi], i) => (i < 2 * q.length ? lo + (hi - lo) * random() : mid[i])),
    fixState: (x) => x,
  };
}

/** Makes `spec` the page's typed Lagrangian (SYSTEMS.custom). */
export function useCustom(spec) {
  SYSTEMS.custom = customDescriptor(spec);
}

useCustom(customSpec(defaults('custom'))); // the URL table's defaults: the pendulum preset

/**
 * The initial state the page will use for the URL's `x0`, and what had to change on the way: the
 * wrong number of entries falls back to the system's default (`[]`), and entries outside the
 * system's range are moved into it, each named in a warning, so that the link and the widget
 * snippet (written from the returned `x0`) show what runs.
 */
export function checkInitialState(system, x0) {
  const s = SYSTEMS[system];
  if (x0.length === 0) return { x0: [], warnings: [] };
  if (x0.length !== s.stateLength) {
    return {
      x0: [],
      warnings: [`x0: the ${s.title}'s initial state has ${s.stateLength} entries (${s.stateNames.join(', ')}), not ${x0.length}; using the default ${s.x0.join(',')}`],
    };
  }
  const fixed = check('x0', s.fixState(x0)).value; // rounded as the URL keeps it
  const changed = fixed.flatMap((v, i) => (v === x0[i] ? [] : [`${s.stateNames[i]} = ${x0[i]} → ${v}`]));
  return { x0: fixed, warnings: changed.length ? [`x0: ${changed.join(', ')} (${s.stateRule})`] : [] };
}

/**
 * The initial rollout state of `system` from the URL's x0 (empty or the wrong length: the
 * default); for the wave, x0 describes a pulse and this is its field.
 */
export function initialState(system, x0) {
  const s = SYSTEMS[system];
  const x = x0.length === s.stateLength ? s.fixState(x0) : [...s.x0];
  return s.toState ? s.toState(x) : x;
}

/**
 * A rollout's state in its model's coordinates: (q, q̇, c) -> (q, p, c) for a canonical model;
 * `truth`, the true Simulator, gives p for a system without a closed form of it.
 */
export function toModelCoordinates(system, key, x, truth) {
  if (key !== 'hnn-canonical') return [...x];
  // A typed Lagrangian's p = ∂L/∂q̇ comes from the engine (the true Simulator's `canonical`).
  return SYSTEMS[system].toCanonical ? SYSTEMS[system].toCanonical(x) : truth.canonical(x);
}
