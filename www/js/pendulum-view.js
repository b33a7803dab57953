// Draws a double pendulum (angles from the downward vertical, unit arms) and the trace of its
// second bob. Pure drawing: no state besides what it is given.

/** Canvas pixels per metre and the pivot position for a canvas of this size. */
export function layout(canvas) {
  const size = Math.min(canvas.width, canvas.height);
  return { scale: size / 4.6, cx: canvas.width / 2, cy: canvas.height / 2 };
}

/** Cartesian bob positions in canvas pixels. */
export function bobs(state, L) {
  const [t1, t2] = state;
  const x1 = L.cx + L.scale * Math.sin(t1), y1 = L.cy + L.scale * Math.cos(t1);
  const x2 = x1 + L.scale * Math.sin(t2), y2 = y1 + L.scale * Math.cos(t2);
  return [[x1, y1], [x2, y2]];
}

export function draw(ctx, state, trace, { color = '#f0a030', highlight = -1 } = {}) {
  const { canvas } = ctx;
  const L = layout(canvas);
  const dpr = canvas.width / canvas.clientWidth || 1;
  ctx.clearRect(0, 0, canvas.width, canvas.height);

  // faint reach circle
  ctx.strokeStyle = '#30363d';
  ctx.lineWidth = 1 * dpr;
  ctx.beginPath();
  ctx.arc(L.cx, L.cy, 2 * L.scale, 0, 2 * Math.PI);
  ctx.stroke();

  // trace of the second bob, fading out
  for (let i = 1; i < trace.length; i++) {
    ctx.strokeStyle = `rgba(240, 160, 48, ${(i / trace.length) * 0.6})`;
    ctx.lineWidth = 1.5 * dpr;
    ctx.beginPath();
    ctx.moveTo(trace[i - 1][0], trace[i - 1][1]);
    ctx.lineTo(trace[i][0], trace[i][1]);
    ctx.stroke();
  }

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
  [[x1, y1], [x2, y2]].forEach(([x, y], k) => {
    ctx.fillStyle = k === highlight ? '#ffffff' : color;
    ctx.beginPath();
    ctx.arc(x, y, 11 * dpr, 0, 2 * Math.PI);
    ctx.fill();
  });
}
