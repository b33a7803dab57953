// The page: a true double pendulum simulated by lnn-wasm, drawn every animation frame.
// Drag a bob to set the initial angles; space pauses, R resets.
import { loadBindings } from './wasm.js';
import * as view from './pendulum-view.js';

const STEPS_PER_SECOND = 60; // simulated seconds advance in real time
const INIT = [2.2, 2.6, 0, 0];
const TRACE_LENGTH = 240;

const $ = (id) => document.getElementById(id);
const canvas = $('pendulum');
const ctx = canvas.getContext('2d');
const status = $('status');

function fail(err) {
  status.textContent = `error: ${err.message ?? err}`;
  status.classList.add('error');
  console.error(err);
}

function fitCanvas() {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(canvas.clientWidth * dpr);
  if (canvas.width !== w) {
    canvas.width = w;
    canvas.height = w;
  }
}

async function main() {
  const lnn = await loadBindings();
  $('version').textContent = lnn.version();
  const sim = new lnn.Simulator({
    system: 'double-pendulum', integrator: 'rk4', substeps: 20, dt: 1 / STEPS_PER_SECOND, init: INIT,
  });
  let e0 = sim.energy();
  let running = true;
  let trace = [];
  let dragging = -1; // index of the dragged bob, or -1
  let frames = 0;

  const restart = (state) => {
    sim.setState(state);
    e0 = sim.energy();
    trace = [];
  };

  const setRunning = (on) => {
    running = on;
    $('play').textContent = on ? 'Pause' : 'Play';
  };

  $('play').addEventListener('click', () => setRunning(!running));
  $('reset').addEventListener('click', () => restart(INIT));
  $('randomise').addEventListener('click', () => {
    const angle = () => (Math.random() * 2 - 1) * Math.PI;
    restart([angle(), angle(), 0, 0]);
  });
  addEventListener('keydown', (e) => {
    if (e.target.closest('input, select, textarea')) return;
    if (e.code === 'Space') { e.preventDefault(); setRunning(!running); }
    if (e.key === 'r' || e.key === 'R') restart(INIT);
  });

  // Dragging a bob sets the angles (velocities zero) and restarts from there on release.
  const toCanvas = (e) => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * (canvas.width / r.width), (e.clientY - r.top) * (canvas.height / r.height)];
  };
  canvas.addEventListener('pointerdown', (e) => {
    const [px, py] = toCanvas(e);
    const L = view.layout(canvas);
    const b = view.bobs(sim.state(), L);
    const d = b.map(([x, y]) => Math.hypot(x - px, y - py));
    const k = d[0] < d[1] ? 0 : 1;
    if (d[k] < 0.25 * L.scale) {
      dragging = k;
      canvas.setPointerCapture(e.pointerId);
    }
  });
  canvas.addEventListener('pointermove', (e) => {
    if (dragging < 0) return;
    const [px, py] = toCanvas(e);
    const L = view.layout(canvas);
    const s = sim.state();
    if (dragging === 0) {
      s[0] = Math.atan2(px - L.cx, py - L.cy);
    } else {
      const [[x1, y1]] = view.bobs(s, L);
      s[1] = Math.atan2(px - x1, py - y1);
    }
    restart([s[0], s[1], 0, 0]);
  });
  const drop = () => { dragging = -1; };
  canvas.addEventListener('pointerup', drop);
  canvas.addEventListener('pointercancel', drop);

  const frame = () => {
    try {
      fitCanvas();
      if (running && dragging < 0) sim.step();
      const s = sim.state();
      const L = view.layout(canvas);
      trace.push(view.bobs(s, L)[1]);
      if (trace.length > TRACE_LENGTH) trace.shift();
      view.draw(ctx, s, trace, { highlight: dragging });
      const e = sim.energy();
      $('time').textContent = `${sim.time().toFixed(2)} s`;
      $('energy').textContent = e.toFixed(6);
      $('drift').textContent = (Math.abs(e - e0) / 29.4).toExponential(2);
      frames += 1;
      document.body.dataset.frames = String(frames); // read by the end-to-end tests
      requestAnimationFrame(frame);
    } catch (err) {
      fail(err);
    }
  };
  status.textContent = 'true system: Euler–Lagrange equation of L = T − V, solved in wasm. Drag a bob to set it.';
  requestAnimationFrame(frame);
}

main().catch(fail);
