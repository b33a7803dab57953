// The paper's energy-error number for each learned rollout of the double pendulum: relative
// |ΔE| / 29.4 at time t over random initial conditions (the paper: 0.43 % for its LNN, 7.4 % for
// its MLP at 40 initial conditions and t = 100). It takes seconds (quick variant) to minutes (the
// paper's settings) in wasm, so it runs in a worker of its own (worker.js, evaluate-energy); the
// training worker keeps training meanwhile and the page keeps animating.
import { fmtPercent } from './format.js';
import { Cmd, Reply } from './protocol.js';
import { SYSTEMS } from './systems.js';
import { TrainerClient } from './trainer-client.js';

/** The protocol variants the page offers; `paper` is the paper's. */
export const VARIANTS = {
  quick: { label: 'quick', settings: { initialConditions: 8, t: 20 } },
  paper: { label: 'paper protocol', settings: { initialConditions: 40, t: 100 } },
};

/**
 * "mean x % · median y % · diverged k of n (t = T, n initial conditions)". The mean is over the
 * rollouts that did not diverge and the median over all (diverged ones count as infinite), so
 * when every rollout diverged there is no number to give, and the text says so instead of "–".
 */
export function formatReport(r) {
  const n = r.initialConditions;
  const runs = `(t = ${r.t}, ${n} initial conditions)`;
  if (r.diverged >= n) return `every rollout diverged, ${r.diverged} of ${n} ${runs}: no energy error to give; the model does not keep the energy anywhere near yet`;
  const median = Number.isFinite(r.median) ? fmtPercent(r.median) : 'none (half or more diverged)';
  return `mean ${fmtPercent(r.mean)} · median ${median} · diverged ${r.diverged} of ${n} ${runs}`;
}

export class EnergyPanel {
  constructor(dom, demo, workerUrl) {
    this.dom = dom;
    this.demo = demo;
    this.workerUrl = workerUrl;
    this.client = null; // started on the first request
    this.requests = new Map(); // request id -> {key, variant, source, t0}
    this.results = new Map(); // slot key -> {state: computing | done | error, text, detail, report}
    this.seq = 0;
    this.keys = '';
    // The buttons name the protocol they will run (they used to say "paper protocol" whatever
    // was chosen).
    dom('energy-variant').addEventListener('change', () => { this.dirty = true; });
    dom('energy-rows').addEventListener('click', (e) => {
      const key = e.target.closest('button[data-slot]')?.dataset.slot;
      if (!key) return;
      try {
        this.evaluate(key);
      } catch (err) {
        this.#set(key, { state: 'error', text: `error: ${err.message ?? err}` });
      }
    });
  }

  /** Shown only for systems the protocol is defined for (and never in embed mode). */
  setSystem(system) {
    this.dom('energy-panel').hidden = !SYSTEMS[system].energyProtocol || this.demo.settings.embed;
    this.results.clear();
    this.requests.clear(); // a reply for the previous system's models must not land here
    this.keys = ''; // rows rebuilt on the next draw
  }

