// Whether a training run is going wrong, from the worker's progress messages: most steps being
// skipped (a non-finite loss or gradient: lnn-core skips such a step rather than apply it), or a
// held-out loss that has grown far past where it started. The CLI fails such a run with a
// message (issue 13); the page keeps training, since the visitor may be watching on purpose, but
// says what is happening and what to change.

/** A test loss this many times its first value is a diverging run. */
export const BLOWUP = 1000;

export class TrainingHealth {
  constructor() {
    this.reset();
  }

  /**
   * A new run (configure, reset, load), whose test loss before any step was `testLoss`: the
   * reference. (The first one measured during training came after ~100 ms, by which a run at a
   * learning rate of 1 had already blown up on a quiet machine but not on a busy one.)
   */
  reset(testLoss = NaN) {
    this.firstTest = testLoss;
    this.last = null; // {step, skipped} of the previous progress message
    this.said = null; // the kind of the last trouble reported, so that each is said once
  }

  /**
   * Takes a progress message `{step, skipped, testLoss?}` and the run's `lr` and `clip`; returns a
   * sentence when a new trouble shows, else null.
   */
  update(msg, { lr, clip }) {
    const advice = `lower the learning rate (now ${lr})${clip ? '' : ' or turn on gradient clipping (1 is a good start)'}`;
    let trouble = null;
    if (this.last && msg.step > this.last.step) {
      const steps = msg.step - this.last.step, skipped = msg.skipped - this.last.skipped;
      if (skipped > steps / 2) trouble = ['skipped', `${skipped} of the last ${steps} steps were skipped (a non-finite loss or gradient, not applied): ${advice}.`];
    }
    this.last = { step: msg.step, skipped: msg.skipped };
    if (msg.testLoss !== undefined && !trouble) {
      if (!Number.isFinite(this.firstTest) && Number.isFinite(msg.testLoss)) this.firstTest = msg.testLoss;
      else if (!Number.isFinite(msg.testLoss)) trouble = ['nan', `the test loss is no longer a finite number: the network has blown up; ${advice}, then Reset.`];
      else if (msg.testLoss > BLOWUP * this.firstTest) {
        trouble = ['diverging', `the test loss has grown from ${this.firstTest.toPrecision(3)} to ${msg.testLoss.toPrecision(3)}: training is diverging; ${advice}, then Reset.`];
      }
    }
    if (!trouble || trouble[0] === this.said) return null;
    this.said = trouble[0];
    return trouble[1];
  }
}
