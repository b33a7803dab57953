// Energy of each rollout over time, the paper's Figure 2b drawn live: the true system's is flat,
// a learned Lagrangian's stays near it, the baseline's drifts. Pure drawing over plot.js.
import { drawPlot } from './plot.js';

/**
 * `data`: {rollouts: [{label, color, energy: {t, y}}] (the truth first), yLabel, scale, note?}.
 * The axis follows the truth's energy, widened to take in the others up to twice the system's
 * energy `scale` from it: a diverged model (E ~ 1e9) leaves the plot, said so in it, instead of
 * flattening the others to a line. Returns drawPlot's `{outside}`.
 */
export function draw(ctx, { rollouts, yLabel, scale, note }) {
  return drawPlot(ctx, {
    series: rollouts.map((r, i) => ({ label: r.label, color: r.color, x: r.energy.t, y: r.energy.y, width: i === 0 ? 2.5 : 1.5 })),
    xLabel: 't (s)',
    yLabel,
    focus: 0,
    focusFloor: 2 * Math.abs(scale),
    note,
  });
}
