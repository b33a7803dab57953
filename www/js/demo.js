// The demo: the rollouts of one system (true system and learned models side by side), the frame
// loop that advances and draws them, dragging and randomising the initial state, and the training
// panel. Knows nothing of `location`: settings come in, changed settings go out via onSettings.
import { assetUrl } from './assets.js';
import * as energyView from './energy-view.js';
import * as particleView from './particle-view.js';
import * as phaseView from './phase-view.js';
import * as pendulumView from './pendulum-view.js';
import * as spacetimeView from './spacetime-view.js';
import * as trajectoryView from './trajectory-view.js';
import * as waveView from './wave-view.js';
import { buildControls, showValues } from './controls.js';
import { ObservedPanel } from './observed-panel.js';
import { CustomEditor } from './custom-editor.js';
import { EnergyPanel } from './energy-panel.js';
import { QualityMonitor } from './quality-monitor.js';
import { FrameMeter } from './fps.js';
import { fmtInt } from './format.js';
import { VIEW_NAMES, check, customSpec, modelsOf, switchSystem } from './params.js';
import { Rollouts } from './rollouts.js';
import { SYSTEMS, checkInitialState, initialState, useCustom } from './systems.js';
import { TrainingPanel } from './training-panel.js';

const STAGE_VIEWS = { pendulum: pendulumView, particle: particleView, phase: phaseView, wave: waveView };

/** Keyboard shortcuts: key -> the id of the button they press. */
const KEYS = { ' ': 'play', r: 'reset', n: 'randomise', t: 'train', s: 'step', x: 'train-reset', l: 'copy-link' };

/** Fits a canvas's pixel size to its CSS box (times the device pixel ratio). */
function fit(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(canvas.clientWidth * dpr), h = Math.round(canvas.clientHeight * dpr);
  if (w > 0 && h > 0 && (canvas.width !== w || canvas.height !== h)) {
    canvas.width = w;
    canvas.height = h;
  }
}

/** What a costly model gave up to keep the page smooth (rollouts.js, FRAME_BUDGET_MS). */
/** How a learned rollout steps, when not the default: the variational integrator, fewer sub-steps. */
const lightened = (s) => {
  const how = s.integrator === 'variational' ? 'variational' : 'RK4';
  const fewer = s.substeps && s.substeps < s.defaultSubsteps ? `; ${s.substeps} ${how} sub-steps a frame (a large model)` : '';
  return (how === 'variational' && !fewer ? '; variational integrator' : '') + fewer;
};

const sourceText = (s) => {
  if (s.diverged) return s.diverged;
  return {
    truth: 'Euler–Lagrange of the true L, RK4',
    loading: 'loading weights…',
    shipped: `shipped weights (${fmtInt(s.step)} steps)${lightened(s)}`,
    training: s.step ? `trained here, step ${fmtInt(s.step)}${lightened(s)}` : `untrained (a fresh network from the seed): press Train${lightened(s)}`,
    file: `from ${s.fileName ?? 'a file'}${lightened(s)}`,
    none: 'no model',
  }[s.source] ?? s.source;
};

export class Demo {
  /**
   * `lnn`: the wasm bindings. `dom`: element lookup. `settings`: parsed settings (owned here from
   * now on). `onSettings(settings)`: called after any change the URL should reflect.
   */
  constructor(lnn, dom, settings, { onSettings, workerUrl, actions = {} }) {
    this.lnn = lnn;
    this.dom = dom;
    this.settings = settings;
    this.onSettings = onSettings;
    this.setRunning(settings.autoplay); // the button says Play when the page opens still
    this.drag = null; // {panel, bob} while a bob is dragged
    this.frames = 0;
    this.meter = new FrameMeter();
    this.shipped = new Map(); // key -> {model, json, step} for the current system
    this.errors = new Set();
    buildControls(dom('system-controls'), ['system'], (k, v, w) => this.change(k, v, w));
    buildControls(dom('train-controls'), ['train'], (k, v, w) => this.change(k, v, w));
    buildControls(dom('data-controls'), ['data'], (k, v, w) => this.change(k, v, w));
    this.showSettings();
    this.training = new TrainingPanel(lnn, dom, this, workerUrl);
    this.observed = new ObservedPanel(lnn, dom, this);
    this.observed.show();
    this.energyPanel = new EnergyPanel(dom, this, workerUrl);
    this.quality = new QualityMonitor(dom, this, workerUrl);
    this.customEditor = new CustomEditor(lnn, dom, settings, (changes, x0) => this.setCustom(changes, x0));
    this.#bindButtons(actions);
    this.#bindDrag();
    this.setSystem(settings.system);
    this.training.configure({ start: settings.train });
  }

