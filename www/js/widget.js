// <lnn-demo>: the demo as a custom element, for lecture notes and blog posts. One script tag:
//
//   <script type="module" src="https://…/js/widget.js"></script>
//   <lnn-demo system="double-pendulum" model="lnn" autoplay controls="play,reset"></lnn-demo>
//
// Attributes are the page's URL settings (params.js), so any link's settings work here too;
// `autoplay` and `train` are boolean attributes; `height` (CSS pixels) fixes the height, else the
// element follows its content; `base` (a URL) is the served dist/ folder, when this script was not
// loaded from it (the default: the page beside this script); `weights` (a URL, relative to the
// host page) opens a weights file in the widget. It renders the page in embed mode in an iframe: its own wasm
// instance and training worker, isolated from the host page's scripts and styles.
import { PARAMS, defaults, readText, serialize } from './params.js';

const PAGE = new URL('../index.html', import.meta.url);

/** The page to embed: the `base` attribute's dist/ folder, else the one this script came from. */
function pageOf(base) {
  if (!base) return PAGE;
  try {
    return new URL('index.html', new URL(base.endsWith('/') ? base : `${base}/`, document.baseURI));
  } catch {
    console.warn(`<lnn-demo> base="${base}" is not a URL; using ${PAGE.href}`);
    return PAGE;
  }
}

class LnnDemo extends HTMLElement {
  static observedAttributes = [...PARAMS.map((p) => p.key), 'height', 'title', 'base'];

  constructor() {
    super();
    this.attachShadow({ mode: 'open' }).innerHTML =
      '<style>:host{display:block}iframe{display:block;width:100%;border:0;height:360px;background:#0f1419;border-radius:8px}</style><iframe allow="clipboard-write"></iframe>';
    this.frame = this.shadowRoot.querySelector('iframe');
    this.posters = new Map(); // request id -> resolve, for poster()
    addEventListener('message', (e) => {
      if (e.source !== this.frame.contentWindow) return;
      if (e.data?.type === 'lnn-demo-size' && !this.hasAttribute('height') && Number.isFinite(e.data.height)) {
        this.frame.style.height = `${Math.ceil(e.data.height)}px`;
      }
      if (e.data?.type === 'lnn-demo-poster') this.posters.get(e.data.id)?.(e.data.src);
    });
  }

  connectedCallback() {
    this.#schedule();
  }

  attributeChangedCallback() {
    this.#schedule();
  }

  #schedule() {
    if (this.pending) return; // many attributes arrive at once: render once
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      if (this.isConnected) this.#render();
    });
  }

  /**
   * A PNG data URL of what the demo shows now, for tools that print their own image in place of
   * the live widget (the page itself prints stills and its link: print.js).
   */
  poster() {
    const id = Math.random().toString(36).slice(2);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.posters.delete(id);
        reject(new Error('<lnn-demo> gave no poster within 5 s: is its page loaded?'));
      }, 5000);
      this.posters.set(id, (src) => {
        clearTimeout(timer);
        this.posters.delete(id);
        resolve(src);
      });
      this.frame.contentWindow?.postMessage({ type: 'lnn-demo-poster', id }, '*');
    });
  }

  /** The page URL for the current attributes (warnings for bad values go to the console). */
  src() {
    // The system first: the other settings' defaults are the system's (params.js, PER_SYSTEM).
    const system = this.hasAttribute('system') ? readText('system', this.getAttribute('system')).value : undefined;
    const settings = { ...defaults(system), embed: true, autoplay: false };
    for (const p of PARAMS) {
      if (p.key === 'embed' || !this.hasAttribute(p.key)) continue;
      const { value, warning } = readText(p.key, this.getAttribute(p.key));
      if (warning) console.warn(`<lnn-demo> ${warning}`);
      settings[p.key] = value;
    }
    // A weights file is named as the host page sees it (beside the lecture notes), and the page
    // in the iframe fetches it from there: the same origin, or one that allows it (CORS).
    if (settings.weights) {
      try {
        settings.weights = new URL(settings.weights, document.baseURI).href;
      } catch {
        console.warn(`<lnn-demo> weights="${settings.weights}" is not a URL`);
      }
    }
    // Its place on the host page, for the model it keeps in the browser's storage (keeper.js).
    const place = [...document.querySelectorAll('lnn-demo')].indexOf(this);
    const slot = `${location.pathname}:${place}`;
    return `${pageOf(this.getAttribute('base')).href}?${serialize(settings)}#slot=${encodeURIComponent(slot)}`;
  }

  #render() {
    const src = this.src();
    if (this.frame.getAttribute('src') !== src) this.frame.setAttribute('src', src);
    this.frame.title = this.getAttribute('title') ?? `Lagrangian Neural Network demo: ${this.getAttribute('system') ?? 'double-pendulum'}`;
    if (this.hasAttribute('height')) this.frame.style.height = `${Number(this.getAttribute('height')) || 360}px`;
    // Sized to its content, the frame has nothing to scroll; Firefox still showed 12 px scrollbar
    // strips (a scrollbar, once shown while the frame grew, narrows the page and stays). A fixed
    // height may need scrolling.
    this.frame.setAttribute('scrolling', this.hasAttribute('height') ? 'auto' : 'no');
  }
}

if (!customElements.get('lnn-demo')) customElements.define('lnn-demo', LnnDemo);
