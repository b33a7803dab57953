// A small line plot on a canvas (axes, ticks, lines, legend), linear or logarithmic in y. The views
// energy-view.js, trajectory-view.js and loss-view.js describe what to plot and call drawPlot.

const dprOf = (canvas) => canvas.width / (canvas.clientWidth || canvas.width) || 1;

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
  if (a < 1e-2) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
};

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

function drawAxes(ctx, box, xr, yr, log, dpr, labels) {
  ctx.strokeStyle = '#30363d';
  ctx.fillStyle = '#8b949e';
  ctx.lineWidth = dpr;
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  const yTicks = log ? logTicks(yr[0], yr[1]) : ticks(yr[0], yr[1], 4);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const v of yTicks) {
    const y = box.y(v);
    ctx.beginPath();
    ctx.moveTo(box.left, y);
    ctx.lineTo(box.right, y);
    ctx.stroke();
    ctx.fillText(log ? logLabel(v) : fmt(v), box.left - 4 * dpr, y);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const v of ticks(xr[0], xr[1], 5)) {
    const x = box.x(v);
    ctx.beginPath();
    ctx.moveTo(x, box.top);
    ctx.lineTo(x, box.bottom);
    ctx.stroke();
    const text = fmt(v);
    const half = ctx.measureText(text).width / 2;
    ctx.fillText(text, Math.min(x, ctx.canvas.width - half - dpr), box.bottom + 3 * dpr);
  }
  ctx.textAlign = 'right';
  ctx.fillText(labels.x ?? '', box.right, box.bottom + 15 * dpr);
  ctx.save();
  ctx.translate(11 * dpr, (box.top + box.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText(labels.y ?? '', 0, -4 * dpr);
  ctx.restore();
}

/** Legend entries laid out in rows that fit `width`: [{s, x, row}], and the number of rows. */
function legendLayout(ctx, series, left, right, dpr) {
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
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
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  for (const { s, x, row } of layout.items) {
    const y = top + (11 + 14 * row) * dpr;
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
 * `data`: {series: [{label, color, x: [], y: [], dash, width, dots}], xLabel, yLabel, log (y), xRange?, note?}.
 * Non-finite points (and non-positive ones on a log axis) break the line.
 */
export function drawPlot(ctx, data) {
  const { canvas } = ctx;
  const dpr = dprOf(canvas);
  const { series, log = false } = data;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const xr = data.xRange ?? extent(series, false, 'x');
  const yr = extent(series, log, 'y');
  const legend = legendLayout(ctx, series, 46 * dpr, canvas.width - 8 * dpr, dpr);
  const m = { left: 46 * dpr, right: 8 * dpr, top: (8 + 14 * legend.rows) * dpr, bottom: 30 * dpr };
  const box = {
    left: m.left, right: canvas.width - m.right, top: m.top, bottom: canvas.height - m.bottom,
  };
  box.x = (v) => box.left + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * (box.right - box.left);
  box.y = (v) => box.bottom - ((v - yr[0]) / (yr[1] - yr[0])) * (box.bottom - box.top);
  drawAxes(ctx, box, xr, yr, log, dpr, { x: data.xLabel, y: data.yLabel });
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.left, box.top, box.right - box.left, box.bottom - box.top);
  ctx.clip();
  for (const s of series) {
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
        ctx.arc(box.x(s.x[i]), box.y(log ? Math.log10(v) : v), 2.5 * dpr, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }
  ctx.restore();
  ctx.setLineDash([]);
  drawLegend(ctx, legend, 0, dpr);
  if (data.note) {
    ctx.fillStyle = '#8b949e';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(data.note, (box.left + box.right) / 2, (box.top + box.bottom) / 2);
  }
}
