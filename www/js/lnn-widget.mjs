// The demo as an anywidget front-end module: `export default { render({ model, el }) }`, the
// convention of anywidget (Jupyter, Colab, marimo) and of MyST's {anywidget} directive. The
// settings are the page's URL names (params.js), read with `model.get(name)`; a change of one
// (`change:NAME`) re-renders. The demo runs in an <lnn-demo> iframe, so the cleanup that render()
// resolves to removes it, which ends its worker, its animation and its memory at once.
//
// Where the page lives: beside this module (../index.html), or the `base` setting (the URL of a
// served dist/ folder). The host may inline this module's text (anywidget does with a file path):
// then there is no "beside", `base` is needed, and so the rest is imported at run time, not by
// static imports, which would fail to resolve before any of this ran.

/** The folder of the page's modules: `base`'s js/, else this module's own. */
function modulesOf(base) {
  if (base) return new URL('js/', new URL(base.endsWith('/') ? base : `${base}/`, document.baseURI));
  if (!/^(https?|file):/.test(import.meta.url)) {
    throw new Error('lnn-web widget: this module was inlined (no URL of its own); set `base` to the URL of the served dist/ folder');
  }
  return new URL('./', import.meta.url);
}

/** The attribute for a setting's value: booleans present or absent, lists comma-separated. */
function attribute(el, name, value) {
  if (value === undefined || value === null || value === false) el.removeAttribute(name);
  else if (value === true) el.setAttribute(name, '');
  else el.setAttribute(name, Array.isArray(value) ? value.join(',') : String(value));
}

async function render({ model, el }) {
  const base = model.get('base');
  const js = modulesOf(base);
  await import(new URL('widget.js', js).href); // defines <lnn-demo>
  const { PARAMS } = await import(new URL('params.js', js).href);
  const names = [...PARAMS.map((p) => p.key), 'height', 'title'];
  const demo = document.createElement('lnn-demo');
  if (base) demo.setAttribute('base', base);
  const apply = (name) => attribute(demo, name, model.get(name));
  for (const name of names) apply(name);
  const listeners = names.map((name) => [`change:${name}`, () => apply(name)]);
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