  #client() {
    this.client ??= new TrainerClient(this.workerUrl, {
      reply: (m) => this.#reply(m),
      crashed: (reason) => {
        for (const [id, r] of this.requests) this.#set(r.key, { state: 'error', text: `error: the worker stopped (${reason})` }, id);
        this.requests.clear();
      },
      restarted: () => {},
    });
    return this.client;
  }

  /** Starts the protocol for the model slot `key` shows, with the chosen variant. */
  evaluate(key) {
    const weights = this.demo.training.weightsOf(key);
    if (!weights) throw new Error('no model in this slot yet');
    const variant = this.dom('energy-variant').value;
    const slot = this.demo.rollouts.slots.get(key);
    const id = ++this.seq;
    this.requests.set(id, { key, variant, source: this.demo.sourceOf(slot), model: slot.model, origin: slot.source, t0: performance.now() });
    this.#client().send(Cmd.evaluateEnergy, { request: id, ...weights, settings: VARIANTS[variant].settings });
    const { initialConditions, t } = VARIANTS[variant].settings;
    this.#set(key, { state: 'computing', text: `computing… (${VARIANTS[variant].label}: ${initialConditions} initial conditions, t = ${t})`, request: id });
  }

  #reply(m) {
    const r = this.requests.get(m.request);
    if (!r) return;
    this.requests.delete(m.request);
    if (m.type === Reply.energyError) {
      const label = VARIANTS[r.variant].label;
      this.#set(r.key, {
        state: 'done',
        text: `${label}: ${formatReport(m.report)}`,
        detail: `${r.source}; ${m.seconds.toFixed(1)} s`,
        report: m.report,
        variant: r.variant,
        seconds: m.seconds,
        model: r.model, // what was scored: the result goes stale when the slot shows another
        origin: r.origin,
        scored: r.source,
      }, m.request);
    } else if (m.type === Reply.error) {
      this.#set(r.key, { state: 'error', text: `error: ${m.message}` }, m.request);
    }
  }

  /** Records a row's result; a reply only replaces the request the row is waiting for. */
  #set(key, result, request) {
    const now = this.results.get(key);
    if (request !== undefined && now?.request !== undefined && now.request !== request) return;
    this.results.set(key, result);
    this.dirty = true;
  }

  #rows() {
    const slots = [...this.demo.rollouts.slots.values()];
    const keys = slots.map((s) => s.key).join(',');
    if (keys === this.keys) return;
    this.keys = keys;
    this.dom('energy-rows').innerHTML = slots.map((s) => `
      <div class="energy-row" data-slot="${s.key}">
        <span class="energy-name"><span class="swatch" style="background:${s.color}"></span>${s.label}</span>
        <button type="button" data-slot="${s.key}" data-label="${s.label}"></button>
        <output class="energy-result" for="energy-variant"></output>
        <small class="energy-detail"></small>
      </div>`).join('');
    this.dirty = true;
  }

  /**
   * Whether the result shown for `slot` was computed for another model than the one it shows now
   * (Train replaced the shipped weights, a file was loaded, the slot went back to shipped).
   */
  #stale(result, slot) {
    return result?.state === 'done' && (result.model !== slot?.model || result.origin !== slot?.source);
  }

  /** Updates the rows (called every frame; redraws only what changed). */
  draw() {
    if (this.dom('energy-panel').hidden) return;
    this.#rows();
    const slots = this.demo.rollouts.slots;
    const stale = [...this.results].filter(([key, r]) => this.#stale(r, slots.get(key))).map(([key]) => key).join(',');
    if (stale !== this.staleKeys) {
      this.staleKeys = stale;
      this.dirty = true;
    }
    if (!this.dirty) return;
    this.dirty = false;
    const variant = VARIANTS[this.dom('energy-variant').value];
    for (const row of this.dom('energy-rows').children) {
      const r = this.results.get(row.dataset.slot);
      const button = row.querySelector('button');
      button.textContent = `Energy error (${variant.label})`;
      button.setAttribute('aria-label', `Energy error (${variant.label}) of the ${button.dataset.label}`);
      row.dataset.state = r?.state ?? '';
      row.querySelector('button').disabled = r?.state === 'computing';
      const out = row.querySelector('.energy-result');
      out.textContent = r?.text ?? '';
      out.classList.toggle('error', r?.state === 'error');
      const stale = this.#stale(r, slots.get(row.dataset.slot));
      row.dataset.stale = stale ? '1' : '';
      row.querySelector('.energy-detail').textContent = stale
        ? `out of date: computed for ${r.scored}; the slot now shows ${this.demo.sourceOf(slots.get(row.dataset.slot))}. Run it again for this model.`
        : r?.detail ?? '';
      // For the tests: the numbers as numbers.
      for (const k of ['mean', 'median', 'diverged']) row.dataset[k] = r?.report ? String(r.report[k]) : '';
      row.dataset.variant = r?.variant ?? '';
      row.dataset.seconds = r?.seconds ? r.seconds.toFixed(2) : '';
    }
  }
}
