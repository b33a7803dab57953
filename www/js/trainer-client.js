// The page's side of the training worker: starts it, waits for `ready` before sending work, tags
// commands with the current run id and drops replies of older runs. When the worker dies (an
// uncaught exception, a Rust panic, a failed start) it is reported and a fresh worker started.
import { workerType } from './assets.js';
import { Cmd, Reply, message, problem } from './protocol.js';

const MAX_RESTARTS = 3; // within RESTART_WINDOW_MS; then give up rather than loop forever
const RESTART_WINDOW_MS = 30000;

export class TrainerClient {
  /**
   * `url`: the worker module. `handlers`: {reply(msg), crashed(reason, willRestart), restarted()}.
   * `reply` gets every current-run reply (errors included).
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.run = 0;
    this.restarts = [];
    this.#spawn();
  }

  #spawn() {
    this.ready = false;
    this.queue = [];
    const worker = new Worker(this.url, { type: workerType() });
    this.worker = worker;
    worker.onmessage = (e) => this.#receive(worker, e.data);
    worker.onerror = (e) => {
      e.preventDefault(); // reported on the page instead of as an uncaught error
      this.#crashed(worker, e.message || 'the training worker failed to start');
    };
    worker.onmessageerror = () => this.#crashed(worker, 'a message from the worker could not be read');
  }

  #receive(worker, msg) {
    if (worker !== this.worker) return;
    const bad = problem(msg, Reply);
    if (bad) {
      this.handlers.reply({ type: Reply.error, run: this.run, message: `bad reply from the worker: ${bad}`, fatal: false });
      return;
    }
    if (msg.type === Reply.ready) {
      this.ready = true;
      for (const m of this.queue.splice(0)) worker.postMessage(m);
      return;
    }
    if (msg.run !== this.run) return; // a stale answer of an earlier run
    if (msg.type === Reply.error && msg.fatal) {
      this.#crashed(worker, msg.message);
      return;
    }
    this.handlers.reply(msg);
  }

  #crashed(worker, reason) {
    if (worker !== this.worker) return;
    worker.terminate();
    const now = performance.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    const willRestart = this.restarts.length < MAX_RESTARTS;
    if (willRestart) {
      this.restarts.push(now);
      this.#spawn();
      this.handlers.restarted();
    } else {
      this.worker = null;
    }
    this.handlers.crashed(reason, willRestart); // last, so that its report is what stays on the page
  }

  /** Sends a command of the current run (queued until the worker is ready). */
  send(type, fields = {}) {
    if (!this.worker) throw new Error('the training worker is stopped (it failed repeatedly); reload the page');
    const m = message(type, this.run, fields);
    if (this.ready) this.worker.postMessage(m);
    else this.queue.push(m);
  }

  /** Starts a new run with `type` (configure, reset or load-weights); older replies are dropped. */
  newRun(type, fields = {}) {
    this.run += 1;
    this.send(type, fields);
    return this.run;
  }

  configure(settings) {
    return this.newRun(Cmd.configure, { settings });
  }
}
