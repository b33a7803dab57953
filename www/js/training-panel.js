// The training panel: drives the worker (through TrainerClient), keeps the loss history, shows
// the readouts and the loss curve, and puts the trained model's latest parameters into its rollout
// slot a few times a second. Also saves and loads weights files.
import * as lossView from './loss-view.js';
import { fmtInt } from './format.js';
import { trainerSettings } from './params.js';
import { Cmd, Reply } from './protocol.js';
import { slotKey, slotLabel } from './systems.js';
import { TrainerClient } from './trainer-client.js';
import { TrainingHealth } from './training-health.js';

const MAX_LOSS_POINTS = 2000; // then every other point is dropped

function thin(points) {
  return points.length > MAX_LOSS_POINTS ? points.filter((_, i) => i % 2 === 0) : points;
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

function download(text, name) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

/** What the page says when the schedule has run its course (the worker stops there, once). */
function scheduleDoneText({ totalSteps, lr }) {
  const rate = Number.isFinite(lr) ? ` (the learning rate has decayed to ${lr.toPrecision(2)})` : '';
  return `The schedule's ${fmtInt(totalSteps)} steps are done${rate}: more steps at that rate change `
    + 'little. Training stopped. Train goes on at the final rate; a longer schedule (Schedule length) starts a new run.';
}

const fmtLoss = (v) => (Number.isFinite(v) ? v.toPrecision(4) : '–');
const fmtRate = (v) => (Number.isFinite(v) ? fmtInt(v) : '–');

export class TrainingPanel {
  constructor(lnn, dom, demo, workerUrl) {
    this.lnn = lnn;
    this.dom = dom;
    this.demo = demo;
    this.running = false;
    this.model = null; // LearnedModel of the current run (refreshed from snapshots)
    this.runWeights = null; // the current run's weights file at its start (JSON text)
    this.params = null; // the latest parameter snapshot (Float64Array) of the current run
    this.key = null; // the rollout slot the trained model occupies
    this.file = null; // {model, json, name}: the last loaded weights file
    this.loaded = false; // the current run continues from `file`
    this.health = new TrainingHealth(); // says when a run diverges or skips its steps
    this.suspended = false; // paused because nobody sees the page; `running` keeps the intent
    this.#clearHistory();
    this.client = new TrainerClient(workerUrl, {
      reply: (m) => this.#reply(m),
      crashed: (reason, willRestart) => {
        this.#setRunning(false);
        this.demo.report(`the training worker stopped (${reason})${willRestart ? '; it was restarted' : ''}`, 'train-status');
      },
      restarted: () => this.configure({ start: false }),
    });
  }

  #clearHistory() {
    this.train = [];
    this.test = [];
    this.stepCount = 0;
    this.schedule = { total: NaN, done: false }; // the worker's, from configured and paused
    this.trainedMs = 0; // wall-clock time spent training in this run, up to runningSince
    this.runningSince = this.running ? performance.now() : null;
    this.speed = { stepsPerSecond: NaN, samplesPerSecond: NaN };
    this.dirty = true;
  }

  #setRunning(on) {
    const now = performance.now();
    if (this.runningSince !== null) this.trainedMs += now - this.runningSince;
    this.runningSince = on ? now : null;
    this.running = on;
    const b = this.dom('train');
    b.textContent = on ? 'Pause training' : 'Train';
    b.setAttribute('aria-pressed', String(on));
  }

  /** The worker's step, also on the body for the tests (draw() does not run while unseen). */
  #setStep(step) {
    this.stepCount = step;
    document.body.dataset.trainStep = String(step);
  }

  #status(text) {
    const el = this.dom('train-status');
    el.textContent = text;
    el.classList.remove('error');
  }

  /** The id of the current run (a new one on every configure, reset or load). */
  get run() {
    return this.client.run;
  }

  /** Wall-clock seconds this run has trained so far (paused time not counted). */
  trainingSeconds() {
    const open = this.runningSince === null ? 0 : performance.now() - this.runningSince;
    return (this.trainedMs + open) / 1000;
  }

  /** A fresh run from the settings (after any change of them); trains at once if `start`. */
  configure({ start }) {
    this.loaded = false;
    this.#clearHistory();
    this.client.configure(trainerSettings(this.demo.settings));
    this.#status('');
    if (start && !this.suspended) this.client.send(Cmd.start);
    this.#setRunning(start);
  }

  toggle() {
    const start = !this.running;
    if (!start) this.pauseSentAt = performance.now();
    this.client.send(start ? Cmd.start : Cmd.pause);
    this.#setRunning(start);
    if (start && this.schedule.done) {
      this.#status(`Past the end of the schedule (${fmtInt(this.schedule.total)} steps): training goes on at its final learning rate until you pause it.`);
    }
  }

  /**
   * Holds training while the page is unseen (`hidden`) and takes it up again when it is seen; the
   * Train button keeps saying what the visitor asked for.
   */
  suspend(hidden) {
    if (hidden && this.running && !this.suspended) {
      this.suspended = true;
      this.client.send(Cmd.pause);
    } else if (!hidden && this.suspended) {
      this.suspended = false;
      if (this.running) this.client.send(Cmd.start);
    }
  }

  /**
   * Hands `keep({json, step})` the run's latest weights at most every `ms` while it trains and at
   * each pause, once it has trained past its start (keeper.js stores them).
   */
  keepEvery(ms, keep) {
    this.keeping = { ms, keep, at: -Infinity };
  }

  #askToKeep(atOnce) {
    const k = this.keeping;
    if (!k || !(this.stepCount > (this.startStep ?? 0)) || (!atOnce && performance.now() - k.at < k.ms)) return;
    k.at = performance.now();
    this.client.send(Cmd.exportWeights, { keep: true });
  }

  step() {
    if (this.running) this.toggle();
    this.client.send(Cmd.step, { count: 1 });
  }

  reset() {
    this.loaded = false;
    this.#clearHistory();
    this.client.newRun(Cmd.reset);
    this.#setRunning(false);
    this.#status('a fresh network from the seed; the view is back on the shipped weights');
  }

  save() {
    const slot = this.demo.rollouts.slots.get(this.key);
    const name = `${this.demo.settings.system}-${this.key}`;
    if (slot?.source === 'training') this.client.send(Cmd.exportWeights);
    else if (slot?.source === 'file') download(this.file.json, this.file.name);
    else if (this.demo.shipped.has(this.key)) download(this.demo.shipped.get(this.key).json, `${name}-shipped.json`);
    else throw new Error('nothing to save yet: train first');
  }

  /**
   * The model slot `key` shows, as a weights file and (for a model in training) the latest
   * parameters: `{json, params?}`, or null when the slot shows none.
   */
  weightsOf(key) {
    const slot = this.demo.rollouts.slots.get(key);
    if (!slot?.model) return null;
    if (slot.source === 'training') return { json: this.runWeights, params: this.params ?? undefined };
    if (slot.source === 'file') return { json: this.file.json };
    if (slot.source === 'shipped') return { json: this.demo.shipped.get(key).json };
    return null;
  }

  /**
   * Loads a weights file: a bad one is refused with a message (in the weights panel, and
   * returned, for callers whose panel may be hidden) and the current model kept; null on success.
   */
  load(json, name) {
    const fail = (message) => {
      const el = this.dom('weights-status');
      el.textContent = `could not load ${name}: ${message}. The current model is kept.`;
      el.classList.add('error');
      return message;
    };
    let model;
    try {
      model = this.lnn.LearnedModel.fromWeights(json);
    } catch (err) {
      return fail(err.message ?? String(err));
    }
    const info = model.info();
    const system = this.demo.settings.system;
    if (info.system !== system) {
      model.free();
      return fail(`it is a model of the ${info.system}, and this view shows the ${system}; add system=${info.system} to the link or switch the system first`);
    }
    Object.assign(this.demo.settings, { model: info.model, coordinates: info.coordinates, hidden: info.hidden, activation: info.activation });
    this.demo.showSettings();
    this.demo.onSettings(this.demo.settings);
    const previous = this.file;
    this.file = { model, json, name };
    const key = slotKey(info.model, info.coordinates);
    if (this.key && this.key !== key) this.demo.revert(this.key);
    this.key = key;
    this.demo.rollouts.show(key, model, 'file');
    this.demo.rollouts.slot(key).fileName = name;
    this.demo.restart();
    previous?.model.free();
    this.loaded = true;
    this.#clearHistory();
    this.#setRunning(false);
    this.client.newRun(Cmd.loadWeights, { json, settings: trainerSettings(this.demo.settings) });
    const el = this.dom('weights-status');
    el.textContent = `loaded ${name}: ${slotLabel(key)} ${info.hidden.join('×')} ${info.activation}, ${info.params} parameters; Train continues from it`;
    el.classList.remove('error');    return null;
  }

  #configured(msg) {
    this.health.reset(msg.testLoss);
    const rollouts = this.demo.rollouts;
    // A continued file starts at its own step count (it once restarted at 0, and saved so).
    this.stepCount = this.startStep = msg.step;
    this.schedule = { total: msg.totalSteps, done: msg.scheduleDone };
    this.dirty = true;
    if (this.loaded && msg.scheduleDone) {
      this.#status(`This file has been trained ${fmtInt(msg.step)} steps, past the end of the schedule (${fmtInt(msg.totalSteps)}): Train goes on at the final learning rate.`);
    }
    const key = slotKey(this.demo.settings.model, this.demo.settings.coordinates);
    const old = this.model;
    this.model = this.lnn.LearnedModel.fromWeights(msg.weights);
    this.runWeights = msg.weights;
    this.params = null;
    if (this.key && this.key !== key) this.demo.revert(this.key);
    this.key = key;
    this.dom('train-model').textContent = `· ${slotLabel(key)} ${this.demo.settings.hidden.join('×')}, ${msg.paramCount} parameters`;
    if (!this.loaded) {
      // Step 0 shows the shipped weights; a model the system ships none for shows its fresh start.
      const source = rollouts.slot(key).source;
      if (source === 'training' || source === 'file') this.demo.revert(key);
      const slot = rollouts.slots.get(key);
      if (!slot || (!slot.model && !this.demo.shipsKey(key))) rollouts.show(key, this.model, 'training', 0);
      this.file?.model.free();
      this.file = null;
    }
    old?.free(); // no slot shows it any more: the slot that did was reverted above
  }

  #snapshot(msg) {
    this.model.setParams(msg.params);
    this.params = msg.params;
    const slot = this.demo.rollouts.slot(this.key);
    if (slot.model !== this.model) {
      if (msg.step === this.startStep) return; // the shipped or loaded model stays until training has begun
      this.demo.rollouts.show(this.key, this.model, 'training', msg.step);
      this.demo.restart();
    } else {
      this.demo.rollouts.refreshed(this.key, msg.step);
    }
  }

  #progress(msg) {
    const trouble = this.health.update(msg, { lr: this.demo.settings.lr, clip: this.demo.settings.clip });
    if (trouble) this.#status(trouble);
    this.#setStep(msg.step);
    this.#askToKeep(false);
    this.train = thin([...this.train, ...msg.points]);
    if (Number.isFinite(msg.testLoss)) this.test = thin([...this.test, [msg.step, msg.testLoss]]);
    this.speed = msg;
    this.dirty = true;
  }

  #reply(msg) {
    switch (msg.type) {
      case Reply.configured: return this.#configured(msg);
      case Reply.snapshot: return this.#snapshot(msg);
      case Reply.progress: return this.#progress(msg);
      case Reply.paused:
        this.#setStep(msg.step); // exact: the last progress message may be a slice behind
        this.#askToKeep(true);
        if (this.suspended && msg.reason === 'asked') return undefined; // still running, unseen
        this.schedule = { total: msg.totalSteps, done: msg.scheduleDone };
        this.dirty = true;
        if (msg.reason === 'schedule-done') this.#status(scheduleDoneText(msg));
        if (msg.reason === 'asked' && this.pauseSentAt !== undefined) {
          // How long Pause took to reach the worker and come back (for the tests and benches).
          document.body.dataset.pauseMs = (performance.now() - this.pauseSentAt).toFixed(0);
          this.pauseSentAt = undefined;
        }
        return this.#setRunning(false);
      case Reply.weights:
        if (msg.keep) return this.keeping?.keep(msg);
        return download(msg.json, `${this.demo.settings.system}-${this.key}-step${msg.step}.json`);
      case Reply.error:
        this.#setRunning(false);
        return this.demo.report(msg.message, 'train-status');
      default: return undefined;
    }
  }

  /** Draws the loss curve and the readouts when something changed (called every frame). */
  draw() {
    if (!this.dirty) return;
    this.dirty = false;
    const d = this.dom;
    d('train-step').textContent = fmtInt(this.stepCount);
    d('train-total').textContent = Number.isFinite(this.schedule.total) ? `of ${fmtInt(this.schedule.total)}${this.schedule.done ? ' (schedule done)' : ''}` : '';
    d('train-loss').textContent = fmtLoss(this.train.at(-1)?.[1]);
    d('test-loss').textContent = fmtLoss(this.test.at(-1)?.[1]);
    d('steps-per-s').textContent = this.running ? fmtRate(this.speed.stepsPerSecond) : '–';
    d('samples-per-s').textContent = this.running ? fmtRate(this.speed.samplesPerSecond) : '–';
    const canvas = d('loss');
    if (canvas.closest('[hidden]')) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(canvas.clientWidth * dpr), h = Math.round(canvas.clientHeight * dpr);
    if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
    lossView.draw(canvas.getContext('2d'), { train: this.train, test: this.test });
    if (performance.now() - (this.describedAt ?? -Infinity) > 1000) { // a text alternative with the numbers
      this.describedAt = performance.now();
      const last = this.train.length ? `: step ${fmtInt(this.stepCount)}, train loss ${fmtLoss(this.train.at(-1)[1])}, test loss ${fmtLoss(this.test.at(-1)?.[1])}` : ': no training yet';
      canvas.setAttribute('aria-label', `Training and test loss against the step, log scale${last}`);
    }
    // For the tests and the curious: where the curve starts and ends.
    const ds = canvas.dataset;
    ds.points = String(this.train.length);
    ds.step = String(this.stepCount);
    if (this.train.length >= 10) {
      ds.firstLoss = String(mean(this.train.slice(0, 5).map((p) => p[1])));
      ds.lastLoss = String(mean(this.train.slice(-5).map((p) => p[1])));
    }
    document.body.dataset.samplesPerSecond = Number.isFinite(this.speed.samplesPerSecond) ? this.speed.samplesPerSecond.toFixed(0) : '';
  }
}
