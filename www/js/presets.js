// Known systems typed as Lagrangians: the presets of the page's "your own Lagrangian" editor
// (issue 14), each a starting point a visitor can edit. Every one is checked through the real
// engine in tests/e2e/presets.test.mjs: it parses, its energy is conserved by the true rollout,
// and a trainer accepts it. The specs are lnn-core's CustomSpec ({lagrangian, coordinates,
// parameters, conditioning, ranges}); `x0` is where the rollouts start.

/** key -> {title, about, spec, x0} */
export const PRESETS = {
  pendulum: {
    title: 'pendulum',
    about: 'a mass on a rigid rod: M = m l² is constant, the textbook case',
    spec: {
      lagrangian: 'm*l^2*theta_dot^2/2 + m*g*l*cos(theta)',
      coordinates: ['theta'],
      parameters: [['m', 1], ['l', 1], ['g', 9.8]],
      ranges: [[-3, 3], [-4, 4]],
    },
    x0: [2, 0],
  },
  'spring-pendulum': {
    title: 'spring pendulum',
    about: 'a mass on a spring in polar coordinates: M = diag(m, m r²) depends on the state',
    spec: {
      lagrangian: 'm*(r_dot^2 + r^2*theta_dot^2)/2 + m*g*r*cos(theta) - k*(r - l)^2/2',
      coordinates: ['r', 'theta'],
      parameters: [['m', 1], ['g', 9.8], ['k', 20], ['l', 1]],
      ranges: [[0.5, 1.5], [-1, 1], [-1, 1], [-2, 2]],
    },
    x0: [1.2, 0.5, 0, 0],
  },
  'rotating-hoop': {
    title: 'bead on a rotating hoop',
    about: 'a bead on a hoop spun at ω about its vertical axis: above ω² = g/R the bottom is no longer stable',
    spec: {
      lagrangian: 'm*R^2*(theta_dot^2 + w^2*sin(theta)^2)/2 + m*g*R*cos(theta)',
      coordinates: ['theta'],
      parameters: [['m', 1], ['R', 1], ['g', 9.8], ['w', 4]],
      ranges: [[-3, 3], [-4, 4]],
    },
    x0: [0.3, 0],
  },
  kepler: {
    title: 'Kepler orbit (polar)',
    about: 'a planet around a sun, r and φ: the angular momentum m r² φ̇ is conserved as well',
    spec: {
      lagrangian: 'm*(r_dot^2 + r^2*phi_dot^2)/2 + k/r',
      coordinates: ['r', 'phi'],
      parameters: [['m', 1], ['k', 1]],
      ranges: [[0.5, 2], [-3.2, 3.2], [-1, 1], [-2, 2]],
    },
    x0: [1, 0, 0, 1.2],
  },
  'charged-particle': {
    title: 'charge in a magnetic field',
    about: 'L is linear in the velocity through the vector potential: the motion is a circle',
    spec: {
      lagrangian: 'm*(x_dot^2 + y_dot^2)/2 + qB*(x*y_dot - y*x_dot)/2',
      coordinates: ['x', 'y'],
      parameters: [['m', 1], ['qB', 1]],
      ranges: [[-2, 2], [-2, 2], [-2, 2], [-2, 2]],
    },
    x0: [1, 0, 0, -1],
  },
  relativistic: {
    title: 'relativistic particle',
    about: 'L = −m c² √(1 − v²/c²) − V: not quadratic in the velocity, the speed stays below c',
    spec: {
      lagrangian: '-m*c^2*sqrt(1 - x_dot^2/c^2) - m*g*x',
      coordinates: ['x'],
      parameters: [['m', 1], ['c', 1], ['g', 1]],
      ranges: [[-5, 5], [-0.9, 0.9]],
    },
    x0: [0, 0.5],
  },
  quartic: {
    title: 'a Lagrangian quartic in the velocity',
    about: 'L = q̇⁴/12 + q̇²/2 − q²/2: M = 1 + q̇² is not constant, what a model assuming L = ½ q̇ᵀ M(q) q̇ − V cannot represent',
    spec: {
      lagrangian: 'x_dot^4/12 + x_dot^2/2 - x^2/2',
      coordinates: ['x'],
      ranges: [[-2, 2], [-2, 2]],
    },
    x0: [1.5, 0],
  },
};