  /** Reports an error on the page (once per distinct message) and in the console. */
  report(err, where = 'status') {
    const message = String(err?.message ?? err);
    const el = this.dom(where);
    el.textContent = `error: ${message}`;
    el.classList.add('error');
    if (!this.errors.has(message)) {
      this.errors.add(message);
      console.warn(message); // a warning: the page handled it
    }
  }

  /** A setting changed through a control (already checked by the table). */
  change(key, value, warning) {
    if (warning) this.report(warning, 'train-status');
    if (key === 'x0') {
      // The initial state restarts the rollouts; training goes on untouched.
      const { x0, warnings } = checkInitialState(this.settings.system, value);
      for (const w of warnings) this.report(w);
      this.setInitialState(x0.length ? x0 : SYSTEMS[this.settings.system].x0, true);
      return;
    }
    if (key === 'integrator') {
      // How the rollouts step, not what is trained: training goes on untouched.
      this.settings.integrator = value;
      this.rollouts?.setIntegrator(value);
      this.showSettings();
      this.onSettings(this.settings);
      return;
    }
    if (key === 'data' && value === 'accelerations') delete this.settings.trajectoryFile; // back to the system's own data
    if (key === 'system') {
      delete this.settings.trajectoryFile; // a file is one system's
      for (const w of switchSystem(this.settings, value)) this.report(w, 'train-status');
      this.settings.x0 = [];
      this.setSystem(value);
    } else if (key === 'model' && !modelsOf(this.settings.system).includes(value)) {
      this.report(`the ${this.settings.system} offers ${modelsOf(this.settings.system).join(', ')}, not ${value}`, 'train-status');
    } else {
      this.settings[key] = value;
    }
    this.showSettings();
    this.onSettings(this.settings);
    this.training.configure({ start: this.training.running });
  }

  showSettings() {
    showValues(this.dom('system-controls'), this.settings);
    // The state in use, also when it is the system's default (x0 empty in the URL).
    const desc = SYSTEMS[this.settings.system];
    this.dom('set-x0').value = (this.settings.x0.length ? this.settings.x0 : desc.x0).join(', ');
    this.dom('set-x0').previousElementSibling.textContent = `Initial state (${desc.stateNames.join(', ')})`;
    showValues(this.dom('train-controls'), this.settings);
    const hnn = this.settings.model === 'hnn';
    this.dom('set-coordinates').disabled = !hnn;
    const offered = modelsOf(this.settings.system);
    for (const o of this.dom('set-model').options) o.hidden = o.disabled = !offered.includes(o.value);
    showValues(this.dom('data-controls'), this.settings);
    this.observed?.show();
  }

  /** Degrees of freedom of the system shown. */
  dof() {
    return SYSTEMS[this.settings.system].dof;
  }

