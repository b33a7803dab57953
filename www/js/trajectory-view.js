// Position q(t) of each rollout against the truth, the paper's Figure 3 drawn live. With several
// coordinates (a typed Lagrangian), each coordinate gets its own dash and the truth stays white.
// Pure drawing.
import { coordinateDash, drawPlot } from './plot.js';

/**
 * `data`: {rollouts: [{label, color, q: {t, y}, more: [{t, y}] (the other coordinates)}], tMax,
 * yLabel, names (of the coordinates, when `more` is drawn)}.
 */
export function draw(ctx, { rollouts, tMax, yLabel, names }) {
  const several = rollouts[0]?.more.length > 0;
  const series = several
    ? rollouts.flatMap((r, i) => [r.q, ...r.more].map((h, k) => ({
      label: `${r.label}: ${names[k]}`, color: r.color, x: h.t, y: h.y, width: i === 0 ? 2.5 : 1.5, dash: coordinateDash(k)[0],
    })))
    : rollouts.map((r, i) => ({ label: r.label, color: r.color, x: r.q.t, y: r.q.y, width: i === 0 ? 2.5 : 1.5, dash: i === 0 ? [6, 4] : null }));
  drawPlot(ctx, { series, xLabel: 't (s)', yLabel: several ? 'coordinates' : yLabel, xRange: [0, tMax] });
}
