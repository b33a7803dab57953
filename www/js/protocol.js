// The one home of the page <-> training-worker protocol. Both sides import these names; nothing
// else spells a message type.
//
// Every message is a plain object {v, type, run, ...}: `v` is PROTOCOL_VERSION, `type` one of the
// names below, `run` the id of the training run it belongs to. The page starts a new run (a new
// id) on every configure, reset or load; the worker echoes the id of the run its trainer belongs
// to, and the page drops replies of older runs (stale answers after a reconfigure).

/** Bumped on any incompatible change; a reply of another version is an error, not data. */
export const PROTOCOL_VERSION = 1;

/** Page -> worker. */
export const Cmd = Object.freeze({
  /** {settings}: a fresh trainer (Trainer settings object); replies `configured`. */
  configure: 'configure',
  /** Trains in slices until `pause`; replies `progress` and `snapshot` a few times a second. */
  start: 'start',
  /** Stops after the current slice; replies `paused` (with a last progress and snapshot). */
  pause: 'pause',
  /** {count}: runs `count` steps (default 1) while paused; replies `progress` and `snapshot`. */
  step: 'step',
  /** A fresh trainer from the current settings and seed; replies `configured`. */
  reset: 'reset',
  /** {json, settings}: continue from a weights file; replies `configured` (loaded: true). */
  loadWeights: 'load-weights',
  /**
   * {keep?}: replies `weights` with the model as a weights file (JSON text); `keep` (echoed) marks
   * a request of the page's store (keeper.js), not a download.
   */
  exportWeights: 'export-weights',
  /**
   * {request, json, params?, settings}: the paper's energy error of the model in `json` (a weights
   * file; `params`, a Float64Array, replaces its parameters when given) with protocol `settings`
   * ({initialConditions, t, tol, seed}); replies `energy-error` with the same `request`, or
   * `error` with it. Blocks the worker for its duration: the page sends it to a worker of its own.
   */
  evaluateEnergy: 'evaluate-energy',
  /** For the tests of the restart path: throws from the worker's event loop, uncaught. */
  crash: 'crash',
  /**
   * For the tests of running out of memory: fills the worker's wasm memory to the browser's limit,
   * then builds a trainer from the current settings, whose allocation fails as a real one would.
   */
  exhaust: 'exhaust',
});

/** Worker -> page. */
export const Reply = Object.freeze({
  /** Posted once, after the wasm module is initialised, before any command is taken. */
  ready: 'ready',
  /**
   * {weights (JSON text), paramCount, testLoss, step, totalSteps, scheduleDone}: the run's model
   * at its start and its held-out loss; `step` is the steps it had been trained before (a
   * continued file's), `totalSteps` the schedule's length.
   */
  configured: 'configured',
  /** {step, points: [[step, loss]...], testLoss?, stepsPerSecond, samplesPerSecond, lr, skipped}. */
  progress: 'progress',
  /** {step, params: Float64Array (transferred)}. */
  snapshot: 'snapshot',
  /**
   * {step, totalSteps, scheduleDone, reason, lr?}: training stopped, because the page asked
   * (`asked`) or because the schedule reached its end (`schedule-done`, with the final rate `lr`).
   */
  paused: 'paused',
  /** {json, step, keep}: answer to export-weights. */
  weights: 'weights',
  /** {request, report: {mean, median, diverged, errors, initialConditions, t}, seconds}. */
  energyError: 'energy-error',
  /**
   * {message, fatal, request?}: a command failed (fatal: the wasm instance is unusable; restart).
   * `request` is set when an evaluate-energy failed.
   */
  error: 'error',
});

/** A message of this protocol. */
export function message(type, run, fields = {}) {
  return { v: PROTOCOL_VERSION, type, run, ...fields };
}

/**
 * Checks an incoming message: returns null when it is well formed and of this version, else a
 * sentence saying what is wrong.
 */
export function problem(msg, names) {
  if (msg === null || typeof msg !== 'object') return 'not an object';
  if (msg.v !== PROTOCOL_VERSION) return `protocol version ${msg.v}, expected ${PROTOCOL_VERSION}`;
  if (!Object.values(names).includes(msg.type)) return `unknown message type "${msg.type}"`;
  if (!Number.isInteger(msg.run)) return 'no run id';
  return null;
}
