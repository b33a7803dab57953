// The 1-D wave: the field φ(x) of every rollout as a line on one canvas (the true field thick, the
// learned ones thinner on top), over the periodic box [0, 1). Pure drawing.
import { ticks } from './plot.js';

const dprOf = (canvas) => canvas.width / (canvas.clientWidth || canvas.width) || 1;

/** The plot box and the maps from (x, φ) to pixels. `range`: [φmin, φmax]. */
export function layout(canvas, range) {
  const dpr = dprOf(canvas);
  const box = { left: 40 * dpr, right: canvas.width - 10 * dpr, top: 26 * dpr, bottom: canvas.height - 32 * dpr };
  box.x = (x) => box.left + x * (box.right - box.left);
  box.y = (v) => box.bottom - ((v - range[0]) / (range[1] - range[0])) * (box.bottom - box.top);
  return box;
}

function drawAxes(ctx, box, range, dpr) {
  ctx.strokeStyle = '#30363d';
  ctx.fillStyle = '#8b949e';
  ctx.lineWidth = dpr;
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (let k = 0; k <= 4; k++) {
    const x = box.x(k / 4);
    ctx.beginPath();
    ctx.moveTo(x, box.top);
    ctx.lineTo(x, box.bottom);
    ctx.stroke();
    ctx.fillText(String(k / 4), x, box.bottom + 4 * dpr);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const mid = (range[0] + range[1]) / 2;
  for (const v of ticks(range[0], range[1], 4)) {
    ctx.strokeStyle = v === 0 ? '#6e7681' : '#30363d';
    ctx.beginPath();
    ctx.moveTo(box.left, box.y(v));
    ctx.lineTo(box.right, box.y(v));
    ctx.stroke();
    ctx.fillText(String(Number(v.toPrecision(2))), box.left - 4 * dpr, box.y(v));
  }
  ctx.save();
  ctx.translate(11 * dpr, box.y(mid));
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = 'center';
  ctx.fillText('φ', 0, -2 * dpr);
  ctx.restore();
  ctx.textAlign = 'right';
  ctx.textBaseline = 'top';
  ctx.fillText('x', box.right, box.bottom + 17 * dpr);
}

/** φ_i at x_i = i/N, closed around the periodic box (φ_N = φ_0). */
function drawField(ctx, q, box, color, width) {
  const n = q.length;
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  for (let i = 0; i <= n; i++) {
    const X = box.x(i / n), Y = box.y(q[i % n]);
    if (i === 0) ctx.moveTo(X, Y); else ctx.lineTo(X, Y);
  }
  ctx.stroke();
}

/**
 * `data`: {panels: [{label, color, state: [φ (N), φ̇ (N)] or null, note}], dof: N,
 * range: [φmin, φmax]}. The first panel is the truth. Values outside the range are clipped.
 */
export function draw(ctx, { panels, dof, range }) {
  const { canvas } = ctx;
  const dpr = dprOf(canvas);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const box = layout(canvas, range);
  drawAxes(ctx, box, range, dpr);
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.left, box.top, box.right - box.left, box.bottom - box.top);
  ctx.clip();
  ctx.lineJoin = 'round';
  panels.forEach((p, i) => {
    if (p.state) drawField(ctx, p.state.slice(0, dof), box, p.color, (i === 0 ? 4 : 2) * dpr);
  });
  ctx.restore();
  // Labels in the band above the plot: each rollout in its colour, with its note.
  ctx.font = `${12 * dpr}px system-ui, sans-serif`;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  let x = box.left;
  for (const p of panels) {
    const text = p.note === 'diverged' || p.note === 'loading…' ? `${p.label} · ${p.note}` : p.label;
    ctx.fillStyle = p.color;
    ctx.fillRect(x, 13 * dpr - 1.5 * dpr, 14 * dpr, 3 * dpr);
    ctx.fillText(text, x + 18 * dpr, 13 * dpr, box.right - x - 18 * dpr);
    x += Math.min(ctx.measureText(text).width, box.right - x) + 36 * dpr;
    if (x > box.right - 40 * dpr) break;
  }
}
