// The relativistic particle: one track per rollout, stacked, with the particle at its position q
// and a fading trail of where it was. Pure drawing.

const dprOf = (canvas) => canvas.width / (canvas.clientWidth || canvas.width) || 1;

function withAlpha(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

/** The x pixel of position q on a track from `left` to `right` spanning `range`. */
const xOf = (q, [a, b], left, right) => left + ((q - a) / (b - a)) * (right - left);

function drawTrack(ctx, p, box, range, dpr) {
  const { left, right, y } = box;
  ctx.strokeStyle = '#30363d';
  ctx.lineWidth = 2 * dpr;
  ctx.beginPath();
  ctx.moveTo(left, y);
  ctx.lineTo(right, y);
  ctx.stroke();
  for (let q = Math.ceil(range[0] / 5) * 5; q <= range[1]; q += 5) {
    const x = xOf(q, range, left, right);
    ctx.beginPath();
    ctx.moveTo(x, y - 4 * dpr);
    ctx.lineTo(x, y + 4 * dpr);
    ctx.stroke();
  }
  const clampQ = (q) => Math.max(range[0], Math.min(range[1], q));
  p.trace.forEach(([q], i) => {
    ctx.fillStyle = withAlpha(p.color, (i / p.trace.length) * 0.35);
    ctx.beginPath();
    ctx.arc(xOf(clampQ(q), range, left, right), y, 3 * dpr, 0, 2 * Math.PI);
    ctx.fill();
  });
  if (!p.state) return;
  const q = p.state[0];
  const x = xOf(clampQ(q), range, left, right);
  ctx.fillStyle = p.color;
  ctx.beginPath();
  if (q === clampQ(q)) {
    ctx.arc(x, y, 8 * dpr, 0, 2 * Math.PI);
  } else {
    const d = q > range[1] ? 1 : -1; // off the track: an arrow pointing where it went
    ctx.moveTo(x + d * 10 * dpr, y);
    ctx.lineTo(x - d * 4 * dpr, y - 8 * dpr);
    ctx.lineTo(x - d * 4 * dpr, y + 8 * dpr);
  }
  ctx.fill();
}

/**
 * `data`: {panels: [{label, color, state: [q, ...], trace: [[q]...], note}], range: [qmin, qmax]}.
 */
export function draw(ctx, { panels, range }) {
  const { canvas } = ctx;
  const dpr = dprOf(canvas);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const pad = 12 * dpr;
  const rowH = (canvas.height - 2 * pad) / panels.length;
  ctx.font = `${12 * dpr}px system-ui, sans-serif`;
  ctx.textBaseline = 'bottom';
  panels.forEach((p, i) => {
    const top = pad + i * rowH;
    const box = { left: pad, right: canvas.width - pad, y: top + rowH * 0.62 };
    ctx.fillStyle = p.color;
    ctx.textAlign = 'left';
    ctx.fillText(p.label, pad, top + rowH * 0.38);
    if (p.note) {
      ctx.fillStyle = '#8b949e';
      ctx.textAlign = 'right';
      ctx.fillText(p.note, canvas.width - pad, top + rowH * 0.38, canvas.width / 2);
    }
    drawTrack(ctx, p, box, range, dpr);
  });
  ctx.fillStyle = '#8b949e';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(`q from ${range[0]} to ${range[1]}`, canvas.width / 2, canvas.height - 2 * dpr);
}
