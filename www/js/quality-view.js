// The energy error of the model in training against training time (log scale), with the shipped
// models' scores as dashed reference lines. Pure drawing over plot.js.
import { drawPlot } from './plot.js';

/**
 * `data`: {model: {label, color}, points: [{seconds, mean}], references: [{label, color, mean}],
 * note?}. Errors are fractions; the axis shows percent.
 */
export function draw(ctx, { model, points, references, note }) {
  const minutes = points.map((p) => p.seconds / 60);
  const span = [0, Math.max(1, ...minutes) * 1.05];
  drawPlot(ctx, {
    series: [
      ...references.map((r) => ({ label: r.label, color: r.color, x: span, y: [100 * r.mean, 100 * r.mean], dash: [5, 4], width: 1.5 })),
      { label: model.label, color: model.color, x: minutes, y: points.map((p) => 100 * p.mean), width: 2, dots: true },
    ],
    xLabel: 'training time (min)',
    yLabel: 'energy error (%)',
    log: true,
    xRange: span,
    note,
  });
}
