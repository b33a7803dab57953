// Times training steps of lnn-wasm in this browser: the rows of `lnn bench --only training`.
// Results go to the page and to window.benchResults (read by tests/bench/compare.mjs).
import init, { Trainer } from '../lnn-wasm.js';

// [model, hidden, batch, precision]: the same rows as natively, in the same order.
const ROWS = [
  ['lnn', [128, 128], 32, 'f64'],
  ['lnn', [128, 128], 256, 'f64'],
  ['lnn', [500, 500, 500], 32, 'f64'],
  ['lnn', [500, 500, 500], 256, 'f64'],
  ['baseline', [128, 128], 32, 'f64'],
  ['hnn', [128, 128], 32, 'f64'],
  ['lnn', [128, 128], 32, 'f32'],
  ['lnn', [500, 500, 500], 32, 'f32'],
  ['baseline', [128, 128], 32, 'f32'],
];

function msPerStep(model, hidden, batch, precision, budgetMs) {
  const t = new Trainer({ system: 'double-pendulum', model, hidden, batch, testSize: 1, precision });
  t.step(1); // warm-up
  let steps = 0;
  const start = performance.now();
  while (steps < 3 || performance.now() - start < budgetMs) {
    t.step(1);
    steps += 1;
  }
  const ms = (performance.now() - start) / steps;
  t.free();
  return ms;
}

async function main() {
  await init();
  const seconds = Number(new URLSearchParams(location.search).get('seconds') ?? 1);
  const out = document.getElementById('out');
  const results = [];
  let text = 'model     hidden        batch float     ms/step     samples/s\n';
  for (const [model, hidden, batch, precision] of ROWS) {
    const ms = msPerStep(model, hidden, batch, precision, seconds * 1000);
    results.push({ model, hidden, batch, precision, ms_per_step: ms, samples_per_s: Math.round(batch * 1000 / ms) });
    text += `${model.padEnd(9)} ${hidden.join('x').padEnd(12)} ${String(batch).padStart(6)} ${precision.padStart(5)} ${ms.toFixed(3).padStart(11)} ${Math.round(batch * 1000 / ms).toString().padStart(13)}\n`;
    out.textContent = text + '…';
    await new Promise((r) => setTimeout(r, 0));
  }
  out.textContent = text;
  window.benchResults = results;
}

main().catch((e) => {
  document.getElementById('out').textContent = `error: ${e.message ?? e}`;
  window.benchResults = { error: String(e) };
});
