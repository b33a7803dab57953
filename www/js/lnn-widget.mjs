// The demo as an anywidget front-end module: `export default { render({ model, el }) }`, the
// convention of anywidget (Jupyter, Colab, marimo) and of MyST's {anywidget} directive. The
// settings are the page's URL names (params.js), read with `model.get(name)`; a change of one
// (`change:NAME`) re-renders. The demo runs in an <lnn-demo> iframe, so render() returns a cleanup
// that removes it, which ends its worker, its animation and its memory at once.
//
// Where the page lives: beside this module (../index.html), or the `base` setting (the URL of a
// served dist/ folder) when the host inlines this module's text, as anywidget does with a file path.
import './widget.js';
import { PARAMS } from './params.js';

/** The attribute for a setting's value: booleans present or absent, lists comma-separated. */
function attribute(el, name, value) {
  if (value === undefined || value === null || value === false) el.removeAttribute(name);
  else if (value === true) el.setAttribute(name, '');
  else el.setAttribute(name, Array.isArray(value) ? value.join(',') : String(value));
}

const NAMES = [...PARAMS.map((p) => p.key), 'height', 'title', 'base'];

function render({ model, el }) {
  const demo = document.createElement('lnn-demo');
  const apply = (name) => attribute(demo, name, model.get(name));
  for (const name of NAMES) apply(name);
  const listeners = NAMES.map((name) => [`change:${name}`, () => apply(name)]);
  for (const [event, f] of listeners) model.on?.(event, f);
  el.append(demo);
  return () => {
    for (const [event, f] of listeners) model.off?.(event, f);
    demo.remove();
  };
}

/** A PNG data URL of what the widget rendered in `el` shows now (print and PDF tools' stand-in). */
function poster({ el }) {
  const demo = el.querySelector('lnn-demo');
  return demo ? demo.poster() : Promise.reject(new Error('no lnn-web widget was rendered in this element'));
}

export default { render, poster };
