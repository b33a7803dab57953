// The wasm bindings that Trunk's loader initialises; resolves once they are ready, and rejects with
// a message a visitor can act on when the module cannot be loaded (a wrong path on the server, a
// blocked request), instead of leaving the page on "loading" for ever.
const WAIT_MS = 30000;

/** Why the bindings are not coming, or null if their files answer. */
async function probe() {
  for (const name of ['lnn-wasm.js', 'lnn-wasm_bg.wasm']) {
    const url = new URL(name, document.baseURI);
    try {
      const r = await fetch(url, { method: 'HEAD' });
      if (!r.ok) return `${url.pathname} answered ${r.status}`;
    } catch (err) {
      return `${url.pathname} could not be fetched (${err.message ?? err})`;
    }
  }
  return null;
}

export function loadBindings() {
  if (window.wasmBindings) return Promise.resolve(window.wasmBindings);
  return new Promise((resolve, reject) => {
    addEventListener('TrunkApplicationStarted', () => resolve(window.wasmBindings), { once: true });
    const fail = (why) => reject(new Error(`the WebAssembly module did not load: ${why}. Serve the whole dist/ folder, with its files beside this page.`));
    // A missing file shows at once; anything else (a slow network) gets WAIT_MS.
    probe().then((why) => { if (why && !window.wasmBindings) fail(why); });
    setTimeout(() => { if (!window.wasmBindings) fail(`nothing after ${WAIT_MS / 1000} s`); }, WAIT_MS);
  });
}
