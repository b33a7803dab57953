// Position q(t) of each rollout against the truth, the paper's Figure 3 drawn live. Pure drawing.
import { drawPlot } from './plot.js';

/** `data`: {rollouts: [{label, color, q: {t, y}}], tMax, yLabel}. */
export function draw(ctx, { rollouts, tMax, yLabel }) {
  drawPlot(ctx, {
    series: rollouts.map((r, i) => ({ label: r.label, color: r.color, x: r.q.t, y: r.q.y, width: i === 0 ? 2.5 : 1.5, dash: i === 0 ? [6, 4] : null })),
    xLabel: 't (s)',
    yLabel,
    xRange: [0, tMax],
  });
}
