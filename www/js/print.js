// Printing (a PDF build of lecture notes prints through Chromium): a canvas prints as whatever it
// last drew, or as an empty box in some engines, and a reader of paper cannot press Play. So each
// shown canvas gets a still image of its current state, and the print shows the link to these
// settings beneath. Also the poster that <lnn-demo>.poster() hands a tool that substitutes its own.

/** A PNG data URL of what the stage (the rollouts) shows now. */
export const poster = () => still(document.getElementById('stage'));

/** The first colour behind `el` that is not transparent (the panel a canvas sits on). */
function backdrop(el) {
  for (let e = el; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    if (c && c !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(c)) return c;
  }
  return '#fff';
}

/**
 * A canvas as a PNG on its panel's colour: its own pixels are transparent between the lines, and
 * the light text drawn for the dark panel would vanish on paper's white.
 */
function still(canvas) {
  const out = document.createElement('canvas');
  [out.width, out.height] = [canvas.width, canvas.height];
  const g = out.getContext('2d');
  g.fillStyle = backdrop(canvas);
  g.fillRect(0, 0, out.width, out.height);
  g.drawImage(canvas, 0, 0);
  return out.toDataURL('image/png');
}

/**
 * Keeps print stills and the printed link (`linkOf()`, the settings' page URL) ready to print;
 * `drawNow()` draws the canvases first (a page off-screen draws no frames: visibility.js).
 */
export function preparePrint(linkOf, drawNow) {
  const refresh = () => {
    drawNow();
    for (const canvas of document.querySelectorAll('canvas')) {
      let img = canvas.nextElementSibling;
      if (!img?.classList.contains('print-still')) {
        img = document.createElement('img');
        img.className = 'print-still';
        canvas.after(img);
      }
      if (!canvas.width || !canvas.height || canvas.closest('[hidden]')) {
        img.removeAttribute('src');
        continue;
      }
      img.src = still(canvas);
      img.alt = canvas.getAttribute('aria-label') ?? '';
      img.style.aspectRatio = `${canvas.width} / ${canvas.height}`;
    }
    const a = document.getElementById('print-link');
    a.href = a.textContent = linkOf();
  };
  addEventListener('beforeprint', refresh);
  // Some print paths switch the media without a beforeprint event; this catches those.
  matchMedia('print').addEventListener('change', (e) => { if (e.matches) refresh(); });
}
