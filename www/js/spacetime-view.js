// The wave's space-time image, the paper's Figure 4: φ(x, t) with x across and t down, one image
// per rollout side by side, coloured blue (negative), white (0), red (positive). It fills over
// `span` seconds of simulated time, then scrolls. Pure drawing.
import { ticks } from './plot.js';

const dprOf = (canvas) => canvas.width / (canvas.clientWidth || canvas.width) || 1;

// Blue-white-red (ColorBrewer RdBu ends): 257 entries from −1 (index 0) to +1 (index 256).
const BLUE = [33, 102, 172], WHITE = [247, 247, 247], RED = [178, 24, 43];
const LUT = Array.from({ length: 257 }, (_, k) => {
  const c = k / 128 - 1;
  const [a, b] = c < 0 ? [WHITE, BLUE] : [WHITE, RED];
  return a.map((v, i) => Math.round(v + (b[i] - v) * Math.abs(c)));
});

/** The colour of φ on a symmetric scale ±`range` (clipped beyond it). */
export function colour(phi, range) {
  const c = Math.max(-1, Math.min(1, phi / range));
  return Number.isFinite(c) ? LUT[Math.round((c + 1) * 128)] : [0, 0, 0];
}

/** For each pixel column of a `width`-pixel image of an N-point periodic field: (i0, i1, f). */
function columns(width, n) {
  const i0 = new Int32Array(width), i1 = new Int32Array(width), f = new Float64Array(width);
  for (let px = 0; px < width; px++) {
    const u = ((px + 0.5) / width) * n - 0.5;
    const k = Math.floor(u);
    i0[px] = ((k % n) + n) % n;
    i1[px] = (k + 1) % n;
    f[px] = u - k;
  }
  return { i0, i1, f };
}

/** Paints the rows of one rollout into the rectangle `r` (device pixels), t from `t0` down. */
function paint(ctx, rows, r, t0, span, range) {
  const w = Math.max(1, Math.floor(r.w)), h = Math.max(1, Math.floor(r.h));
  if (rows.length === 0) return;
  const img = ctx.createImageData(w, h);
  const cols = columns(w, rows[0].q.length);
  const rowDt = rows.length > 1 ? rows[1].t - rows[0].t : span;
  for (let py = 0; py < h; py++) {
    const t = t0 + ((py + 0.5) / h) * span;
    const j = Math.round((t - rows[0].t) / rowDt);
    if (j < 0 || j >= rows.length || Math.abs(rows[j].t - t) > rowDt) continue;
    const q = rows[j].q;
    for (let px = 0; px < w; px++) {
      const v = q[cols.i0[px]] * (1 - cols.f[px]) + q[cols.i1[px]] * cols.f[px];
      const [R, G, B] = colour(v, range);
      const o = 4 * (py * w + px);
      img.data[o] = R;
      img.data[o + 1] = G;
      img.data[o + 2] = B;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, Math.round(r.x), Math.round(r.y));
}

function drawFrame(ctx, r, t0, span, dpr, withTimes) {
  ctx.strokeStyle = '#30363d';
  ctx.lineWidth = dpr;
  ctx.strokeRect(r.x - 0.5 * dpr, r.y - 0.5 * dpr, r.w + dpr, r.h + dpr);
  ctx.fillStyle = '#8b949e';
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'center';
  for (const x of [0, 0.5, 1]) ctx.fillText(String(x), r.x + x * r.w, r.y + r.h + 3 * dpr);
  ctx.textAlign = 'right';
  ctx.fillText('x', r.x + r.w, r.y + r.h + 15 * dpr);
  if (!withTimes) return;
  ctx.textBaseline = 'middle';
  for (const t of ticks(t0, t0 + span, 3)) {
    const y = r.y + ((t - t0) / span) * r.h;
    ctx.fillText(String(Number(t.toPrecision(3))), r.x - 4 * dpr, y);
  }
  ctx.save();
  ctx.translate(10 * dpr, r.y + r.h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText('t (s) ↓', 0, 0);
  ctx.restore();
}

/**
 * `data`: {panels: [{label, color, rows: [{t, q: φ (N)}], note?}], span (s), range (colour
 * scale: ±range is full blue / red)}. The panels share the time window: the latest `span`
 * seconds of all of them.
 */
export function draw(ctx, { panels, span, range }) {
  const { canvas } = ctx;
  const dpr = dprOf(canvas);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const withRows = panels.filter((p) => p.rows.length);
  const first = Math.min(...withRows.map((p) => p.rows[0].t), Infinity);
  const last = Math.max(...withRows.map((p) => p.rows.at(-1).t), -Infinity);
  const t0 = Number.isFinite(first) ? Math.max(first, last - span) : 0;
  const left = 40 * dpr, gap = 14 * dpr, top = 22 * dpr, bottom = 30 * dpr, right = 6 * dpr;
  const n = Math.max(1, panels.length);
  const w = (canvas.width - left - right - gap * (n - 1)) / n;
  panels.forEach((p, i) => {
    const r = { x: left + i * (w + gap), y: top, w, h: canvas.height - top - bottom };
    paint(ctx, p.rows, r, t0, span, range);
    drawFrame(ctx, r, t0, span, dpr, i === 0);
    ctx.font = `${12 * dpr}px system-ui, sans-serif`;
    ctx.fillStyle = p.color;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(p.note ? `${p.label} · ${p.note}` : p.label, r.x, top / 2, r.w);
  });
}
