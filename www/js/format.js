// How the page writes numbers for people: one way, so that a step count reads the same everywhere.

/** A whole number with thousands separators: 200,000 (not 200000 beside 20,000). */
export const fmtInt = (v) => Math.round(v).toLocaleString('en');

/** "1.2 GB", "536.9 MB", "12.0 KB": decimal units with one decimal, as lnn-core's budget says them. */
export const fmtBytes = (n) => {
  for (const [size, unit] of [[1e9, 'GB'], [1e6, 'MB'], [1e3, 'KB']]) if (n >= size) return `${(n / size).toFixed(1)} ${unit}`;
  return `${fmtInt(n)} bytes`;
};

/** 0.0043 -> "0.43 %" (two significant digits); "–" for what is not a number (NaN, ±∞). */
export const fmtPercent = (v) => (Number.isFinite(v) ? `${Number((100 * v).toPrecision(2))} %` : '–');
