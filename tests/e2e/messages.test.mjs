// What the page says when the engine fails (run in Node): results in which every rollout
// diverged, a rollout stopped by a singular mass matrix, sizes in bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatReport } from '../../www/js/energy-panel.js';
import { fmtBytes, fmtPercent } from '../../www/js/format.js';
import { failureText } from '../../www/js/rollouts.js';
import { TrainingHealth } from '../../www/js/training-health.js';

const report = (fields) => ({ mean: 0.0043, median: 0.0015, diverged: 0, initialConditions: 8, t: 20, ...fields });

test('an energy-error report in which every rollout diverged says so, with no "–" or Infinity', () => {
  // The engine reports mean = median = +∞ then (there is nothing to average).
  const text = formatReport(report({ mean: Infinity, median: Infinity, diverged: 8 }));
  assert.match(text, /^every rollout diverged, 8 of 8 \(t = 20, 8 initial conditions\): no energy error/);
  assert.doesNotMatch(text, /Infinity|NaN|–/);
  // Half or more diverged: a mean of the others, and no median.
  assert.equal(formatReport(report({ median: Infinity, diverged: 4 })),
    'mean 0.43 % · median none (half or more diverged) · diverged 4 of 8 (t = 20, 8 initial conditions)');
  assert.equal(formatReport(report({})), 'mean 0.43 % · median 0.15 % · diverged 0 of 8 (t = 20, 8 initial conditions)');
});

test('a singular mass matrix is explained in terms of the page, other failures pass through', () => {
  // lnn-core's Display of Error::SingularMassMatrix (crates/lnn-core/src/error.rs).
  const core = new Error('the mass matrix ∂²L/∂q̇² cannot be inverted (the banded mass matrix is singular); use the pseudo-inverse solver or a larger ridge');
  const text = failureText(core);
  assert.doesNotMatch(text, /solver|ridge/);
  assert.match(text, /singular.*train/);
  assert.equal(failureText(new Error('the state is no longer finite')), 'the state is no longer finite');
  assert.equal(failureText('plain text'), 'plain text');
});

test('sizes and percentages read as the engine writes them', () => {
  assert.equal(fmtBytes(536870912), '536.9 MB');
  assert.equal(fmtBytes(4294967296), '4.3 GB');
  assert.equal(fmtBytes(512), '512 bytes');
  assert.equal(fmtPercent(0.0043), '0.43 %');
  assert.equal(fmtPercent(NaN), '–');
});

test('a run that skips most of its steps or blows up is said once each, with what to change', () => {
  const h = new TrainingHealth();
  const run = { lr: 0.003, clip: 0 };
  assert.equal(h.update({ step: 100, skipped: 0, testLoss: 20 }, run), null, 'the first test loss is the reference');
  assert.equal(h.update({ step: 200, skipped: 10, testLoss: 15 }, run), null, 'a few skipped steps and a falling loss are fine');
  assert.match(h.update({ step: 300, skipped: 70 }, run), /^60 of the last 100 steps were skipped .*lower the learning rate \(now 0.003\) or turn on gradient clipping/);
  assert.equal(h.update({ step: 400, skipped: 130 }, run), null, 'said once');
  assert.match(h.update({ step: 500, skipped: 130, testLoss: 3e4 }, run), /grown from 20.0 to 3.00e\+4: training is diverging/);
  assert.match(h.update({ step: 600, skipped: 130, testLoss: NaN }, { lr: 1, clip: 1 }), /no longer a finite number.*lower the learning rate \(now 1\), then Reset/);
  h.reset();
  assert.equal(h.update({ step: 10, skipped: 0, testLoss: 3e4 }, run), null, 'a new run has a new reference');
  h.reset(30); // the test loss before the first step, as the worker reports it on configure
  assert.match(h.update({ step: 10, skipped: 0, testLoss: 4e4 }, run), /grown from 30.0 to 4.00e\+4/);
});
