// The editor's presets (www/js/presets.js) through the real engine: the built wasm module
// (dist/, as the page loads it) run in Node. Each preset parses, prints back canonically, has no
// diagnosis to warn about, keeps its energy along the true rollout, and trains.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { PRESETS } from '../../www/js/presets.js';

const dist = join(import.meta.dirname, '..', '..', 'dist');
const lnn = await import(join(dist, 'lnn-wasm.js'));
lnn.initSync({ module: await readFile(join(dist, 'lnn-wasm_bg.wasm')) });

test('at least six presets, each a known system that parses, conserves its energy and trains', () => {
  assert.ok(Object.keys(PRESETS).length >= 6);
  for (const [key, p] of Object.entries(PRESETS)) {
    const checked = lnn.checkLagrangian(p.spec);
    assert.equal(checked.stateLength, p.x0.length, key);
    assert.deepEqual(checked.notes, [], `${key}: ${checked.notes}`);
    // The canonical form is a fixed point.
    assert.equal(lnn.checkLagrangian({ ...p.spec, lagrangian: checked.canonical }).canonical, checked.canonical, key);
    const sim = new lnn.Simulator({ system: 'custom', custom: p.spec, init: p.x0, dt: 0.01, integrator: 'rk4', substeps: 10 });
    const e0 = sim.energy();
    for (let i = 0; i < 300; i++) sim.step();
    const drift = Math.abs(sim.energy() - e0) / Math.max(1, Math.abs(e0));
    assert.ok(drift < 1e-7, `${key}: energy ${e0} -> ${sim.energy()} over 3 s`);
    assert.notDeepEqual(sim.state(), p.x0, `${key} moves`);
    sim.free();
    const t = new lnn.Trainer({ system: 'custom', custom: p.spec, hidden: [16, 16], testSize: 64, steps: 300, clip: 1, seed: 1 });
    const before = t.testLoss();
    t.step(300);
    assert.ok(t.testLoss() < before, `${key}: test loss ${before} -> ${t.testLoss()}`);
    t.free();
  }
});

test('the editor\'s check: errors with the column, notes for a Lagrangian that will give trouble', () => {
  assert.throws(() => lnn.checkLagrangian({ lagrangian: 'x_dot^2/2 - thetaa', coordinates: ['x'] }), /unknown name `thetaa` at column 13; coordinates are x/);
  assert.throws(() => lnn.checkLagrangian({ lagrangian: 'x_dot^2', coordinates: ['x'], ranges: [[1, 0], [0, 1]] }), /range 1 runs backwards/);
  assert.throws(() => lnn.checkLagrangian({ lagrangian: 'x_dot^2' }), /coordinates/);
  const c = lnn.checkLagrangian({ lagrangian: 'x_dot^2/2 - y^2', coordinates: ['x', 'y'] });
  assert.equal(c.canonical, 'x_dot^2/2 - y^2');
  assert.equal(c.dof, 2);
  assert.match(c.notes.join(' | '), /does not depend on y_dot.*\| the mass matrix .* singular at 100 % of 256 states/);
});

test('canonical momenta from the engine: the spring pendulum\'s p = (m ṙ, m r² θ̇)', () => {
  const p = PRESETS['spring-pendulum'];
  const sim = new lnn.Simulator({ system: 'custom', custom: p.spec, init: p.x0 });
  const [r, th, rd, thd] = [1.3, 0.2, -0.4, 0.9];
  const x = Array.from(sim.canonical([r, th, rd, thd]));
  assert.deepEqual(x.slice(0, 2), [r, th]);
  assert.ok(Math.abs(x[2] - rd) < 1e-14 && Math.abs(x[3] - r * r * thd) < 1e-14, `${x}`);
  sim.free();
});
