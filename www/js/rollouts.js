// The rollouts shown side by side: the true system (a wasm Simulator) and one learned model per
// slot (a wasm LearnedModel), all from the same initial state, advanced together frame by frame.
// Records what the views draw: energy and q over time, and the trace of each state.
import { History } from './history.js';
import { SYSTEMS, slotColor, slotLabel, toModelCoordinates } from './systems.js';

const TRACE_LENGTH = 240; // states kept for the trace view
/**
 * Time per frame and RK4 sub-steps per frame, unless the system sets its own (`rollout`):
 * learned rollouts at h = 1/600 s, the true system at h = 1/1200 s.
 */
const ROLLOUT = { dt: 1 / 60, substeps: 10, truthSubsteps: 20 };
const HUGE = 1e6; // a state component beyond this is a diverged rollout
/**
 * The rollouts' share of a frame, in ms: a model whose frame costs more gets fewer RK4 sub-steps
 * (down to MIN_SUBSTEPS), and if the rollouts still cost more they advance every few frames
 * only (slow motion), so that the page keeps drawing and answering clicks. A 256×256 LNN in
 * training took ~90 ms a frame at 10 sub-steps: 11 frames/s.
 */
const FRAME_BUDGET_MS = 10;
const MIN_SUBSTEPS = 2;

const finite = (x) => x.every((v) => Number.isFinite(v) && Math.abs(v) < HUGE);

/**
 * Why a learned rollout stopped, in the page's words: the engine's advice for a singular mass
 * matrix names solver settings of the command line that the page does not offer, while what a
 * visitor can do is train on (an untrained model's M is often singular somewhere).
 */
export function failureText(err) {
  const message = err?.message ?? String(err);
  if (!message.includes('mass matrix')) return message;
  return 'the model\'s mass matrix ∂²L/∂q̇² is singular in this state, so its equations of motion have no solution (common before training has made it definite); it starts again with the next weights from training, or on Reset';
}

export class Rollouts {
  /** `lnn`: the wasm bindings; `system`: a key of SYSTEMS; `x0`: the initial state (q, q̇, c). */
  constructor(lnn, system, x0) {
    this.system = system;
    this.desc = SYSTEMS[system];
    this.config = { ...ROLLOUT, ...this.desc.rollout };
    this.dt = this.config.dt;
    const { dt, truthSubsteps, grid, custom } = this.config;
    this.truth = new lnn.Simulator({ system, integrator: 'rk4', substeps: truthSubsteps, dt, init: x0, ...(grid ? { grid } : {}), ...(custom ? { custom } : {}) });
    this.traceLength = this.desc.traceLength ?? TRACE_LENGTH;
    this.frame = 0; // frames since the restart (the space-time rows are taken every few)
    this.skip = 0; // frames to wait before the next step (slow motion for costly models)
    this.framesPerStep = 1; // how many frames one step of the rollouts takes now
    this.x0 = [...x0];
    this.t = 0;
    this.integrator = 'rk4'; // of the learned rollouts: 'rk4' or 'variational'
    /** key -> slot {key, label, color, model, source, step, diverged, energy, q, trace, state} */
    this.slots = new Map();
    this.truthSlot = this.#newSlot('truth');
    this.truthSlot.source = 'truth';
    this.restart(x0);
  }

  /** A history whose buckets start one frame wide. */
  /** q(t) of the coordinates after the first, for systems that draw them all (`allCoordinates`). */
  #more() {
    return this.desc.allCoordinates ? Array.from({ length: this.desc.dof - 1 }, () => this.#series()) : [];
  }

