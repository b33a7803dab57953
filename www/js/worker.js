// The training worker: owns the wasm Trainer and trains in short slices, so commands get through
// between slices. Speaks the protocol of protocol.js; every failure is posted, never swallowed.
// The page starts a second instance for the energy-error protocol (evaluate-energy), which runs
// for seconds to minutes in one piece and would otherwise stall training.
import init, { LearnedModel, Trainer, failedAllocation } from '../lnn-wasm.js';
import { fmtBytes, fmtInt as fmt } from './format.js';
import { Cmd, Reply, message, problem } from './protocol.js';

// Work per slice before yielding to the message queue, so that a pause or a new configuration
// gets through within ~SLICE_MS. The yield is a MessageChannel message, not setTimeout(0):
// browsers clamp nested timeouts to >= 4 ms (measured 4.3 ms in this worker), which cost ~18 % of
// the time at 20 ms slices; a channel message comes back in microseconds.
const SLICE_MS = 15;
// Steps per call into wasm are sized to take about CALL_MS, measured as the run goes, so that the
// cost of crossing into wasm and reading the clock is spread over many steps of a small model
// while one call of a large model still ends in time for the slice.
const CALL_MS = 4;
const PROGRESS_MS = 100; // a loss point and speed readout ten times a second
const SNAPSHOT_MS = 250; // parameters for the page's rollout four times a second
const TEST_LOSS_MS = 1000; // held-out loss once a second (a few ms for 256 samples)

// The most work one call into wasm may take, in parameter × sample evaluations (a graph model
// counts each grid point as GRAPH_POINT_WEIGHT samples): a training step on a batch, or the test
// loss. ~90 ms for 30M on a busy 2-core machine (64×64 LNN, batch 4,096 = 19M: 17 steps/s), about
// half that on a quiet one, so that Pause and new settings get through within 0.1 s. ?hidden=256,256,256,256&batch=4096 asked for 816M: one
// step took 8 s and Pause 2.6 s.
const MAX_CALL_WORK = 30e6;
// A graph model's point costs ~5 parameter-evaluations of an MLP's sample (measured on a busy
// machine: the wave's 1,313-parameter graph LNN at batch 128 × 100 points, 4 steps/s, 15 ns each;
// the 64×64 LNN, 3 ns each). The wave's 32 test states: 21M.
const GRAPH_POINT_WEIGHT = 5;
const NS_PER_WORK = 3; // the MLP's cost per parameter and sample, to say the wait in seconds

/** Why the page will not train a Trainer this large (null when it will): one call must stay short. */
function tooLarge(trainer, settings) {
  const params = trainer.params().length;
  const points = settings.grid ? GRAPH_POINT_WEIGHT * settings.grid : 1;
  const batch = settings.batch * points * params, test = (settings.testSize ?? 0) * points * params;
  if (Math.max(batch, test) <= MAX_CALL_WORK) return null;
  const what = batch >= test ? `a batch of ${fmt(settings.batch)}` : `the ${fmt(settings.testSize)} test samples`;
  const maxBatch = Math.floor(MAX_CALL_WORK / (points * params));
  const advice = maxBatch >= Math.max(1, settings.testSize ?? 0)
    ? `a batch of at most ${fmt(maxBatch)} with these widths, or narrower layers`
    : `narrower or fewer layers (at most ~${fmt(MAX_CALL_WORK / (points * Math.max(settings.batch, settings.testSize ?? 0)))} parameters here)`;
  const seconds = (work) => (work * NS_PER_WORK * 1e-9).toPrecision(2);
  return `this network has ${fmt(params)} parameters: one training call on ${what} would take about ${seconds(Math.max(batch, test))} s `
    + `(${NS_PER_WORK} ns per parameter and sample, measured on a busy 2-core machine), and Pause would wait for it; the page keeps a call under ${seconds(MAX_CALL_WORK)} s. `
    + `Use ${advice}; the CLI (lnn train) trains larger ones.`;
}

/** The worker's own state (this module is the worker; nothing else shares it). */
const w = { trainer: null, settings: null, run: 0, running: false, generation: 0, refused: null };

const post = (type, fields, transfer = []) => postMessage(message(type, w.run, fields), transfer);

/** A Rust panic or a trap leaves the wasm instance unusable: the page must restart us. */
const isFatal = (err) => err instanceof WebAssembly.RuntimeError;

