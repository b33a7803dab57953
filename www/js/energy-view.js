// Energy of each rollout over time, the paper's Figure 2b drawn live: the true system's is flat,
// a learned Lagrangian's stays near it, the baseline's drifts. Pure drawing over plot.js.
import { drawPlot } from './plot.js';

/** `data`: {rollouts: [{label, color, energy: {t, y}}], note?}. */
export function draw(ctx, { rollouts, note }) {
  drawPlot(ctx, {
    series: rollouts.map((r, i) => ({ label: r.label, color: r.color, x: r.energy.t, y: r.energy.y, width: i === 0 ? 2.5 : 1.5 })),
    xLabel: 't (s)',
    yLabel: 'energy E',
    note,
  });
}