  #series() {
    return new History(this.dt);
  }

  #newSlot(key) {
    return { key, label: slotLabel(key), color: slotColor(key), substeps: this.config.substeps, defaultSubsteps: this.config.substeps, model: null, source: 'loading', step: 0, diverged: null, energy: this.#series(), q: this.#series(), more: this.#more(), trace: [], rows: [], state: null };
  }

  /** The slot for `key`, created (empty) if the system has none yet. */
  slot(key) {
    if (!this.slots.has(key)) this.slots.set(key, this.#newSlot(key));
    return this.slots.get(key);
  }

  /** Puts `model` (a LearnedModel, owned by the caller) in slot `key` and restarts its rollout. */
  show(key, model, source, step = 0) {
    const s = this.slot(key);
    if (s.model !== model) Object.assign(s, { substeps: this.config.substeps, cost: undefined, costFrames: 0 }); // its cost is not known yet
    s.model = model;
    s.source = source;
    s.step = step;
    this.#restartSlot(s, this.truth.state(), true);
  }

  /** New parameters for the model already shown: the rollout continues (revived if diverged). */
  refreshed(key, step) {
    const s = this.slot(key);
    s.step = step;
    if (s.diverged) this.#restartSlot(s, this.truth.state(), false);
  }

  /**
   * Steps the learned rollouts with `name` ('rk4' or 'variational') from a restart at `x0`; a
   * model without a Lagrangian (baseline, HNN) stays on RK4 (its slot's `integrator` says which).
   */
  setIntegrator(name) {
    if (name === this.integrator) return;
    this.integrator = name;
    this.restart(this.x0);
  }

  /** Sets slot `s`'s model to the chosen integrator, or RK4 where it has no Lagrangian. */
  #useIntegrator(s) {
    if (this.integrator === 'variational') {
      try {
        s.model.setIntegrator('variational', s.substeps, 0);
        s.integrator = 'variational';
        return;
      } catch {
        // no Lagrangian to step (or none at this state): RK4 below
      }
    }
    s.model.setIntegrator('rk4', s.substeps, 1e-8);
    s.integrator = 'rk4';
  }

  /** Every rollout back to `x0` at t = 0. */
  restart(x0) {
    this.truth.setState(x0); // throws for a state the system cannot take, before anything changed
    this.x0 = [...x0];
    this.t = 0;
    this.frame = 0;
    this.restarts = (this.restarts ?? 0) + 1; // tells a view that caches its drawing to redraw
    this.truthSlot.energy = this.#series();
    this.truthSlot.q = this.#series();
    this.truthSlot.more = this.#more();
    this.truthSlot.rows = [];
    this.#record(this.truthSlot, this.truth.state(), true);
    for (const s of this.slots.values()) this.#restartSlot(s, x0, true);
  }

  #restartSlot(s, x, clearHistory) {
    s.diverged = null;
    if (clearHistory) {
      s.energy = this.#series();
      s.q = this.#series();
      s.more = this.#more();
      s.trace = [];
      s.rows = [];
    }
    if (!s.model) return;
    try {
      s.model.setState(toModelCoordinates(this.system, s.key, x, this.truth));
      this.#useIntegrator(s);
      this.#record(s, s.model.state(), true);
    } catch (err) {
      s.diverged = failureText(err);
    }
  }

  /**
   * Called once per animation frame: advances the rollouts, or waits out the frames that the
   * last step's cost asked for (FRAME_BUDGET_MS).
   */
  advance() {
    if (this.skip > 0) {
      this.skip -= 1;
      return;
    }
    const t0 = performance.now();
    this.step();
    const cost = performance.now() - t0;
    this.framesPerStep = Math.min(30, Math.max(1, Math.ceil(cost / FRAME_BUDGET_MS)));
    this.skip = this.framesPerStep - 1;
  }

  /**
   * A slot whose model's frame costs more than its share, over the last 20 frames or so (one slow
   * frame, a page busy loading, is no reason): fewer sub-steps from now on.
   */
  #lighten(s, ms) {
    s.cost = s.cost === undefined ? ms : 0.9 * s.cost + 0.1 * ms;
    s.costFrames = (s.costFrames ?? 0) + 1;
    const share = FRAME_BUDGET_MS / Math.max(1, this.slots.size);
    if (s.costFrames < 20 || s.cost <= 1.5 * share || s.substeps <= MIN_SUBSTEPS) return;
    s.substeps = Math.max(MIN_SUBSTEPS, Math.floor((s.substeps * share) / s.cost));
    this.#useIntegrator(s);
    s.costFrames = 0; // measured again at the new cost
    s.cost = undefined;
  }

  /** Advances every rollout by one frame's time. */
  step() {
    if (this.t + this.dt > this.desc.loopSeconds + 1e-9) {
      this.restart(this.x0);
      return;
    }
    this.truth.step(this.dt);
    this.t += this.dt;
    this.frame += 1;
    this.#record(this.truthSlot, this.truth.state(), false);
    for (const s of this.slots.values()) {
      if (!s.model || s.diverged) continue;
      try {
        const t0 = performance.now();
        s.model.step(this.dt);
        this.#lighten(s, performance.now() - t0);
        const x = s.model.state();
        if (!finite(x)) throw new Error('the state is no longer finite');
        this.#record(s, x, false);
      } catch (err) {
        s.diverged = `diverged at t = ${this.t.toFixed(2)} s: ${failureText(err)}`;
      }
    }
  }

  #energyOf(s) {
    try {
      const e = s === this.truthSlot ? this.truth.energy() : s.model.trueEnergy();
      return Number.isFinite(e) ? e : null;
    } catch {
      return null; // canonical models, or a learned state outside the system's domain (|q̇| ≥ 1)
    }
  }

  #record(s, x, first) {
    s.state = x;
    const e = this.#energyOf(s);
    if (e !== null) s.energy.push(this.t, e);
    s.q.push(this.t, x[0]);
    s.more.forEach((h, i) => h.push(this.t, x[i + 1]));
    if (first) s.trace = [];
    s.trace.push(x.slice(0, 2 * this.desc.dof)); // q and q̇: the phase portrait needs both
    if (s.trace.length > this.traceLength) s.trace.shift();
    const st = this.desc.spacetime;
    if (st && (first || this.frame % st.rowEvery === 0)) {
      if (first) s.rows = [];
      s.rows.push({ t: this.t, q: Float64Array.from(x.slice(0, this.desc.dof)) });
      // Keep what the view shows (`seconds`) and a little more; older rows scroll out.
      if (s.rows.length > 1.1 * st.seconds / (st.rowEvery * this.dt) + 2) s.rows.shift();
    }
  }

  /** The true system's energy now and at t = 0. */
  energies() {
    const e = this.truthSlot.energy;
    return { now: e.last, start: e.first };
  }

  /** Truth first, then the learned slots in order. */
  all() {
    return [this.truthSlot, ...this.slots.values()];
  }
}
