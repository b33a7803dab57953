// How the page writes numbers for people: one way, so that a step count reads the same everywhere.

/** A whole number with thousands separators: 200,000 (not 200000 beside 20,000). */
export const fmtInt = (v) => Math.round(v).toLocaleString('en');
