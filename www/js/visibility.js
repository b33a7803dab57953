// Whether anyone can see the page: its tab is shown and the page (or, embedded, its iframe) is on
// screen. A widget scrolled past in lecture notes or left in a background tab should not spend a
// student's battery on frames and training steps nobody sees.

/**
 * Calls `onChange(seen)` whenever that changes. In an iframe, an IntersectionObserver without a
 * root measures against the top-level viewport, so this works for an embedded page too.
 */
export function watchSeen(onChange) {
  let onScreen = true;
  let last = true;
  const emit = () => {
    const seen = onScreen && !document.hidden;
    if (seen === last) return;
    last = seen;
    onChange(seen);
  };
  document.addEventListener('visibilitychange', emit);
  new IntersectionObserver((entries) => {
    onScreen = entries.at(-1).isIntersecting;
    emit();
  }).observe(document.documentElement);
}
