// The training loss (and the held-out test loss) against the step, on a log scale. Pure drawing.
import { drawPlot } from './plot.js';

const columns = (points) => ({ x: points.map((p) => p[0]), y: points.map((p) => p[1]) });

/** `data`: {train: [[step, loss]...], test: [[step, loss]...], note?}. */
export function draw(ctx, { train, test, note }) {
  drawPlot(ctx, {
    series: [
      { label: 'train loss', color: '#f0a030', ...columns(train) },
      { label: 'test loss', color: '#6cb6ff', ...columns(test), width: 2, dots: true, under: true },
    ],
    xLabel: 'step',
    yLabel: 'loss',
    log: true,
    xRange: train.length > 1 ? undefined : [0, 100],
    note: train.length ? note : note ?? 'press Train to start',
  });
}
