// Training progress in the paper's terms: while the visitor trains, the model in training is
// re-scored every so often with the quick energy-error protocol (8 initial conditions, t = 20) in
// a worker of its own, and its mean error is plotted against training time beside the loss, with
// the shipped LNN's and baseline's scores on the same protocol as reference lines. The loss says
// the fit improves; this says whether the rollouts conserve energy, which is the paper's point,
// and shows the moment a visitor's LNN crosses below the baseline.
import * as qualityView from './quality-view.js';
import { VARIANTS } from './energy-panel.js';
import { fmtInt, fmtPercent } from './format.js';
import { Cmd, Reply } from './protocol.js';
import { SYSTEMS, slotColor, slotKey, slotLabel } from './systems.js';
import { TrainerClient } from './trainer-client.js';

/** Seconds of training before the first scoring, then between two (each takes ~1–3 s of one core). */
export const FIRST_S = 10;
export const INTERVAL_S = 20;
const REFERENCES = ['lnn', 'baseline']; // shipped models drawn as reference lines

export class QualityMonitor {
  constructor(dom, demo, workerUrl) {
    this.dom = dom;
    this.demo = demo;
    this.workerUrl = workerUrl;
    this.client = null; // started when training first runs on a system with the protocol
    this.seq = 0;
    this.#clear();
  }

  #clear() {
    this.points = []; // {seconds, step, mean, median, diverged}
    this.references = new Map(); // slot key -> report of the shipped model
    this.pending = new Map(); // request id -> {kind: 'point' | 'reference', key, seconds, step, run}
    this.lastAt = -Infinity;
    this.run = null; // the training run the points belong to
    this.restarts = 0; // rollouts restarted on a new best model
    this.dirty = true;
  }

  /** Shown for systems the protocol is defined for; cleared on every switch. */
  setSystem(system) {
    this.enabled = Boolean(SYSTEMS[system].energyProtocol);
    this.dom('quality').closest('.quality').hidden = !this.enabled;
    this.#clear();
  }

  #client() {
    this.client ??= new TrainerClient(this.workerUrl, {
      reply: (m) => this.#reply(m),
      crashed: () => this.pending.clear(),
      restarted: () => {},
    });
    return this.client;
  }

  #request(kind, key, fields, at = {}) {
    const id = ++this.seq;
    this.pending.set(id, { kind, key, run: this.run, ...at });
    this.#client().send(Cmd.evaluateEnergy, { request: id, ...fields, settings: VARIANTS.quick.settings });
  }

  #reply(m) {
    const r = this.pending.get(m.request);
    if (!r) return;
    this.pending.delete(m.request);
    if (m.type !== Reply.energyError || r.run !== this.run) return; // an error: the next point retries
    if (r.kind === 'reference') {
      this.references.set(r.key, m.report);
    } else {
      const best = Number.isFinite(m.report.mean) && this.points.every((p) => !(p.mean <= m.report.mean));
      this.points.push({ seconds: r.seconds, step: r.step, ...m.report });
      // The rollout has followed every snapshot since training began, so its state carries the
      // drift of the early, poor models (a visitor saw its energy climb from −6.5 to +17 and
      // stay there, conserved but offset). When the model scores its best yet, all rollouts
      // start again from the initial state, so the energy plot shows the model as it is now.
      if (best && this.demo.training.running) {
        this.demo.restart();
        this.restarts += 1;
      }
    }
    this.dirty = true;
  }

  /** Schedules the next scoring when it is due; called every frame. */
  #schedule() {
    const t = this.demo.training;
    if (t.run !== this.run) { // a new run (configure, reset, load): a new curve
      const refs = this.references;
      this.#clear();
      this.references = refs;
      this.run = t.run;
    }
    if (!t.running || this.pending.size > 0) return;
    const seconds = t.trainingSeconds();
    const weights = t.weightsOf(t.key);
    if (!weights?.params || seconds < (this.lastAt < 0 ? FIRST_S : this.lastAt + INTERVAL_S)) return;
    for (const key of REFERENCES) {
      const shipped = this.demo.shipped.get(key);
      if (!this.references.has(key) && shipped) this.#request('reference', key, { json: shipped.json });
    }
    this.lastAt = seconds;
    this.#request('point', t.key, weights, { seconds, step: t.stepCount });
  }

  draw() {
    if (!this.enabled) return;
    this.#schedule();
    const canvas = this.dom('quality');
    // The slot the run trains (before its first reply, the one the settings will give it).
    const key = this.demo.training.key ?? slotKey(this.demo.settings.model, this.demo.settings.coordinates);
    if (key !== this.drawnKey) this.dirty = true; // its legend once read "null in training"
    if (!this.dirty || canvas.closest('[hidden]')) return;
    this.drawnKey = key;
    this.dirty = false;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(canvas.clientWidth * dpr), h = Math.round(canvas.clientHeight * dpr);
    if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
    qualityView.draw(canvas.getContext('2d'), {
      model: { label: `${slotLabel(key)} in training`, color: slotColor(key) },
      points: this.points,
      references: REFERENCES.filter((k) => this.references.has(k))
        .map((k) => ({ label: `shipped ${slotLabel(k)}`, color: slotColor(k), mean: this.references.get(k).mean })),
      note: this.points.length ? undefined : `scored every ${INTERVAL_S} s of training`,
    });
    const last = this.points.at(-1);
    const text = last
      ? `${slotLabel(key)} after ${formatTime(last.seconds)} of training (step ${fmtInt(last.step)}): ${last.diverged >= last.initialConditions ? `every rollout diverged (${last.diverged} of ${last.initialConditions}), no energy error yet` : `mean ${fmtPercent(last.mean)}, ${last.diverged} of ${last.initialConditions} diverged`}. The rollouts start again from the initial state whenever the score is the best yet.`
      : '';
    this.dom('quality-status').textContent = text;
    canvas.setAttribute('aria-label', `Energy error (quick protocol) of the model in training against training time${text ? `; ${text}` : ''}`);
    // For the tests: the curve as numbers.
    canvas.dataset.points = String(this.points.length);
    canvas.dataset.model = `${slotLabel(key)} in training`;
    canvas.dataset.last = last ? String(last.mean) : '';
    canvas.dataset.references = [...this.references.keys()].join(',');
    canvas.dataset.restarts = String(this.restarts);
  }
}

const formatTime = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
