// The plots' tick labels (www/js/plot.js), run in Node: every tick of an axis has its own label
// at every zoom (the wave's energy axis once labelled all five ticks "8.82").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { offsetText, tickLabels, ticks } from '../../www/js/plot.js';

test('tick labels tell every tick apart, from wide ranges to a span of 1e-12 of the value', () => {
  for (const centre of [8.82, -6.5, 29.4, 1234.5, 0.001, 0, 1e6]) {
    for (let k = 2; k >= -12; k--) {
      const span = 10 ** k * Math.max(1, Math.abs(centre));
      const t = ticks(centre - span / 2, centre + span / 2, 4);
      if (t.length < 2) continue;
      const { labels, offset } = tickLabels(t);
      const what = `centre ${centre}, span ${span}: ${labels.join(' ')} (offset ${offset})`;
      assert.equal(new Set(labels).size, labels.length, what);
      assert.ok(labels.every((l) => l.length <= 9), `short labels: ${what}`);
      // Each label read back (plus the offset) is the tick, to within a tenth of the spacing.
      const step = t[1] - t[0];
      labels.forEach((l, i) => {
        const v = Number(l.replace(/k$/, 'e3').replace(/M$/, 'e6')) + Number(offsetText(offset));
        assert.ok(Math.abs(v - t[i]) <= 0.1 * step + 1e-9 * Math.abs(t[i]), `${l} for ${t[i]}: ${what}`);
      });
    }
  }
});

test('the wave energy axis that read "8.82" five times', () => {
  const t = ticks(8.8213412, 8.8213418, 4);
  const { labels, offset } = tickLabels(t);
  assert.equal(new Set(labels).size, labels.length, labels.join(' '));
  assert.notEqual(offset, 0);
});

test('ordinary ranges keep their short round labels', () => {
  assert.deepEqual(tickLabels(ticks(0, 100, 5)).labels, ['0', '20', '40', '60', '80', '100']);
  assert.deepEqual(tickLabels(ticks(0, 60000, 3)).labels, ['0', '20k', '40k', '60k']);
  assert.equal(tickLabels(ticks(0, 100, 5)).offset, 0);
});

/** A 2-D context that records what is drawn: text with its place, the order of strokes. */
function recorder(width = 600, height = 200) {
  const log = { text: [], strokes: [], translates: [] };
  const ctx = {
    canvas: { width, height, clientWidth: width },
    font: '', textAlign: '', textBaseline: '', fillStyle: '', strokeStyle: '', lineWidth: 1,
    measureText: (t) => ({ width: 6.5 * String(t).length }),
    fillText(t, x, y) { log.text.push({ t, x, y, align: this.textAlign }); },
    stroke() { log.strokes.push(this.strokeStyle); },
    translate(x, y) { log.translates.push([x, y]); },
  };
  for (const m of ['clearRect', 'beginPath', 'moveTo', 'lineTo', 'rect', 'clip', 'save', 'restore', 'rotate', 'arc', 'fill', 'setLineDash']) ctx[m] = () => {};
  return { ctx, log };
}

test('a diverged series leaves the energy axis, said so, instead of flattening the truth', async () => {
  const { drawPlot } = await import('../../www/js/plot.js');
  const { ctx, log } = recorder();
  const t = [0, 1, 2, 3];
  const series = [
    { label: 'true system', color: 'w', x: t, y: [-6.5, -6.5, -6.5, -6.5] },
    { label: 'LNN', color: 'o', x: t, y: [-6.5, -6.4, -6.6, -6.45] },
    { label: 'baseline MLP', color: 'b', x: t, y: [-6.5, 3, 1e9, 2e9] },
  ];
  const { outside } = drawPlot(ctx, { series, yLabel: 'energy E (J)', focus: 0, focusFloor: 2 * 29.4 });
  assert.deepEqual(outside, ['baseline MLP']);
  assert.ok(log.text.some((e) => e.t === 'baseline MLP: off the scale'), 'the plot says which series left it');
  // The ticks span tens, not billions: the truth and the LNN stay readable.
  const ticks = log.text.filter((e) => e.align === 'right' && /^-?[\d.]+$/.test(e.t)).map((e) => Number(e.t));
  assert.ok(ticks.length >= 2 && Math.max(...ticks.map(Math.abs)) < 100, `y ticks ${ticks}`);
  // Without an outlier nothing is cut and nothing is said.
  const calm = recorder();
  assert.deepEqual(drawPlot(calm.ctx, { series: series.slice(0, 2), focus: 0, focusFloor: 58.8 }).outside, []);
  assert.ok(!calm.log.text.some((e) => /off the scale/.test(e.t)));
});

test('the y-axis title sits left of the widest tick label, and test-loss dots lie under the train line', async () => {
  const { drawPlot } = await import('../../www/js/plot.js');
  const { ctx, log } = recorder(390, 180);
  drawPlot(ctx, { series: [{ label: 'a', color: 'a', x: [0, 1], y: [-12.3456, -12.3401] }], yLabel: 'energy E' });
  const tickLabels = log.text.filter((e) => e.align === 'right' && e.t !== '' && e.t !== 't (s)' && !/energy/.test(e.t));
  const leftmost = Math.min(...tickLabels.map((e) => e.x - ctx.measureText(e.t).width));
  const [titleX] = log.translates.at(-1); // the rotated title's baseline, 12 px tall to its left
  assert.ok(titleX <= leftmost - 2, `title at x ${titleX}, tick labels from x ${leftmost} (${tickLabels.map((e) => e.t)})`);
  assert.ok(titleX - 12 >= 0, 'the title stays on the canvas');
  // Series marked `under` are stroked first; the legend keeps the given order.
  const loss = recorder();
  drawPlot(loss.ctx, { series: [{ label: 'train loss', color: 'train', x: [1, 2], y: [1, 0.5] }, { label: 'test loss', color: 'test', x: [1, 2], y: [1, 0.6], dots: true, under: true }], log: true });
  const order = loss.log.strokes.filter((c) => c === 'train' || c === 'test');
  assert.deepEqual(order.slice(0, 2), ['test', 'train']);
  assert.deepEqual(loss.log.text.filter((e) => /loss$/.test(e.t)).map((e) => e.t), ['train loss', 'test loss']);
});