  /**
   * Makes checked custom settings (`changes` of lagrangian, coords, params, ranges) the typed
   * Lagrangian the page runs, starting from `x0` (its default when null or of another length).
   */
  setCustom(changes, x0) {
    Object.assign(this.settings, changes);
    useCustom(customSpec(this.settings));
    const n = SYSTEMS.custom.stateLength;
    // A preset brings its own start; an edit keeps the current one while the state fits it.
    const start = x0 ?? this.settings.x0;
    this.settings.x0 = start.length === n ? start : [];
    if (this.settings.system !== 'custom') {
      for (const w of switchSystem(this.settings, 'custom')) this.report(w, 'train-status');
    }
    this.setSystem('custom');
    this.showSettings();
    this.onSettings(this.settings);
    this.training.configure({ start: this.training.running });
  }

  /** Builds the rollouts of `system` and loads its shipped weights. */
  setSystem(system) {
    const editor = this.dom('custom-panel'); // in embed mode only with a control the link lists
    editor.hidden = system !== 'custom' || (this.settings.embed && !editor.querySelector('.ctl:not([hidden])'));
    if (system === 'custom') this.customEditor?.show();
    const desc = SYSTEMS[system];
    for (const { model } of this.shipped.values()) model.free();
    this.shipped.clear();
    this.rollouts?.truth.free();
    let fallback = null; // said once the hint is written below
    try {
      this.rollouts = new Rollouts(this.lnn, system, initialState(system, this.settings.x0));
    } catch (err) {
      if (!this.settings.x0.length) throw err; // the system's own start: nothing to fall back to
      fallback = `${err.message ?? err}; starting from the default state instead`;
      this.settings.x0 = [];
      this.rollouts = new Rollouts(this.lnn, system, initialState(system, []));
    }
    this.rollouts.integrator = this.settings.integrator; // no model is shown yet: nothing to restart
    for (const { key } of desc.slots) this.rollouts.slot(key);
    document.body.dataset.system = system;
    delete document.body.dataset.modelsReady;
    this.dom('stage').setAttribute('aria-label', `The ${desc.title}: true system and learned models side by side`);
    this.dom('status').textContent = desc.hint;
    this.dom('status').classList.remove('error');
    if (fallback) this.report(fallback);
    this.dom('lede-system').textContent = desc.lede;
    this.energyCaption ??= this.dom('energy-caption').textContent; // the pendulum's, in the HTML
    this.dom('energy-caption').textContent = desc.energyCaption ?? this.energyCaption;
    this.trajectoryCaption ??= this.dom('trajectory-caption').textContent; // the particle's
    this.dom('trajectory-caption').textContent = desc.trajectoryCaption ?? this.trajectoryCaption;
    this.energyPanel.setSystem(system);
    this.quality.setSystem(system);
    this.#applyViews();
    const token = (this.systemToken = {});
    Promise.all(desc.slots.map(async ({ key, weights }) => {
      const r = await fetch(assetUrl(weights));
      if (!r.ok) throw new Error(`${weights}: HTTP ${r.status}`);
      return { key, json: await r.text() };
    })).then((files) => {
      if (token !== this.systemToken) return; // the system changed meanwhile
      for (const { key, json } of files) {
        const model = this.lnn.LearnedModel.fromWeights(json);
        const step = JSON.parse(json).step;
        this.shipped.set(key, { model, json, step });
        if (this.rollouts.slot(key).source === 'loading') this.rollouts.show(key, model, 'shipped', step);
      }
      this.rollouts.restart(this.rollouts.x0);
      document.body.dataset.modelsReady = '1';
    }).catch((err) => this.report(err));
  }

  /** Where a slot's model comes from, in words (shipped weights, trained here, a file...). */
  sourceOf(slot) {
    return sourceText(slot);
  }

  /** Whether the current system ships weights for slot `key`. */
  shipsKey(key) {
    return SYSTEMS[this.rollouts.system].slots.some((s) => s.key === key);
  }

  /** Puts slot `key` back on its shipped weights (or removes it if the system ships none). */
  revert(key) {
    const s = this.shipped.get(key);
    if (s) this.rollouts.show(key, s.model, 'shipped', s.step);
    else if (this.shipsKey(key)) this.rollouts.show(key, null, 'loading');
    else this.rollouts.slots.delete(key);
  }

