// The editor of a typed Lagrangian (system=custom): a preset menu and one field per setting of the
// `custom` group (L, coordinates, parameters, ranges). As one types, the engine checks the text
// (wasm checkLagrangian: the canonical form and its diagnosis, or an error with the column);
// a change that checks out becomes the system, one that does not leaves the last good one running.
import { buildControls, showValues } from './controls.js';
import { customSpec } from './params.js';
import { PRESETS } from './presets.js';

/** The URL's text for a preset's spec. */
export function presetSettings(p) {
  return {
    lagrangian: p.spec.lagrangian,
    coords: p.spec.coordinates.join(','),
    params: (p.spec.parameters ?? []).map(([n, v]) => `${n}=${v}`).join(','),
    ranges: (p.spec.ranges ?? []).map(([lo, hi]) => `${lo}:${hi}`).join(','),
  };
}

export class CustomEditor {
  /** `apply(changes, x0)`: make these custom settings the system (they have been checked). */
  constructor(lnn, dom, settings, apply) {
    this.lnn = lnn;
    this.dom = dom;
    this.settings = settings;
    this.apply = apply;
    const select = dom('custom-preset');
    select.append(new Option('(edit below, or pick a preset)', ''));
    for (const [key, p] of Object.entries(PRESETS)) select.append(new Option(p.title, key));
    select.addEventListener('change', () => {
      const p = PRESETS[select.value];
      if (!p) return;
      this.apply(presetSettings(p), p.x0);
      this.show();
      this.#say(`${p.title}: ${p.about}.`, false);
    });
    buildControls(dom('custom-controls'), ['custom'], (key, value) => this.#change(key, value));
    dom('custom-controls').addEventListener('input', (e) => {
      if (e.target.name) this.check({ ...this.settings, [e.target.name]: e.target.value });
    });
  }

  /** Shows the current settings and their check. */
  show() {
    showValues(this.dom('custom-controls'), this.settings);
    this.check(this.settings);
  }

  /** The engine's verdict on `state`'s Lagrangian: {spec, checked} or null (the error shown). */
  check(state) {
    try {
      const spec = customSpec(state);
      const checked = this.lnn.checkLagrangian(spec);
      const notes = checked.notes.length ? ` Note: ${checked.notes.join('; ')}.` : '';
      this.#say(`L = ${checked.canonical}: ${checked.dof} coordinate${checked.dof > 1 ? 's' : ''}, state [${spec.coordinates.join(', ')}, ${spec.coordinates.map((c) => `${c}_dot`).join(', ')}].${notes}`, false);
      return { spec, checked };
    } catch (err) {
      this.#say(`${err.message ?? err}. The last good system keeps running.`, true);
      return null;
    }
  }

  #change(key, value) {
    const next = { ...this.settings, [key]: value };
    if (!this.check(next)) return;
    this.dom('custom-preset').value = '';
    this.apply({ [key]: value }, null);
  }

  #say(text, isError) {
    const el = this.dom('custom-status');
    el.textContent = text;
    el.classList.toggle('error', isError);
  }
}
