// The setting controls, made by looping over the parameter table: one field per setting of the
// chosen groups, one delegated listener for all of them. No handler per control.
import { BY_KEY, PARAMS, formatValue, readText } from './params.js';

function inputFor(p) {
  if (p.type === 'enum') {
    const select = document.createElement('select');
    p.options.forEach((o, i) => select.append(new Option(p.optionLabels?.[i] ?? o, o)));
    return select;
  }
  const input = document.createElement('input');
  if (p.type === 'int' || p.type === 'float') {
    input.type = 'number';
    input.min = String(p.min);
    input.max = String(p.max);
    input.step = p.type === 'int' ? '1' : 'any';
    input.inputMode = p.type === 'int' ? 'numeric' : 'decimal';
  } else {
    input.type = 'text';
    input.spellcheck = false;
    if (p.type === 'ints') input.placeholder = 'e.g. 64,64';
  }
  return input;
}

/**
 * Adds a labelled field for every setting whose group is in `groups` to `container`; calls
 * `onChange(key, value, warning)` with the checked (clamped) value when one changes.
 */
export function buildControls(container, groups, onChange) {
  for (const p of PARAMS.filter((q) => groups.includes(q.group))) {
    const field = document.createElement('div');
    field.className = `field ctl ctl-${p.key}`;
    const label = document.createElement('label');
    const input = inputFor(p);
    input.id = `set-${p.key}`;
    input.name = p.key;
    label.htmlFor = input.id;
    label.textContent = p.label;
    field.append(label, input);
    container.append(field);
  }
  container.addEventListener('change', (e) => {
    const key = e.target.name;
    if (!BY_KEY.has(key)) return;
    const { value, warning } = readText(key, e.target.value);
    onChange(key, value, warning);
  });
}

/** Shows `state` in every field of `container`. */
export function showValues(container, state) {
  for (const el of container.querySelectorAll('[name]')) {
    if (BY_KEY.has(el.name) && state[el.name] !== undefined) el.value = formatValue(el.name, state[el.name]);
  }
}
