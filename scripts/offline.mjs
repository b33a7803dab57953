#!/usr/bin/env node
// Writes lnn-web-offline.html: the whole page in one file, for a course page opened from file://,
// a notes bundle on a USB stick or Quarto's single-file mode, where nothing may be fetched.
//
// Run by Trunk after every build (Trunk.toml, [[hooks]] post_build) on its staging folder, or by
// hand on a built folder: `node scripts/offline.mjs dist`. Inlined: the styles, the favicon, every
// module the page and its worker import, the wasm bindings with the wasm itself (base64) and the
// shipped weights. At run time a small loader (LOADER below) makes each module a data: URL and each
// weights file a blob: URL; the page finds the worker and the weights through assets.js.
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) throw new Error('usage: node scripts/offline.mjs DIST_DIR (or run it as a Trunk hook)');
const OUT = 'lnn-web-offline.html';
const read = (path) => readFileSync(join(dir, path), 'utf8');

/** `text` with `from` replaced by `to`, which must occur exactly once (else the build is stale). */
function replaceOnce(text, from, to, where) {
  const n = text.split(from).length - 1;
  if (n !== 1) throw new Error(`offline build: expected one ${JSON.stringify(from)} in ${where}, found ${n}`);
  return text.replace(from, () => to);
}

// Imports are rewritten to "@lnn/PATH" (PATH relative to dist/), which the loader swaps for data: URLs.
const IMPORT = /(\bfrom\s*|\bimport\s*)(['"])(\.{1,2}\/[^'"]+)\2/g;
const modules = new Map(); // path -> rewritten source
const order = []; // dependencies before dependants

function addModule(path, stack = []) {
  if (modules.has(path)) return;
  if (stack.includes(path)) throw new Error(`offline build: import cycle ${[...stack, path].join(' -> ')}`);
  let source = path === 'lnn-wasm_bg.wasm.js'
    ? `export default Uint8Array.from(atob("${readFileSync(join(dir, 'lnn-wasm_bg.wasm')).toString('base64')}"), (c) => c.charCodeAt(0));\n`
    : read(path);
  if (path === 'lnn-wasm.js') {
    // The bindings fetch the wasm beside them by default; here they get its bytes.
    source = `import __lnnWasmBytes from "./lnn-wasm_bg.wasm.js";\n${replaceOnce(source, "new URL('lnn-wasm_bg.wasm', import.meta.url)", '__lnnWasmBytes', path)}`;
  }
  const deps = [];
  source = source.replace(IMPORT, (_, keyword, quote, spec) => {
    const dep = posix.normalize(posix.join(posix.dirname(path), spec));
    deps.push(dep);
    return `${keyword}"@lnn/${dep}"`;
  });
  if (/import\.meta\.url/.test(source)) throw new Error(`offline build: ${path} uses import.meta.url, which a data: module cannot resolve against`);
  for (const dep of deps) addModule(dep, [...stack, path]);
  modules.set(path, source);
  order.push(path);
}
addModule('lnn-wasm.js');
addModule('js/app.js');
addModule('js/worker.js');

const assets = Object.fromEntries(readdirSync(join(dir, 'models')).filter((f) => f.endsWith('.json')).map((f) => [`models/${f}`, read(`models/${f}`)]));
// JSON in a <script> element: "<" escaped so that no "</script>" can end it early.
const data = JSON.stringify({ order, modules: Object.fromEntries(modules), assets }).replace(/</g, '\\u003c');

// Modules become data: URLs (their imports the others' data: URLs, made depth first): Chromium
// refuses module workers and imports from blob: URLs on a file:// page (origin "null") but
// imports data: URLs, also from a classic worker, which is what the training worker is here.
const LOADER = `
const data = JSON.parse(document.getElementById('lnn-offline-data').textContent);
const made = {};
const moduleUrl = (path) => made[path] ??= 'data:text/javascript;charset=utf-8,'
  + encodeURIComponent(data.modules[path].replace(/"@lnn\\/([^"]+)"/g, (_, p) => JSON.stringify(moduleUrl(p))));
const blob = (text, type) => URL.createObjectURL(new Blob([text], { type }));
const urls = Object.fromEntries(Object.entries(data.assets).map(([path, text]) => [path, blob(text, 'application/json')]));
// A failed import is rethrown outside the promise, where it reaches the page's worker.onerror.
urls['js/worker.js'] = blob('import(' + JSON.stringify(moduleUrl('js/worker.js')) + ').catch((e) => setTimeout(() => { throw e; }));', 'text/javascript');
globalThis.lnnOffline = { urls, workerType: 'classic' };
const bindings = await import(moduleUrl('lnn-wasm.js'));
await bindings.default();
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent('TrunkApplicationStarted'));
await import(moduleUrl('js/app.js'));
`;

let html = read('index.html');
// Trunk's loader and the page's entry script give way to the inlined data and the loader above.
html = html.replace(/<script type="module">\s*import init, \* as bindings[\s\S]*?<\/script>/, '');
html = replaceOnce(html, '<script type="module" src="js/app.js"></script>',
  `<script type="application/json" id="lnn-offline-data">${data}</script>\n<script type="module">${LOADER}</script>`, 'index.html');
html = html.replace(/<link rel="stylesheet" href="\.\/style\.css"[^>]*>/, () => `<style>${read('style.css')}</style>`);
html = html.replace(/<link rel="icon" href="\.\/favicon\.svg"[^>]*>/, () => `<link rel="icon" href="data:image/svg+xml;base64,${Buffer.from(read('favicon.svg')).toString('base64')}">`);
// Trunk's preload hints for the wasm: nothing to preload here.
html = html.replace(/<link rel="(?:modulepreload|preload)" href="\.\/lnn-wasm[^>]*>/g, '');
const stray = html.match(/<[^>]*(?:href|src)="\.\/[^>]*>/);
if (stray) throw new Error(`offline build: index.html still refers to a file beside it: ${stray[0]}`);
writeFileSync(join(dir, OUT), html);
console.log(`offline build: ${OUT}, ${(Buffer.byteLength(html) / 1e6).toFixed(2)} MB, ${order.length} modules, ${Object.keys(assets).length} weights files`);
