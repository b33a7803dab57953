// Training data: exact accelerations, or observed trajectories (the system sampled at a rate
// with noise, or a dropped trajectory file) drawn as the samples the model will see. The
// trajectories shown are the ones the training worker makes: the same settings, the same seed.
import { drawPlot } from './plot.js';
import { PER_SYSTEM, trainerSettings } from './params.js';
import { SYSTEMS } from './systems.js';

const SHOWN_RUNS = 3; // trajectories drawn (of 50): enough to see the rate and the noise
const SHOWN_SECONDS = 4; // of each, so that single samples stay visible
const COLORS = ['#f0a030', '#6cb6ff', '#7ee787', '#ff7b72', '#d2a8ff', '#e3b341'];

export class ObservedPanel {
  constructor(lnn, dom, demo) {
    Object.assign(this, { lnn, dom, demo });
    this.key = null; // what is drawn: redrawn only when it changes
    dom('trajectories').addEventListener('change', (e) => {
      const file = e.target.files?.[0];
      e.target.value = ''; // the same file again is a new choice
      if (file) file.text().then((text) => this.useFile(file.name, text), (err) => this.#say(`cannot read ${file.name}: ${err.message ?? err}`, true));
    });
  }

  /** Checks a trajectory file (line and column of any error) and trains on it. */
  useFile(name, text) {
    let data;
    try {
      data = this.lnn.readTrajectories(text);
    } catch (err) {
      this.#say(`${name}: ${err.message ?? err}`, true);
      return;
    }
    const n = this.demo.dof();
    if (data.names.length !== n) {
      this.#say(`${name} has ${data.names.length} coordinates (${data.names.join(', ')}); the ${this.demo.settings.system} has ${n}`, true);
      return;
    }
    this.demo.settings.trajectoryFile = { name, text };
    this.demo.change('data', 'observed');
  }

  /** Shows the settings' data (called after every change of them). */
  show() {
    const s = this.demo.settings;
    const observable = !!PER_SYSTEM[s.system].observable;
    this.dom('set-data').disabled = !observable;
    const observed = s.data === 'observed' && observable;
    for (const key of ['sampling', 'noise', 'method']) this.dom(`set-${key}`).disabled = !observed || (key !== 'method' && !!s.trajectoryFile);
    this.dom('observed-figure').hidden = !observed;
    if (!observed) {
      this.#say(observable ? '' : `the ${s.system} is trained on exact accelerations here (a field, or inputs a trajectory file has no columns for)`, false);
      this.key = null;
      return;
    }
    const settings = trainerSettings(s);
    const key = JSON.stringify({ ...settings, csv: s.trajectoryFile?.name });
    if (key === this.key) return;
    this.key = key;
    let data;
    try {
      data = s.trajectoryFile ? this.lnn.readTrajectories(s.trajectoryFile.text) : this.lnn.observeSystem({ ...settings, csv: undefined });
    } catch (err) {
      this.#say(err.message ?? String(err), true);
      return;
    }
    const samples = data.runs.reduce((a, r) => a + r.t.length, 0);
    const source = s.trajectoryFile ? `${s.trajectoryFile.name}: ` : `The ${SYSTEMS[s.system].title} observed: `;
    this.#say('', false);
    this.dom('observed-caption').textContent = `${source}${data.runs.length} trajectories, ${samples} samples${s.trajectoryFile ? '' : ` every ${s.sampling} s, noise σ = ${s.noise}`}; every fifth held out for the test loss. ${s.method === 'discrete' ? 'Learnt from consecutive positions by the discrete Euler–Lagrange equation (no derivative estimates).' : 'q̇ and q̈ estimated by a local polynomial fit, its window chosen by cross-validation.'} Shown: q(t) of the first ${Math.min(SHOWN_RUNS, data.runs.length)}, the first ${SHOWN_SECONDS} s.`;
    this.data = data;
    document.body.dataset.observedSamples = String(samples);
    this.draw();
  }

  draw() {
    const canvas = this.dom('observed');
    if (!this.data || canvas.closest('[hidden]')) return;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(canvas.clientWidth * dpr), h = Math.round(canvas.clientHeight * dpr);
    if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
    const n = this.data.names.length;
    const series = [];
    for (const [k, r] of this.data.runs.slice(0, SHOWN_RUNS).entries()) {
      const t0 = r.t[0];
      const m = r.t.findIndex((t) => t - t0 > SHOWN_SECONDS);
      const len = m < 0 ? r.t.length : m;
      for (let j = 0; j < n; j++) {
        series.push({ label: k === 0 ? this.data.names[j] : '', color: COLORS[j % COLORS.length], x: r.t.slice(0, len).map((t) => t - t0), y: Array.from({ length: len }, (_, i) => r.q[i * n + j]), width: 0.6, dots: true });
      }
    }
    drawPlot(canvas.getContext('2d'), { series, xLabel: 't (s)', yLabel: 'q' });
  }

  #say(text, error) {
    const el = this.dom('data-status');
    el.textContent = text;
    el.classList.toggle('error', error);
  }
}
