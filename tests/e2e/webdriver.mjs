// A minimal W3C WebDriver client over fetch, for the browsers Playwright cannot drive here
// (Debian's Firefox ESR through geckodriver, built by scripts/setup.sh). Only what the tests use.
import { spawn } from 'node:child_process';
import { freePort } from './harness.mjs';

const GECKODRIVER = process.env.GECKODRIVER ?? `${process.env.HOME}/.cargo/bin/geckodriver`;
const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';

/** Starts geckodriver and a headless Firefox session: {go, run, screenshot, close}. */
export async function firefox({ width = 1100, height = 800 } = {}) {
  const port = await freePort();
  const driver = spawn(GECKODRIVER, ['--port', String(port), '--host', '127.0.0.1'], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  const call = async (method, path, body) => {
    const r = await fetch(base + path, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
    const json = await r.json();
    if (!r.ok) throw new Error(`WebDriver ${method} ${path}: ${json.value?.error}: ${json.value?.message}`);
    return json.value;
  };
  for (let i = 0; ; i++) {
    try {
      await call('GET', '/status');
      break;
    } catch (err) {
      if (i > 100) { driver.kill(); throw new Error(`geckodriver did not start: ${err.message}`); }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const session = await call('POST', '/session', {
    capabilities: { alwaysMatch: { browserName: 'firefox', 'moz:firefoxOptions': { binary: FIREFOX, args: ['-headless', `--width=${width}`, `--height=${height}`] } } },
  });
  const s = `/session/${session.sessionId}`;
  await call('POST', `${s}/window/rect`, { width, height }).catch(() => {});
  return {
    go: (url) => call('POST', `${s}/url`, { url }),
    /** Runs `fn` (a function's source) in the page with `args`; its promise is awaited. */
    run: (fn, ...args) => call('POST', `${s}/execute/async`, {
      script: `const done = arguments[arguments.length - 1]; Promise.resolve((${fn}).apply(null, Array.from(arguments).slice(0, -1))).then(done, (e) => done({ error: String(e) }));`,
      args,
    }),
    screenshot: async () => Buffer.from(await call('GET', `${s}/screenshot`), 'base64'),
    close: async () => {
      await call('DELETE', s).catch(() => {});
      driver.kill();
    },
  };
}

/** Polls `fn` in the page until it returns a truthy value (returned), or throws after `ms`. */
export async function until(browser, fn, ms = 60000, ...args) {
  const t0 = Date.now();
  for (;;) {
    const v = await browser.run(fn, ...args);
    if (v && !v.error) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${fn}${v?.error ? `: ${v.error}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
