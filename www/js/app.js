// The entry module: the only one that reads or writes `location`. Parses the settings from the
// URL, applies embed mode, loads the wasm module, starts the demo and the frame loop, and keeps
// the URL (and the share box) in step with the settings.
import { assetUrl } from './assets.js';
import { Demo } from './demo.js';
import { CONTROL_NAMES, customSpec, defaults, parse, serialize } from './params.js';
import { checkInitialState, useCustom } from './systems.js';
import { poster, preparePrint } from './print.js';
import { watchSeen } from './visibility.js';
import { loadBindings } from './wasm.js';
import { keepTrainedModel, slotOf } from './keeper.js';

const dom = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el;
};

const pageUrl = (settings) => {
  const q = serialize(settings);
  // Not origin + pathname: a page opened from file:// has the origin "null".
  return `${location.href.replace(/[?#].*$/, '')}${q ? `?${q}` : ''}`;
};

/** The widget snippet for these settings: the same names as the URL, as attributes. */
function embedCode(settings) {
  const src = new URL('js/widget.js', location.href).href;
  const attrs = [...new URLSearchParams(serialize({ ...settings, embed: false }))]
    .map(([k, v]) => ` ${k}="${v.replaceAll('"', '&quot;')}"`).join('');
  return `<script type="module" src="${src}"></script>\n<lnn-demo${attrs} controls="play,reset,randomise"></lnn-demo>`;
}

function writeUrl(settings) {
  const url = pageUrl(settings);
  if (url !== location.href) history.replaceState(null, '', url);
  dom('link').value = url;
  dom('embed-code').value = embedCode(settings);
}

async function copyLink() {
  const url = location.href;
  const status = dom('weights-status');
  try {
    await navigator.clipboard.writeText(url);
    status.textContent = 'link copied';
  } catch {
    dom('link').select(); // the clipboard is not available here: select it for the user
    status.textContent = 'select and copy the link below';
  }
  status.classList.remove('error');
}

/** Embed mode: no text, and only the controls listed in `controls`. */
function applyEmbed(settings, warnings) {
  document.body.classList.toggle('embed', settings.embed);
  for (const name of CONTROL_NAMES) {
    const els = document.querySelectorAll(`.ctl-${name}`);
    if (els.length === 0) warnings.push(`no control "${name}" on this page`);
    for (const el of els) el.hidden = settings.embed && !settings.controls.includes(name);
  }
  for (const form of document.querySelectorAll('.fields')) {
    if (settings.embed && !form.querySelector('.ctl:not([hidden])')) form.hidden = true;
  }
  for (const panel of document.querySelectorAll('.panel')) {
    if (settings.embed && !panel.querySelector('.ctl:not([hidden])')) panel.hidden = true;
  }
  if (settings.embed && window.parent !== window) {
    // Tell the embedding <lnn-demo> how tall the content is, so it can size its iframe.
    const post = () => window.parent.postMessage({ type: 'lnn-demo-size', height: document.documentElement.scrollHeight }, '*');
    new ResizeObserver(post).observe(document.body);
    // <lnn-demo>.poster(): a still of the rollouts, for tools that put their own image in print.
    addEventListener('message', (e) => {
      if (e.source !== window.parent || e.data?.type !== 'lnn-demo-poster') return;
      window.parent.postMessage({ type: 'lnn-demo-poster', id: e.data.id, src: poster() }, '*');
    });
  }
}

function showStatus(text, isError) {
  const el = dom('status');
  el.textContent = text;
  el.classList.toggle('error', isError);
}

/**
 * A link's typed Lagrangian, checked by the engine before anything runs: one that does not check
 * out is said, and the pendulum preset (the table's defaults) runs instead.
 */
function checkCustom(lnn, state) {
  try {
    const spec = customSpec(state);
    lnn.checkLagrangian(spec);
    useCustom(spec);
    return [];
  } catch (err) {
    const d = defaults('custom');
    for (const k of ['lagrangian', 'coords', 'params', 'ranges']) state[k] = d[k];
    state.x0 = [];
    useCustom(customSpec(state));
    return [`lagrangian: ${err.message ?? err}; using the pendulum preset`];
  }
}

/**
 * Opens the weights file a link names (`weights=URL`, relative to the page), as the Load weights
 * button would: a model trained elsewhere (python/'s JAX trainer, `lnn train`) runs beside the
 * truth and Train continues from it. Failures are said in the page's status line, which embed
 * mode keeps, where the weights panel may be hidden.
 */
async function openWeightsUrl(demo, url) {
  const name = url.split(/[?#]/)[0].split('/').pop() || url;
  let json;
  try {
    const r = await fetch(new URL(url, location.href));
    if (!r.ok) throw new Error(`HTTP ${r.status} ${r.statusText}`.trim());
    json = await r.text();
  } catch (err) {
    showStatus(`weights: could not fetch ${url} (${err.message ?? err}); showing the shipped models`, true);
    return;
  }
  const failed = demo.training.load(json, name);
  if (failed) showStatus(`weights: could not load ${name}: ${failed}; showing the shipped models`, true);
}

async function main() {
  const { state, warnings } = parse(location.search);
  // Motion only where the visitor's system allows it, unless the link asks for it in so many words.
  const still = matchMedia('(prefers-reduced-motion: reduce)').matches && !new URLSearchParams(location.search).has('autoplay');
  if (still) state.autoplay = false;
  const lnn = await loadBindings();
  // Always, not only for system=custom: the select can switch to it later, and SYSTEMS.custom must
  // then be the link's Lagrangian (Demo.setCustom keeps the two in step from here on).
  warnings.push(...checkCustom(lnn, state));
  const initial = checkInitialState(state.system, state.x0);
  state.x0 = initial.x0;
  warnings.push(...initial.warnings);
  dom('version').textContent = lnn.version();
  const demo = new Demo(lnn, dom, state, {
    onSettings: writeUrl,
    workerUrl: assetUrl('js/worker.js'),
    actions: { 'copy-link': copyLink },
  });
  applyEmbed(state, warnings);
  // A widget printed before anyone scrolled to it has drawn nothing yet: one frame first.
  preparePrint(() => pageUrl({ ...demo.settings, embed: false }), () => demo.frame(performance.now()));
  const slot = slotOf(location.hash, document.referrer); // before writeUrl drops the fragment
  writeUrl(state);
  if (warnings.length) showStatus(`some settings in the link were adjusted: ${warnings.join('; ')}`, true);
  else if (still) showStatus('Paused: your system asks for reduced motion. Play (or Space) starts the rollouts.', false);
  // The link's weights file first, so that a model kept in this browser (trained on from it) wins.
  const opened = state.weights ? openWeightsUrl(demo, state.weights) : Promise.resolve();
  // An embedded widget keeps what it learned across reloads (a Reveal.js slide unloads its iframe).
  if (state.embed) opened.then(() => keepTrainedModel(lnn, demo, dom, slot));
  // Nothing is drawn while nobody sees the page (the battery's sake); training holds too.
  let seen = true;
  watchSeen((s) => {
    seen = s;
    demo.setSeen(s);
  });
  const loop = (ts) => {
    if (seen || demo.frames === 0) demo.frame(ts);
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
}

main().catch((err) => {
  showStatus(`error: ${err.message ?? err}`, true);
  console.error(err);
});
