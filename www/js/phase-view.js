// A typed Lagrangian's stage: one phase portrait per rollout, q against q̇ of every coordinate
// (each coordinate its own dash), with the trace of where the state has been and a dot where it
// is. Works for any number of coordinates; the axes span the training ranges and the true
// motion. Pure drawing.
import { coordinateDash } from './plot.js';

const dprOf = (canvas) => canvas.width / (canvas.clientWidth || canvas.width) || 1;

/**
 * `data`: {panels: [{label, color, state, trace: [[q..., q̇...]...], note}], dof, ranges: [[lo,
 * hi] per state number], names: the coordinates}.
 */
export function draw(ctx, { panels, dof, ranges, names }) {
  const { canvas } = ctx;
  const dpr = dprOf(canvas);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const gap = 10 * dpr, top = 22 * dpr, bottom = 26 * dpr;
  const w = (canvas.width - gap * (panels.length + 1)) / panels.length;
  const h = canvas.height - top - bottom;
  // Every coordinate in the same box, each axis normalised to its training range widened to the
  // true motion (panel 0), so that the truth stays in view where it leaves what training saw.
  const truth = panels[0]?.trace ?? [];
  const spans = ranges.slice(0, 2 * dof).map(([lo, hi], i) => {
    let [a, b] = [lo, hi];
    for (const x of truth) [a, b] = [Math.min(a, x[i]), Math.max(b, x[i])];
    const pad = 0.05 * (b - a || 1);
    return [a - pad, b + pad];
  });
  const u = (v, [lo, hi]) => (hi > lo ? (v - lo) / (hi - lo) : 0.5);
  ctx.font = `${12 * dpr}px system-ui, sans-serif`;
  panels.forEach((p, k) => {
    const left = gap + k * (w + gap);
    const X = (v, i) => left + u(v, spans[i]) * w;
    const Y = (v, i) => top + (1 - u(v, spans[dof + i])) * h;
    ctx.strokeStyle = '#30363d';
    ctx.lineWidth = dpr;
    ctx.setLineDash([]);
    ctx.strokeRect(left, top, w, h);
    ctx.fillStyle = p.color;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    ctx.fillText(p.label, left, top - 4 * dpr, w / 2);
    if (p.note) {
      ctx.fillStyle = '#8b949e';
      ctx.textAlign = 'right';
      ctx.fillText(p.note, left + w, top - 4 * dpr, w / 2);
    }
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, w, h);
    ctx.clip();
    for (let i = 0; i < dof; i++) {
      ctx.strokeStyle = p.color;
      ctx.lineWidth = 1.5 * dpr;
      ctx.setLineDash((coordinateDash(i)[0] ?? []).map((d) => d * dpr));
      ctx.beginPath();
      p.trace.forEach((x, j) => (j ? ctx.lineTo(X(x[i], i), Y(x[dof + i], i)) : ctx.moveTo(X(x[i], i), Y(x[dof + i], i))));
      ctx.stroke();
      if (p.state) {
        ctx.fillStyle = p.color;
        ctx.beginPath();
        ctx.arc(X(p.state[i], i), Y(p.state[dof + i], i), 4 * dpr, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    ctx.restore();
  });
  ctx.setLineDash([]);
  ctx.fillStyle = '#8b949e';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  const axes = names.map((n, i) => `${n} across, ${n}_dot up${dof > 1 ? ` (${coordinateDash(i)[1]})` : ''}`);
  ctx.fillText(`phase portraits: ${axes.join('; ')}; each axis spans its training range and the true motion`, canvas.width / 2, canvas.height - 4 * dpr, canvas.width - 2 * gap);
}
