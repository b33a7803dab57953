// Where a file of dist/ is: beside the page, or, in the single offline file
// (scripts/offline.mjs), a blob: URL made from its inlined text. The page asks here for every file it
// loads at run time (the training worker, the shipped weights), so that one build serves both.

/** The URL of `path` (relative to dist/, e.g. 'models/x.json' or 'js/worker.js'). */
export function assetUrl(path) {
  const inlined = globalThis.lnnOffline?.urls[path];
  if (inlined) return inlined;
  if (globalThis.lnnOffline) throw new Error(`${path} is not in this offline file`);
  return new URL(path, document.baseURI).href;
}

/**
 * The training worker's type: a module beside the page; in the offline file a classic script that
 * imports the module (Chromium starts no module worker from a file:// page).
 */
export const workerType = () => globalThis.lnnOffline?.workerType ?? 'module';