  /** Restarts every rollout from the initial state in the settings. */
  restart() {
    this.rollouts.restart(initialState(this.settings.system, this.settings.x0));
  }

  setInitialState(x, commit) {
    const fixed = SYSTEMS[this.settings.system].fixState(x);
    const x0 = check('x0', fixed).value;
    try {
      this.rollouts.restart(initialState(this.settings.system, x0));
    } catch (err) {
      // A typed L may be undefined there (log of a negative): said, and the old start kept.
      this.report(err);
      this.dom('set-x0').value = (this.settings.x0.length ? this.settings.x0 : SYSTEMS[this.settings.system].x0).join(', ');
      return;
    }
    this.settings.x0 = x0;
    this.dom('set-x0').value = x0.join(', ');
    if (commit) this.onSettings(this.settings);
  }

  /** The page was hidden or shown: training holds while unseen unless `background` is set. */
  setSeen(seen) {
    document.body.dataset.seen = seen ? '1' : '0';
    this.training.suspend(!seen && !this.settings.background);
  }

  setRunning(on) {
    this.running = on;
    this.dom('play').textContent = on ? 'Pause' : 'Play';
  }

  #applyViews() {
    const { embed, views, controls } = this.settings;
    const desc = SYSTEMS[this.rollouts.system];
    const trainingShown = !embed || controls.some((c) => ['train', 'step', 'train-reset'].includes(c));
    const wanted = views.length ? views : [...desc.views, ...(trainingShown ? ['loss'] : [])];
    // q(t) and the space-time image belong to the systems that list them; the rest apply to all.
    const own = (v) => desc.views.includes(v);
    const applies = { stage: true, energy: true, trajectory: own('trajectory'), spacetime: own('spacetime'), loss: true };
    for (const v of VIEW_NAMES) {
      for (const el of document.querySelectorAll(`.view-${v}`)) el.hidden = !(wanted.includes(v) && applies[v]);
    }
  }

  /** One handler per button, by button id; the keyboard presses the same buttons (KEYS). */
  #actions() {
    return {
      play: () => this.setRunning(!this.running),
      reset: () => this.restart(),
      randomise: () => this.setInitialState(SYSTEMS[this.settings.system].randomState(Math.random), true),
      train: () => this.training.toggle(),
      step: () => this.training.step(),
      'train-reset': () => this.training.reset(),
      save: () => this.training.save(),
    };
  }

  #bindButtons(extra) {
    const actions = { ...this.#actions(), ...extra };
    const run = (id) => {
      try {
        actions[id]();
      } catch (err) {
        this.report(err, 'train-status');
      }
    };
    for (const id of Object.keys(actions)) this.dom(id).addEventListener('click', () => run(id));
    addEventListener('keydown', (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.target.closest?.('input, select, textarea')) return;
      if (e.key === ' ' && e.target.closest?.('button, summary, label')) return; // it clicks itself
      const id = KEYS[e.key.toLowerCase()];
      if (!id || this.dom(id).closest('[hidden]')) return;
      e.preventDefault();
      run(id);
    });
    this.dom('load').addEventListener('change', async (e) => {
      const file = e.target.files?.[0];
      e.target.value = '';
      if (file) this.training.load(await file.text(), file.name);
    });
  }

  #pointer(e) {
    const c = this.dom('stage');
    const r = c.getBoundingClientRect();
    return [(e.clientX - r.left) * (c.width / r.width), (e.clientY - r.top) * (c.height / r.height)];
  }

  // Dragging a bob of any pendulum sets the angles of all of them (velocities zero).
  #bindDrag() {
    const c = this.dom('stage');
    c.addEventListener('pointerdown', (e) => {
      if (SYSTEMS[this.settings.system].view !== 'pendulum') return;
      const [px, py] = this.#pointer(e);
      const panel = pendulumView.panelAt(c, px);
      const L = pendulumView.layout(c, panel);
      const slot = this.rollouts.all()[panel];
      if (!slot?.state) return;
      const d = pendulumView.bobs(slot.state, L).map(([x, y]) => Math.hypot(x - px, y - py));
      const bob = d[0] < d[1] ? 0 : 1;
      if (d[bob] < 0.3 * L.scale) {
        this.drag = { panel, bob };
        c.setPointerCapture(e.pointerId);
      }
    });
    c.addEventListener('pointermove', (e) => {
      if (!this.drag) return;
      const [px, py] = this.#pointer(e);
      const L = pendulumView.layout(c, this.drag.panel);
      const s = [...this.rollouts.truth.state()];
      if (this.drag.bob === 0) {
        s[0] = Math.atan2(px - L.cx, py - L.cy);
      } else {
        const [[x1, y1]] = pendulumView.bobs(s, L);
        s[1] = Math.atan2(px - x1, py - y1);
      }
      this.setInitialState([s[0], s[1], 0, 0], false);
    });
    const drop = () => {
      if (this.drag) this.onSettings(this.settings);
      this.drag = null;
    };
    c.addEventListener('pointerup', drop);
    c.addEventListener('pointercancel', drop);
  }

  #drawStage() {
    const canvas = this.dom('stage');
    fit(canvas);
    const desc = SYSTEMS[this.rollouts.system];
    const panels = this.rollouts.all().map((s) => ({
      label: s.label, color: s.color, state: s.model || s.key === 'truth' ? s.state : null, trace: s.trace,
      // Short on the canvas (the legend below has the whole text): a phone squeezed it to nothing.
      note: s.diverged ? 'diverged' : s.source === 'loading' ? 'loading…' : s.key === 'truth' ? '' : s.source === 'training' && !s.step ? 'untrained' : sourceText(s),
    }));
    const range = desc.stageRange ? desc.stageRange(this.rollouts.x0) : desc.qRange;
    STAGE_VIEWS[desc.view].draw(canvas.getContext('2d'), { panels, highlight: this.drag ?? undefined, range, dof: desc.dof, ranges: desc.ranges, names: desc.stateNames?.slice(0, desc.dof) });
  }

  #drawPlots() {
    const desc = SYSTEMS[this.rollouts.system];
    const all = this.rollouts.all().filter((s) => s.key === 'truth' || s.model);
    const energy = this.dom('energy-plot');
    if (!energy.closest('[hidden]')) {
      fit(energy);
      const { outside } = energyView.draw(energy.getContext('2d'), {
        rollouts: all.filter((s) => s.energy.count),
        yLabel: desc.energyLabel,
        scale: this.#energyScale(),
      });
      energy.dataset.outside = outside.join(','); // for the tests
      energy.dataset.tMax = all.reduce((m, s) => Math.max(m, s.energy.lastT ?? 0), 0).toFixed(3); // for the tests
      energy.dataset.last = all.map((s) => s.energy.last ?? '').join(',');
    }
    const traj = this.dom('trajectory');
    if (!traj.closest('[hidden]')) {
      fit(traj);
      trajectoryView.draw(traj.getContext('2d'), { rollouts: all, tMax: desc.loopSeconds, yLabel: desc.qLabel, names: desc.stateNames.slice(0, desc.dof) });
    }
    const st = this.dom('spacetime');
    if (!st.closest('[hidden]') && desc.spacetime) {
      fit(st);
      // A new row comes every few frames: repaint (a per-pixel image) only when something changed.
      const key = [st.width, st.height, this.rollouts.restarts, ...all.map((s) => `${s.key}:${s.rows.length}:${s.rows.at(-1)?.t}`)].join(' ');
      if (key !== this.spacetimeKey) {
        this.spacetimeKey = key;
        const range = Math.max(1e-9, ...this.rollouts.x0.slice(0, desc.dof).map(Math.abs));
        spacetimeView.draw(st.getContext('2d'), { panels: all.map((s) => ({ label: s.label, color: s.color, rows: s.rows })), span: desc.spacetime.seconds, range });
        st.dataset.rows = String(this.rollouts.truthSlot.rows.length); // for the tests
      }
    }
  }

  /** The energy the drift is measured against: the system's scale, or |E(0)| (null: relative). */
  #energyScale() {
    return SYSTEMS[this.rollouts.system].energyScale ?? Math.abs(this.rollouts.energies().start ?? 1);
  }

  #readouts() {
    const { now, start } = this.rollouts.energies();
    const scale = this.#energyScale();
    this.dom('time').textContent = `${this.rollouts.t.toFixed(2)} s`;
    this.dom('energy').textContent = now === undefined ? '–' : now.toFixed(6);
    this.dom('drift').textContent = now === undefined ? '–' : (Math.abs(now - start) / scale).toExponential(2);
    const legend = this.rollouts.all().map((s) => `<li data-slot="${s.key}" data-source="${s.source}"${s.integrator ? ` data-integrator="${s.integrator}"` : ''}${s.diverged ? ' data-diverged="1"' : ''}><span class="swatch" style="background:${s.color}"></span>${s.label}<small>${sourceText(s)}</small></li>`).join('');
    if (legend !== this.legendHtml) {
      this.legendHtml = legend;
      this.dom('legend').innerHTML = legend;
    }
  }

  /**
   * The canvases' text alternatives, with the numbers they show (a fixed "the rollouts side by
   * side" told a screen reader nothing). Rewritten about once a second, not every frame.
   */
  #describe() {
    const desc = SYSTEMS[this.rollouts.system];
    const shown = this.rollouts.all().filter((s) => s.state && (s.key === 'truth' || s.model));
    const at = `t = ${this.rollouts.t.toFixed(1)} s`;
    const each = (f) => shown.map((s) => `${s.label}${s.diverged ? ' (diverged)' : ''}: ${f(s)}`).join('; ');
    this.dom('stage').setAttribute('aria-label', `The ${desc.title} at ${at}. ${each((s) => desc.describe(s.state))}.`);
    const e = (s) => (s.energy.count ? `${Number(s.energy.first.toPrecision(4))} at t = 0, ${Number(s.energy.last.toPrecision(4))} now` : 'no data yet');
    this.dom('energy-plot').setAttribute('aria-label', `Energy of each rollout over time, ${at}. ${each(e)}.`);
    const q = (s) => (s.q.count ? `q = ${s.q.last.toFixed(2)} now` : 'no data yet');
    this.dom('trajectory').setAttribute('aria-label', `Position q over time of each rollout, ${at}. ${each(q)}.`);
  }

  /** One animation frame: advance (unless paused or dragging), draw, measure. */
  frame(ts) {
    this.meter.tick(ts);
    try {
      if (this.running && !this.drag) this.rollouts.advance();
      this.#drawStage();
      this.#drawPlots();
      this.#readouts();
      this.training.draw();
      this.energyPanel.draw();
      this.quality.draw();
      if (ts - (this.describedAt ?? -Infinity) > 1000) {
        this.describedAt = ts;
        this.#describe();
      }
    } catch (err) {
      this.report(err);
    }
    this.frames += 1;
    const body = document.body.dataset;
    body.frames = String(this.frames); // read by the end-to-end tests
    if (this.frames === 1) body.firstFrameMs = performance.now().toFixed(0);
    if (this.frames % 15 === 0) {
      const fps = this.meter.fps();
      body.fps = fps.toFixed(1);
      // Slow motion, when the rollouts' cost made them step every few frames only.
      const slow = this.rollouts.framesPerStep;
      this.dom('fps').textContent = slow > 1 ? `${fps.toFixed(0)} (motion ÷${slow})` : fps.toFixed(0);
      body.framesPerStep = String(slow);
    }
  }
}
