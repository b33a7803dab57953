// Native vs wasm training speed, measured in one run: `lnn bench --only training --json` natively,
// then the same rows in headless Chromium (www/bench.html). Prints one table with the ratio.
// Usage (after `cargo build --release -p lnn-cli` and `trunk build --release`):
//   node tests/bench/compare.mjs [--seconds S] [--json]
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, serveDist } from '../e2e/harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const seconds = Number(argv[argv.indexOf('--seconds') + 1] || 1) || 1;
const json = argv.includes('--json');

const native = execFileSync(join(root, 'target', 'release', 'lnn'), ['bench', '--only', 'training', '--json', '--seconds', String(seconds)], { encoding: 'utf8' })
  .trim().split('\n').map((l) => JSON.parse(l));

const server = await serveDist();
const browser = await launch();
let wasm;
try {
  const page = await browser.newPage();
  await page.goto(`${server.base}bench.html?seconds=${seconds}`);
  await page.waitForFunction(() => window.benchResults !== undefined, null, { timeout: 600_000 });
  wasm = await page.evaluate(() => window.benchResults);
  if (wasm.error) throw new Error(wasm.error);
} finally {
  await browser.close();
  server.stop();
}

const key = (r) => `${r.model} ${r.hidden.join('x')} ${r.batch} ${r.precision}`;
const rows = native.map((n) => {
  const w = wasm.find((r) => key(r) === key(n));
  return { ...n, wasm_ms_per_step: w?.ms_per_step, wasm_over_native: w ? w.ms_per_step / n.ms_per_step : null };
});
if (json) {
  rows.forEach((r) => console.log(JSON.stringify(r)));
} else {
  console.log('training step, double pendulum, one thread: native (x86-64, AVX-512 where the CPU has it) vs wasm (headless Chromium, SIMD128)');
  console.log('model     hidden        batch  prec   native ms     wasm ms   wasm/native   JAX ms (paper code, 2 cores; historical: measured once, 2026-12-02)');
  for (const r of rows) {
    console.log(`${r.model.padEnd(9)} ${r.hidden.join('x').padEnd(12)} ${String(r.batch).padStart(6)}  ${r.precision}  ${r.ms_per_step.toFixed(3).padStart(11)} ${(r.wasm_ms_per_step ?? NaN).toFixed(3).padStart(11)} ${(r.wasm_over_native ?? NaN).toFixed(2).padStart(12)}x   ${r.jax_ms_per_step_historical ?? '-'}`);
  }
}
