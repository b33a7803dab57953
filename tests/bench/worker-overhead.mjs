// What a training step costs in the page's worker outside the pass itself, measured in one run in
// headless Chromium on the built dist/:
//   - the call into wasm: `Trainer.step(1)` N times against `step(N)` once (same steps);
//   - the yield between slices: setTimeout(0) (clamped by browsers to >= 4 ms when nested)
//     against a MessageChannel message, inside a worker;
//   - the page's worker end to end: samples/s while the page trains, against the same steps
//     timed back to back in bench.html's way (no yields, no snapshots, no progress messages).
// Usage (after `trunk build --release`): node tests/bench/worker-overhead.mjs [--query 'hidden=16,16&batch=16']
import { launch, serveDist } from '../e2e/harness.mjs';

const argv = process.argv.slice(2);
const query = argv.includes('--query') ? argv[argv.indexOf('--query') + 1] : '';
const settings = Object.fromEntries(new URLSearchParams(query));
const hidden = (settings.hidden ?? '64,64').split(',').map(Number);
const batch = Number(settings.batch ?? 32);

const server = await serveDist();
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(`${server.base}bench.html?seconds=0`);
  const calls = await page.evaluate(async ({ hidden, batch }) => {
    const { default: init, Trainer } = await import('./lnn-wasm.js');
    await init();
    const make = () => new Trainer({ system: 'double-pendulum', model: 'lnn', hidden, batch, angles: 'circle', init: 'xavier', testSize: 1 });
    const n = 2000;
    const time = (f) => { const t = make(); t.step(10); const t0 = performance.now(); f(t); const ms = performance.now() - t0; t.free(); return ms / n; };
    const out = {};
    for (let rep = 0; rep < 2; rep++) { // the second repetition is the one reported (warm)
      out.oneByOne = time((t) => { for (let i = 0; i < n; i++) t.step(1); });
      out.together = time((t) => t.step(n));
    }
    return out;
  }, { hidden, batch });
  const yields = await page.evaluate(async () => {
    const src = `
      const n = 500;
      const ch = new MessageChannel(); let resume = null; ch.port1.onmessage = () => resume();
      const viaChannel = () => new Promise((r) => { resume = r; ch.port2.postMessage(0); });
      const viaTimeout = () => new Promise((r) => setTimeout(r, 0));
      (async () => {
        const out = {};
        for (const [name, f] of [['setTimeout0', viaTimeout], ['messageChannel', viaChannel]]) {
          const t0 = performance.now();
          for (let i = 0; i < n; i++) await f();
          out[name] = (performance.now() - t0) / n;
        }
        postMessage(out);
      })();`;
    const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
    return new Promise((resolve) => { w.onmessage = (e) => resolve(e.data); });
  });
  await page.goto(`${server.base}index.html?${query ? `${query}&` : ''}train=1`);
  await page.waitForFunction(() => Number(document.body.dataset.samplesPerSecond) > 0, null, { timeout: 120_000 });
  await page.waitForTimeout(15_000);
  const inWorker = [];
  for (let i = 0; i < 10; i++) {
    inWorker.push(Number(await page.evaluate(() => document.body.dataset.samplesPerSecond)));
    await page.waitForTimeout(500);
  }
  const worker = inWorker.sort((a, b) => a - b)[5];
  const row = (label, v, unit) => console.log(`${label.padEnd(58)} ${v.toFixed(4).padStart(10)} ${unit}`);
  console.log(`LNN ${hidden.join('x')} batch ${batch}, headless Chromium, ${new Date().toISOString().slice(0, 10)}`);
  row('step: Trainer.step(1) called once per step', calls.oneByOne, 'ms/step');
  row('step: Trainer.step(2000) once', calls.together, 'ms/step');
  row('yield in a worker: setTimeout(0)', yields.setTimeout0, 'ms');
  row('yield in a worker: MessageChannel', yields.messageChannel, 'ms');
  row('samples/s, steps back to back (bench.html way)', (batch * 1000) / calls.together, 'samples/s');
  row('samples/s, the page training in its worker (median of 10)', worker, 'samples/s');
  console.log(JSON.stringify({ hidden, batch, ...calls, ...yields, backToBackSamplesPerSecond: (batch * 1000) / calls.together, workerSamplesPerSecond: worker }));
} finally {
  await browser.close();
  server.stop();
}
