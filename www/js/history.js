// A time series of unbounded length kept in bounded memory without losing its shape: the span is
// cut into at most MAX_BUCKETS buckets of equal width in time, and each bucket keeps its first
// point, its lowest and its highest (in the order they happened). When the series outgrows the
// buckets their width doubles and neighbours merge, so every bucket still holds the true extremes
// of its interval. Drawn as a line through those points, the curve touches every peak and trough
// the raw series had, at a resolution of one bucket: about a pixel on a plot 800–1600 px wide.
// (It replaced thinning by dropping every other point of the whole series on each overflow, which
// turned the first minutes of a long rollout into a few straight segments.)

export const MAX_BUCKETS = 800;

/** One bucket: the interval [t0, t0 + width) and the points that represent it. */
const bucket = (t0, t, y) => ({ t0, first: [t, y], lo: [t, y], hi: [t, y] });

function absorb(b, t, y) {
  if (y < b.lo[1]) b.lo = [t, y];
  if (y > b.hi[1]) b.hi = [t, y];
}

/** The bucket's points in time order, without repeats: 1 to 3 points. */
function pointsOf(b) {
  const out = [b.first];
  for (const p of [b.lo, b.hi].sort((a, c) => a[0] - c[0])) {
    if (p[0] !== out[out.length - 1][0]) out.push(p);
  }
  return out;
}

export class History {
  /** `width`: the initial bucket width in time (the expected spacing of the points). */
  constructor(width = 1 / 60) {
    this.width = width;
    this.buckets = [];
    this.count = 0; // points pushed
    this.first = undefined; // the first point's value, exact
    this.last = undefined; // the latest point's value, exact
    this.cache = null;
  }

  /** Adds a point; `t` must not decrease. */
  push(t, y) {
    this.count += 1;
    this.first ??= y;
    this.last = y;
    this.lastT = t;
    this.cache = null;
    const b = this.buckets.at(-1);
    if (b && t < b.t0 + this.width) {
      absorb(b, t, y);
      return;
    }
    const t0 = this.buckets.length ? this.buckets[0].t0 : t;
    this.buckets.push(bucket(t0 + Math.floor((t - t0) / this.width) * this.width, t, y));
    while (this.buckets.length > MAX_BUCKETS) this.#coarsen();
  }

  /** Doubles the bucket width, merging neighbours (the extremes of a pair are the pair's). */
  #coarsen() {
    this.width *= 2;
    const t0 = this.buckets[0].t0;
    const merged = [];
    for (const b of this.buckets) {
      const start = t0 + Math.floor((b.t0 - t0) / this.width + 1e-9) * this.width;
      const m = merged.at(-1);
      if (m && m.t0 === start) {
        absorb(m, ...b.lo);
        absorb(m, ...b.hi);
      } else {
        merged.push({ ...b, t0: start });
      }
    }
    this.buckets = merged;
  }

  #points() {
    if (!this.cache) {
      const t = [], y = [];
      for (const b of this.buckets) {
        for (const [pt, py] of pointsOf(b)) {
          t.push(pt);
          y.push(py);
        }
      }
      this.cache = { t, y };
    }
    return this.cache;
  }

  /** The times of the points to draw (at most 3 per bucket). */
  get t() {
    return this.#points().t;
  }

  /** The values of the points to draw. */
  get y() {
    return this.#points().y;
  }
}