/**
 * An error's message; a trap after a refused allocation (Rust aborts: "unreachable") is said to
 * be running out of memory, with the request and the memory in use (crates/lnn-wasm, memory.rs).
 */
function describe(err) {
  const text = String(err?.message ?? err);
  const refused = isFatal(err) ? failedAllocation() : 0;
  if (!refused) return text;
  return `out of memory: a request for ${fmtBytes(refused)} was refused with ${fmtBytes(wasm.memory.buffer.byteLength)} of WebAssembly memory in use, `
    + 'the most this browser gives one worker; smaller settings (hidden widths, batch, test size) need less';
}

function fail(err) {
  w.running = false;
  post(Reply.error, { message: describe(err), fatal: isFatal(err) });
}

function replaceTrainer(make) {
  w.running = false;
  w.generation += 1;
  w.trainer?.free();
  w.trainer = null;
  try {
    w.trainer = make();
  } catch (err) {
    w.refused = String(err?.message ?? err);
    throw err;
  }
  const large = tooLarge(w.trainer, w.settings);
  if (large) {
    w.trainer.free();
    w.trainer = null;
    w.refused = large;
    throw new Error(`cannot train with these settings: ${large}`);
  }
  const weights = w.trainer.exportWeights();
  // The held-out loss before any step: the reference the page judges divergence by.
  post(Reply.configured, { weights, paramCount: w.trainer.params().length, testLoss: w.trainer.testLoss(), ...schedule() });
}

function needTrainer() {
  if (!w.trainer) throw new Error(`cannot train with these settings: ${w.refused ?? 'not configured yet'}`);
  return w.trainer;
}

/** Where the run is in its learning-rate schedule. */
const schedule = () => ({ step: w.trainer.steps(), totalSteps: w.trainer.totalSteps(), scheduleDone: w.trainer.scheduleDone() });

function postSnapshot() {
  const params = w.trainer.params();
  post(Reply.snapshot, { step: w.trainer.steps(), params }, [params.buffer]);
}

/** Accumulates steps and losses between two progress messages. */
function meter() {
  return { t: performance.now(), steps: 0, lossSum: 0, lossCount: 0, last: null };
}

function postProgress(m, withTestLoss) {
  post(Reply.progress, progressFields(m, withTestLoss));
}

function progressFields(m, withTestLoss) {
  const seconds = Math.max(1e-3, (performance.now() - m.t) / 1000);
  const stepsPerSecond = m.steps / seconds;
  const last = m.last;
  const loss = m.lossCount > 0 ? m.lossSum / m.lossCount : NaN;
  return {
    step: last.step,
    points: Number.isFinite(loss) ? [[last.step, loss]] : [],
    testLoss: withTestLoss ? w.trainer.testLoss() : undefined,
    stepsPerSecond,
    samplesPerSecond: stepsPerSecond * w.settings.batch,
    lr: last.lr,
    skipped: last.skipped,
  };
}

/** Runs `count` steps in one call into wasm and adds them to the meter `m`. */
function runSteps(m, count) {
  const t = w.trainer;
  const skippedBefore = t.skipped();
  const loss = t.step(count);
  const skipped = t.skipped();
  const applied = count - (skipped - skippedBefore);
  if (applied > 0 && Number.isFinite(loss)) {
    m.lossSum += loss * applied;
    m.lossCount += applied;
  }
  m.steps += count;
  m.last = { step: t.steps(), lr: t.lr(), skipped };
}

/** Resolves on the next turn of the event loop, after any message waiting: no timer clamp. */
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();
const yieldToMessages = () => new Promise((resolve) => {
  waiting.push(resolve);
  channel.port2.postMessage(0);
});

/**
 * Stops at the end of the schedule, once: past it the rate stays at its final value (lr / 10⁴ for
 * one-cycle) and little is gained, so the visitor decides whether to go on (Train again) or not.
 * A run started past the end (a continued file, or Train pressed again) goes on until paused.
 */
function stopAtScheduleEnd(m) {
  post(Reply.progress, progressFields(m, true));
  postSnapshot();
  w.running = false;
  w.generation += 1;
  post(Reply.paused, { ...schedule(), reason: 'schedule-done', lr: w.trainer.lr() });
}

