// The energy and q(t) histories (www/js/history.js), run in Node: bounded memory, and the past
// keeps its shape however long the rollout runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { History, MAX_BUCKETS } from '../../www/js/history.js';

const dt = 1 / 60;

/** The largest value of the drawn points within [a, b]. */
const maxIn = (h, a, b) => Math.max(...h.y.filter((_, i) => h.t[i] >= a && h.t[i] <= b));
const minIn = (h, a, b) => Math.min(...h.y.filter((_, i) => h.t[i] >= a && h.t[i] <= b));

test('an hour of frames stays within the bucket bound and keeps every early peak', () => {
  const h = new History(dt);
  // A 1 Hz oscillation for the first 20 s, then flat: what the thinning turned into a ramp.
  const f = (t) => (t < 20 ? Math.sin(2 * Math.PI * t) : 0);
  const frames = 60 * 3600;
  for (let i = 0; i <= frames; i++) h.push(i * dt, f(i * dt));
  assert.ok(h.t.length <= 3 * MAX_BUCKETS, `${h.t.length} points drawn`);
  assert.equal(h.count, frames + 1);
  // The bucket width is now 3600 s / 800 = 4.5 s, wider than a period: the envelope must remain.
  assert.ok(maxIn(h, 0, 20) > 0.999, 'the peaks of the first 20 s survive');
  assert.ok(minIn(h, 0, 20) < -0.999, 'and the troughs');
  assert.ok(Math.abs(maxIn(h, 30, 3600)) < 1e-12, 'the flat part stays flat');
  // The drawn points are in time order.
  for (let i = 1; i < h.t.length; i++) assert.ok(h.t[i] >= h.t[i - 1], `t[${i}]`);
  assert.equal(h.first, 0);
  assert.equal(h.last, 0);
});

test('a single spike is kept however much the history is coarsened', () => {
  const h = new History(dt);
  const spike = 12345;
  for (let i = 0; i < 200000; i++) h.push(i * dt, i === spike ? 5 : 1);
  assert.equal(Math.max(...h.y), 5);
  const at = h.t[h.y.indexOf(5)];
  assert.ok(Math.abs(at - spike * dt) < 1e-9, 'at its own time');
});

test('a short history is drawn point for point', () => {
  const h = new History(dt);
  const ys = [3, 1, 4, 1, 5, 9, 2, 6];
  ys.forEach((y, i) => h.push(i * dt, y));
  assert.deepEqual(h.y, ys);
  assert.deepEqual(h.t, ys.map((_, i) => i * dt));
});
