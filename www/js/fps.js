// Frames per second from requestAnimationFrame timestamps (the Performance API's clock).

export class FrameMeter {
  constructor(windowMs = 1000) {
    this.windowMs = windowMs;
    this.stamps = [];
  }

  /** Records a frame's timestamp (the argument requestAnimationFrame passes). */
  tick(ts) {
    this.stamps.push(ts);
    while (this.stamps.length > 2 && ts - this.stamps[0] > this.windowMs) this.stamps.shift();
  }

  /** Frames per second over the last window (0 before two frames). */
  fps() {
    const n = this.stamps.length;
    if (n < 2) return 0;
    return ((n - 1) * 1000) / (this.stamps[n - 1] - this.stamps[0]);
  }
}
