// Times training steps of lnn-wasm in this browser: the rows of `lnn bench --only training`.
// Results go to the page and to window.benchResults (read by tests/bench/compare.mjs).
import init, { Trainer } from '../lnn-wasm.js';

const ROWS = [
  ['lnn', [128, 128], 32],
  ['lnn', [128, 128], 256],
  ['lnn', [500, 500, 500], 32],
  ['lnn', [500, 500, 500], 256],
  ['baseline', [128, 128], 32],
  ['hnn', [128, 128], 32],
];

function msPerStep(model, hidden, batch, budgetMs) {
  const t = new Trainer({ system: 'double-pendulum', model, hidden, batch, testSize: 1 });
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
  let text = 'model     hidden        batch     ms/step     samples/s\n';
  for (const [model, hidden, batch] of ROWS) {
    const ms = msPerStep(model, hidden, batch, seconds * 1000);
    results.push({ model, hidden, batch, precision: 'f64', ms_per_step: ms, samples_per_s: Math.round(batch * 1000 / ms) });
    text += `${model.padEnd(9)} ${hidden.join('x').padEnd(12)} ${String(batch).padStart(6)} ${ms.toFixed(3).padStart(11)} ${Math.round(batch * 1000 / ms).toString().padStart(13)}\n`;
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
