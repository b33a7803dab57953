// Double pendulums side by side (angles from the downward vertical, unit arms), one panel per
// rollout, each with the trace of its second bob. Pure drawing: no state besides what it is given.
// The canvas's `data-panels` attribute holds the panel count, so layout() needs only the canvas.

const LABEL_PX = 22; // CSS pixels of label band at the top of each panel

const dprOf = (canvas) => canvas.width / (canvas.clientWidth || canvas.width) || 1;

/** Panel `index`: pixels per metre (`scale`), pivot (`cx`, `cy`), and the panel's left and width. */
export function layout(canvas, index = 0) {
  const n = Math.max(1, Number(canvas.dataset.panels || 1));
  const width = canvas.width / n;
  const top = LABEL_PX * dprOf(canvas);
  const size = Math.min(width, canvas.height - top);
  return { scale: size / 4.6, cx: width * (index + 0.5), cy: top + (canvas.height - top) / 2, left: width * index, width };
}

/** The panel under canvas x (pixels). */
export function panelAt(canvas, x) {
  const n = Math.max(1, Number(canvas.dataset.panels || 1));
  return Math.min(n - 1, Math.max(0, Math.floor((x / canvas.width) * n)));
}

/** Cartesian bob positions in canvas pixels. */
export function bobs(state, L) {
  const [t1, t2] = state;
  const x1 = L.cx + L.scale * Math.sin(t1), y1 = L.cy + L.scale * Math.cos(t1);
  const x2 = x1 + L.scale * Math.sin(t2), y2 = y1 + L.scale * Math.cos(t2);
  return [[x1, y1], [x2, y2]];
}

function withAlpha(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

function drawTrace(ctx, trace, L, color, dpr) {
  ctx.lineWidth = 1.5 * dpr;
  let prev = null;
  trace.forEach((q, i) => {
    const p = bobs(q, L)[1];
    if (prev) {
      ctx.strokeStyle = withAlpha(color, (i / trace.length) * 0.6);
      ctx.beginPath();
      ctx.moveTo(prev[0], prev[1]);
      ctx.lineTo(p[0], p[1]);
      ctx.stroke();
    }
    prev = p;
  });
}

function drawPendulum(ctx, state, L, color, highlight, dpr) {
  const [[x1, y1], [x2, y2]] = bobs(state, L);
  ctx.strokeStyle = '#e6e6e6';
  ctx.lineWidth = 3 * dpr;
  ctx.lineCap = 'round';
  ctx.beginPath();
  ctx.moveTo(L.cx, L.cy);
  ctx.lineTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
  ctx.fillStyle = '#8b949e';
  ctx.beginPath();
  ctx.arc(L.cx, L.cy, 4 * dpr, 0, 2 * Math.PI);
  ctx.fill();
  const r = Math.max(4 * dpr, Math.min(11 * dpr, L.scale * 0.14));
  [[x1, y1], [x2, y2]].forEach(([x, y], k) => {
    ctx.fillStyle = k === highlight ? '#ffffff' : color;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fill();
  });
}

/**
 * `data`: {panels: [{label, color, state, trace (angle pairs), note}], highlight: {panel, bob}}.
 * A panel without a state shows its note (loading, diverged) instead of a pendulum.
 */
export function draw(ctx, { panels, highlight = { panel: -1, bob: -1 } }) {
  const { canvas } = ctx;
  const dpr = dprOf(canvas);
  canvas.dataset.panels = String(panels.length);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.font = `${12 * dpr}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  panels.forEach((p, i) => {
    const L = layout(canvas, i);
    if (i > 0) {
      ctx.strokeStyle = '#30363d';
      ctx.lineWidth = dpr;
      ctx.beginPath();
      ctx.moveTo(L.left, 0);
      ctx.lineTo(L.left, canvas.height);
      ctx.stroke();
    }
    ctx.fillStyle = p.color;
    ctx.textAlign = 'center';
    ctx.fillText(p.label, L.cx, (LABEL_PX / 2 + 2) * dpr);
    ctx.strokeStyle = '#30363d';
    ctx.lineWidth = dpr;
    ctx.beginPath();
    ctx.arc(L.cx, L.cy, 2 * L.scale, 0, 2 * Math.PI);
    ctx.stroke();
    if (p.state) {
      drawTrace(ctx, p.trace, L, p.color, dpr);
      drawPendulum(ctx, p.state, L, p.color, highlight.panel === i ? highlight.bob : -1, dpr);
    }
    if (p.note && L.width > 190 * dpr) { // narrow panels leave the note to the legend
      ctx.fillStyle = '#8b949e';
      ctx.fillText(p.note, L.cx, canvas.height - 10 * dpr, L.width - 8 * dpr);
    }
  });
}
