// What the page shows for each system: the rollouts side by side (true system first), the shipped
// weights of each learned rollout, the initial state and how to draw a random one. Pure data and
// small pure functions; no DOM.

/** Colours of the rollouts, by slot key (see slotKey). */
export const COLORS = {
  truth: '#e6e6e6',
  lnn: '#f0a030',
  baseline: '#6cb6ff',
  hnn: '#d2a8ff',
  'hnn-canonical': '#7ee787',
};

const LABELS = {
  truth: 'true system',
  lnn: 'LNN',
  baseline: 'baseline MLP',
  hnn: 'HNN (q, q̇)',
  'hnn-canonical': 'HNN (q, p)',
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

export const SYSTEMS = {
  'double-pendulum': {
    title: 'double pendulum',
    view: 'pendulum',
    lede: 'Below, the true double pendulum, a Lagrangian Neural Network and a plain MLP that predicts accelerations directly start from the same state.',
    hint: 'Drag a bob to start all of them from there; Train to learn your own model in a web worker.',
    plot: 'energy',
    dof: 2,
    stateLength: 4,
    x0: [1, 2, 0, 0],
    energyScale: 29.4, // 3 m g l with m = l = 1, g = 9.8: the drift readout's normaliser
    loopSeconds: Infinity,
    slots: [
      { key: 'lnn', weights: 'models/double-pendulum-lnn.json' },
      { key: 'baseline', weights: 'models/double-pendulum-baseline.json' },
    ],
    /** The paper's energy protocol: angles anywhere, nearly at rest. */
    toCanonical: pendulumMomenta,
    randomState: (random) => [uniform(random, -Math.PI, Math.PI), uniform(random, -Math.PI, Math.PI), 0, 0],
    /** A usable initial state: angles wrapped into [−π, π). */
    fixState: (x) => x.map((v, i) => (i < 2 ? ((((v + Math.PI) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI)) - Math.PI : v)),
  },
  relativistic: {
    title: 'relativistic particle',
    view: 'particle',
    lede: 'Below, a relativistic particle in a uniform field: the truth, an LNN, and Hamiltonian networks fed (q, q̇) and canonical (q, p) coordinates.',
    hint: 'Every 10 s the rollouts start again from the initial state; Randomise picks another (q, q̇, g).',
    plot: 'trajectory', // the energy (1 − q̇²)^(−1/2) + … explodes as a learned |q̇| nears 1: not shown by default
    dof: 1,
    stateLength: 3,
    x0: [-5, 0, 2],
    energyScale: 1,
    loopSeconds: 10, // the rollouts restart from the initial state every 10 s
    qRange: [-12, 12], // the training data has q in [−10, 10]
    slots: [
      { key: 'lnn', weights: 'models/relativistic-lnn.json' },
      { key: 'hnn', weights: 'models/relativistic-hnn-velocity.json' },
      { key: 'hnn-canonical', weights: 'models/relativistic-hnn-canonical.json' },
    ],
    toCanonical: ([q, v, g]) => [q, relativisticMomentum(v), g],
    randomState: (random) => [uniform(random, -6, 6), uniform(random, -0.9, 0.9), uniform(random, -5, 5)],
    /** |q̇| < 1 (c = 1). */
    fixState: (x) => [x[0], Math.max(-0.99, Math.min(0.99, x[1])), x[2]],
  },
};

/** The initial state of `system` from the URL's x0 (empty or the wrong length: the default). */
export function initialState(system, x0) {
  const s = SYSTEMS[system];
  return x0.length === s.stateLength ? s.fixState(x0) : [...s.x0];
}

/** A rollout's state in its model's coordinates: (q, q̇, c) -> (q, p, c) for a canonical model. */
export function toModelCoordinates(system, key, x) {
  return key === 'hnn-canonical' ? SYSTEMS[system].toCanonical(x) : [...x];
}
