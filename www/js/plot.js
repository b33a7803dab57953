// A small line plot on a canvas (axes, ticks, lines, legend), linear or logarithmic in y. The views
// energy-view.js, trajectory-view.js and loss-view.js describe what to plot and call drawPlot.

const dprOf = (canvas) => canvas.width / (canvas.clientWidth || canvas.width) || 1;

/**
 * The dash of coordinate k where several coordinates share a rollout's colour (the phase
 * portraits, q(t) of a typed Lagrangian): the pattern in CSS pixels (null: solid) and its name.
 */
const COORDINATE_DASHES = [[null, 'solid'], [[6, 4], 'dashed'], [[2, 3], 'dotted'], [[8, 3, 2, 3], 'dash-dot'], [[1, 4], 'sparse dots'], [[10, 6], 'long dashes']];
export const coordinateDash = (k) => COORDINATE_DASHES[k % COORDINATE_DASHES.length];

/** Round tick positions covering [a, b], about `count` of them (steps of 1, 2 or 5 × 10^k). */
export function ticks(a, b, count = 5) {
  if (!(b > a)) return [a];
  const raw = (b - a) / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out = [];
  for (let v = Math.ceil(a / step) * step; v <= b + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

const fmt = (v) => {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  if (a < 1e-2) return Number(v.toPrecision(3)).toExponential().replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
};

/** A label of `fmt` read back as a number. */
const readBack = (l) => Number(l.replace(/k$/, 'e3').replace(/M$/, 'e6'));

/** `v` with the decimals that a tick spacing of `step` needs (step = 1, 2 or 5 × 10^k). */
const fixed = (v, step) => {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return (Math.abs(v) < step * 1e-6 ? 0 : v).toFixed(decimals);
};

/**
 * Labels for evenly spaced linear ticks that tell every tick apart at any zoom, and the offset
 * they are relative to (0 when none). Short round labels where they suffice ("8.8", "20k"); the
 * digits the spacing needs where they are short ("8.8213"); otherwise, for a narrow range far
 * from 0 (the wave's energy, 8.82 ± 1e-7), the ticks as differences from a round offset shown
 * once, as a plot axis usually does: "+2e-7" beside "E − 8.82".
 */
export function tickLabels(values) {
  if (values.length < 2) return { labels: values.map(fmt), offset: 0 };
  // The spacing, snapped to its 1, 2 or 5 × 10^e (the tick positions carry rounding noise).
  const raw = (values.at(-1) - values[0]) / (values.length - 1);
  const e = Math.floor(Math.log10(raw) + 0.02);
  const step = Math.round(raw / 10 ** e) * 10 ** e;
  const distinct = (ls) => new Set(ls).size === ls.length;
  const plain = values.map(fmt);
  const faithful = plain.every((l, i) => Math.abs(readBack(l) - values[i]) <= 0.01 * step);
  if (faithful && distinct(plain)) return { labels: plain, offset: 0 };
  const exact = values.map((v) => fixed(v, step));
  if (distinct(exact) && Math.max(...exact.map((l) => l.length)) <= 7) return { labels: exact, offset: 0 };
  // Far from 0 for its span: differences from a round offset below the first tick.
  const span = values.at(-1) - values[0];
  const far = Math.max(Math.abs(values[0]), Math.abs(values.at(-1))) > 10 * span;
  const unit = 10 ** Math.ceil(Math.log10(span));
  const offset = far ? Math.floor(values[0] / unit) * unit : 0;
  const ds = values.map((v) => Math.round((v - offset) / step) * step); // whole steps: no rounding noise
  const E = Math.floor(Math.log10(Math.max(...ds.map(Math.abs))) + 1e-6); // the largest label's decade
  const label = (d) => {
    if (d === 0) return '0';
    const text = E >= -2 && E <= 3 ? fixed(d, step) : `${(d / 10 ** E).toFixed(Math.max(0, E - e))}e${E}`;
    return offset && d > 0 ? `+${text}` : text;
  };
  return { labels: ds.map(label), offset };
}

/** The offset as the axis label shows it: enough digits to be exact. */
export function offsetText(offset) {
  return String(Number(offset.toPrecision(12)));
}

/** Tick values (as log10) for a log axis over [a, b] (log10 units): decades, or 1-2-5 within. */
function logTicks(a, b) {
  const decades = [];
  for (let k = Math.ceil(a); k <= Math.floor(b); k++) decades.push(k);
  if (decades.length >= 2) return decades.length > 6 ? decades.filter((k) => k % 2 === 0) : decades;
  const out = [];
  for (let k = Math.floor(a); k <= Math.ceil(b); k++) {
    for (const m of [1, 2, 5]) {
      const v = k + Math.log10(m);
      if (v >= a && v <= b) out.push(v);
    }
  }
  // Less than a factor of 5 in range: round values spaced linearly.
  return out.length >= 2 ? out : ticks(10 ** a, 10 ** b, 3).filter((v) => v > 0).map(Math.log10);
}

const logLabel = (v) => {
  const x = 10 ** v;
  return x >= 1e-2 && x < 1e4 ? String(Number(x.toPrecision(2))) : x.toExponential(0).replace('e+', 'e');
};

/** The y range of the finite values of all series (logarithmic: of the positive ones). */
function extent(series, log, key) {
  let lo = Infinity, hi = -Infinity;
  for (const s of series) {
    for (const v of s[key]) {
      if (!Number.isFinite(v) || (log && v <= 0)) continue;
      const u = log ? Math.log10(v) : v;
      if (u < lo) lo = u;
      if (u > hi) hi = u;
    }
  }
  if (lo > hi) return log ? [-3, 1] : [0, 1];
  if (hi - lo < 1e-9 * Math.max(1, Math.abs(hi))) {
    const d = log ? 0.5 : Math.max(1e-6, Math.abs(hi) * 0.05);
    return [lo - d, hi + d];
  }
  const pad = log ? 0.05 * (hi - lo) : 0.06 * (hi - lo);
  return [lo - pad, hi + pad];
}

const FONT = 12; // px (CSS) of every text on a plot

/**
 * The y ticks, their labels and the widest label's width for the range `yr` of a plot `height`
 * device px tall.
 */
function yAxis(ctx, yr, log, height, dpr) {
  const count = Math.max(2, Math.min(5, Math.floor(height / (26 * dpr)))); // labels never touch
  const values = log ? logTicks(yr[0], yr[1]) : ticks(yr[0], yr[1], count);
  const { labels, offset } = log ? { labels: values.map(logLabel), offset: 0 } : tickLabels(values);
  // A log axis over many decades at a small height: every other label, still readable.
  const every = Math.max(1, Math.ceil(values.length / Math.max(2, Math.floor(height / (18 * dpr)))));
  const shown = labels.map((l, i) => (i % every === 0 ? l : ''));
  ctx.font = `${FONT * dpr}px system-ui, sans-serif`;
  return { values, labels: shown, offset, width: Math.max(0, ...shown.map((l) => ctx.measureText(l).width)) };
}

function drawAxes(ctx, box, xr, y, dpr, labels) {
  ctx.strokeStyle = '#30363d';
  ctx.fillStyle = '#8b949e';
  ctx.lineWidth = dpr;
  ctx.font = `${FONT * dpr}px system-ui, sans-serif`;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  y.values.forEach((v, i) => {
    const Y = box.y(v);
    ctx.beginPath();
    ctx.moveTo(box.left, Y);
    ctx.lineTo(box.right, Y);
    ctx.stroke();
    ctx.fillText(y.labels[i], box.left - 4 * dpr, Y);
  });
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const xTicks = ticks(xr[0], xr[1], Math.max(2, Math.min(6, Math.floor((box.right - box.left) / (70 * dpr)))));
  const x = tickLabels(xTicks);
  xTicks.forEach((v, i) => {
    const X = box.x(v);
    ctx.beginPath();
    ctx.moveTo(X, box.top);
    ctx.lineTo(X, box.bottom);
    ctx.stroke();
    const text = x.labels[i];
    const half = ctx.measureText(text).width / 2;
    ctx.fillText(text, Math.min(X, ctx.canvas.width - half - dpr), box.bottom + 3 * dpr);
  });
  const withOffset = (label, offset) => (offset ? `${label} − ${offsetText(offset)}` : label);
  ctx.textAlign = 'right';
  ctx.fillText(withOffset(labels.x ?? '', x.offset), box.right, box.bottom + 16 * dpr);
  ctx.save();
  // The axis title just left of the widest tick label (a fixed place collided with long ones).
  ctx.translate(box.left - y.width - 8 * dpr, (box.top + box.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(withOffset(labels.y ?? '', y.offset), 0, 0);
  ctx.restore();
}

/** Legend entries laid out in rows that fit `width`: [{s, x, row}], and the number of rows. */
function legendLayout(ctx, series, left, right, dpr) {
  ctx.font = `${FONT * dpr}px system-ui, sans-serif`;
  const items = [];
  let x = left + 6 * dpr, row = 0;
  for (const s of series) {
    const w = ctx.measureText(s.label).width + 28 * dpr;
    if (x + w - 8 * dpr > right && x > left + 6 * dpr) { row += 1; x = left + 6 * dpr; }
    items.push({ s, x, row });
    x += w;
  }
  return { items, rows: row + 1 };
}

/** The legend in the band above the plot, wrapped onto as many rows as it needs. */
function drawLegend(ctx, layout, top, dpr) {
  ctx.font = `${FONT * dpr}px system-ui, sans-serif`;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  for (const { s, x, row } of layout.items) {
    const y = top + (11 + 15 * row) * dpr;
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 3 * dpr;
    ctx.setLineDash(s.dash ? [3 * dpr, 2 * dpr] : []); // dashed lines get a dashed swatch
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 12 * dpr, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = s.color;
    ctx.fillText(s.label, x + 16 * dpr, y);
  }
}

/**
 * The y range to show: every series' finite values, or with `focus` (an index) the range of that
 * series, widened to take in the others only as far as `focusReach` times its own span (at least
 * `focusFloor`): a diverged rollout's energy of 1e9 must not flatten the truth's curve to a line.
 * Returns the range and the labels of the series that leave it.
 */
function yRangeOf(series, log, data) {
  const all = extent(series, log, 'y');
  if (data.focus === undefined || log || !series[data.focus]) return { yr: all, outside: [] };
  const own = extent([series[data.focus]], false, 'y');
  const reach = data.focusReach ?? 20;
  const room = Math.max(reach * (own[1] - own[0]), data.focusFloor ?? 0);
  const lo = Math.max(all[0], own[0] - room), hi = Math.min(all[1], own[1] + room);
  const outside = series.filter((s) => s.y.some((v) => Number.isFinite(v) && (v < lo || v > hi))).map((s) => s.label);
  return { yr: [lo, hi], outside };
}

/**
 * `data`: {series: [{label, color, x: [], y: [], dash, width, dots, under}], xLabel, yLabel, log (y),
 * xRange?, focus?, focusReach?, focusFloor?, note?}. Series marked `under` are drawn first (the
 * test loss's dots under the train loss's line); the legend keeps the given order.
 * Non-finite points (and non-positive ones on a log axis) break the line.
 * Returns `{outside}`: the labels of the series partly outside the y range shown.
 */
export function drawPlot(ctx, data) {
  const { canvas } = ctx;
  const dpr = dprOf(canvas);
  const { series, log = false } = data;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const xr = data.xRange ?? extent(series, false, 'x');
  const { yr, outside } = yRangeOf(series, log, data);
  const legend = legendLayout(ctx, series.filter((s) => s.label), 46 * dpr, canvas.width - 8 * dpr, dpr); // unlabelled: no entry
  const top = (8 + 15 * legend.rows) * dpr, bottom = 32 * dpr;
  const y = yAxis(ctx, yr, log, canvas.height - top - bottom, dpr);
  const m = { left: Math.max(46 * dpr, y.width + 24 * dpr), right: 8 * dpr, top, bottom };
  const box = {
    left: m.left, right: canvas.width - m.right, top: m.top, bottom: canvas.height - m.bottom,
  };
  box.x = (v) => box.left + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * (box.right - box.left);
  box.y = (v) => box.bottom - ((v - yr[0]) / (yr[1] - yr[0])) * (box.bottom - box.top);
  drawAxes(ctx, box, xr, y, dpr, { x: data.xLabel, y: data.yLabel });
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.left, box.top, box.right - box.left, box.bottom - box.top);
  ctx.clip();
  for (const s of [...series.filter((t) => t.under), ...series.filter((t) => !t.under)]) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = (s.width ?? 1.5) * dpr;
    ctx.setLineDash(s.dash ? s.dash.map((d) => d * dpr) : []);
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < s.x.length; i++) {
      const v = s.y[i];
      if (!Number.isFinite(v) || (log && v <= 0)) { pen = false; continue; }
      const X = box.x(s.x[i]), Y = box.y(log ? Math.log10(v) : v);
      if (pen) ctx.lineTo(X, Y); else ctx.moveTo(X, Y);
      pen = true;
    }
    ctx.stroke();
    if (s.dots) {
      ctx.fillStyle = s.color;
      for (let i = 0; i < s.x.length; i++) {
        const v = s.y[i];
        if (!Number.isFinite(v) || (log && v <= 0)) continue;
        ctx.beginPath();
        ctx.arc(box.x(s.x[i]), box.y(log ? Math.log10(v) : v), 2 * dpr, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }
  ctx.restore();
  ctx.setLineDash([]);
  drawLegend(ctx, legend, 0, dpr);
  ctx.fillStyle = '#8b949e';
  ctx.font = `${FONT * dpr}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  if (data.note) {
    ctx.textBaseline = 'middle';
    ctx.fillText(data.note, (box.left + box.right) / 2, (box.top + box.bottom) / 2);
  }
  if (outside.length) {
    ctx.textBaseline = 'top';
    ctx.fillText(`${outside.join(', ')}: off the scale`, (box.left + box.right) / 2, box.top + 3 * dpr);
  }
  return { outside };
}