async function trainLoop(generation) {
  const stopAtEnd = !w.trainer.scheduleDone();
  let m = meter();
  let lastSnapshot = performance.now();
  let lastTest = -Infinity;
  let perCall = 1; // steps per call into wasm, grown or shrunk towards CALL_MS
  while (w.running && generation === w.generation) {
    try {
      const t0 = performance.now();
      let now = t0;
      do {
        const c0 = now;
        const left = w.trainer.totalSteps() - w.trainer.steps();
        runSteps(m, stopAtEnd ? Math.max(1, Math.min(perCall, left)) : perCall);
        if (stopAtEnd && w.trainer.scheduleDone()) {
          stopAtScheduleEnd(m);
          return;
        }
        now = performance.now();
        const ms = now - c0;
        if (ms < CALL_MS / 2) perCall = Math.min(perCall * 2, 4096);
        else if (ms > 2 * CALL_MS && perCall > 1) perCall = Math.max(1, perCall >> 1);
      } while (now - t0 < SLICE_MS);
      if (now - m.t >= PROGRESS_MS) {
        const withTest = now - lastTest >= TEST_LOSS_MS;
        postProgress(m, withTest);
        if (withTest) lastTest = now;
        m = meter();
      }
      if (now - lastSnapshot >= SNAPSHOT_MS) {
        postSnapshot();
        lastSnapshot = now;
      }
    } catch (err) {
      fail(err);
      return;
    }
    await yieldToMessages(); // let pause/configure through
  }
}

const handlers = {
  [Cmd.configure](msg) {
    w.settings = msg.settings;
    replaceTrainer(() => new Trainer(msg.settings));
  },
  [Cmd.reset]() {
    if (!w.settings) throw new Error('reset before configure');
    replaceTrainer(() => new Trainer(w.settings));
  },
  [Cmd.loadWeights](msg) {
    w.settings = msg.settings;
    replaceTrainer(() => Trainer.fromWeights(msg.json, msg.settings));
  },
  [Cmd.start]() {
    needTrainer();
    if (w.running) return;
    w.running = true;
    w.generation += 1;
    trainLoop(w.generation);
  },
  [Cmd.pause]() {
    w.running = false;
    w.generation += 1;
    if (w.trainer) {
      postSnapshot();
      post(Reply.paused, { ...schedule(), reason: 'asked' });
    }
  },
  [Cmd.step](msg) {
    needTrainer();
    if (w.running) return; // a single step means something only while paused
    const m = meter();
    runSteps(m, Math.max(1, Math.min(1000, msg.count ?? 1)));
    postProgress(m, true);
    postSnapshot();
  },
  [Cmd.exportWeights](msg) {
    const t = needTrainer();
    // `keep`: for the page's store (keeper.js), not a download.
    post(Reply.weights, { json: t.exportWeights(), step: t.steps(), keep: Boolean(msg.keep) });
  },
  [Cmd.evaluateEnergy](msg) {
    const t0 = performance.now();
    let model = null;
    try {
      model = LearnedModel.fromWeights(msg.json);
      if (msg.params) model.setParams(msg.params);
      const report = model.energyError(msg.settings ?? {});
      post(Reply.energyError, { request: msg.request, report, seconds: (performance.now() - t0) / 1000 });
    } catch (err) {
      post(Reply.error, { message: describe(err), fatal: isFatal(err), request: msg.request });
    } finally {
      model?.free();
    }
  },
  [Cmd.crash]() {
    setTimeout(() => {
      throw new Error('crash requested by the page (a test of the restart path)');
    });
  },
  [Cmd.exhaust]() {
    for (const pages of [1024, 16, 1]) { // 64 MiB, 1 MiB, 64 KiB at a time, to the last page
      try {
        for (;;) wasm.memory.grow(pages);
      } catch {
        // the browser's limit for this size of request
      }
    }
    replaceTrainer(() => new Trainer({ ...w.settings, testSize: 4096 }));
  },
};

function handle(msg) {
  const bad = problem(msg, Cmd);
  if (bad) throw new Error(`bad command: ${bad}`);
  // Commands that start a run adopt its id; the others belong to the current run.
  if (msg.type === Cmd.configure || msg.type === Cmd.reset || msg.type === Cmd.loadWeights) w.run = msg.run;
  handlers[msg.type](msg);
}

addEventListener('unhandledrejection', (e) => fail(e.reason));

const wasm = await init();
onmessage = (e) => {
  try {
    handle(e.data);
  } catch (err) {
    fail(err);
  }
};
post(Reply.ready, {});
