/**
 * Small descriptive statistics used by features and detectors. Pure functions over plain arrays.
 * Quartiles follow montanaflynn/stats `Quartile` (the library RITA's beacon score uses): the median splits the
 * sorted data, and for an odd count the median itself belongs to neither half.
 */

/** Code-unit order of two strings, for sort comparators and their tie-breaks (stable keys: byte-identical outputs). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Ascending copy; the input is left alone. */
export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Median of already sorted values; NaN for an empty list. */
export function medianSorted(s: readonly number[]): number {
  const n = s.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function median(values: readonly number[]): number {
  return medianSorted(sorted(values));
}

export interface Quartiles { q1: number; q2: number; q3: number }

/** Tukey hinges as montanaflynn/stats computes them (RITA's tests: [1,2,25,42,90,299,500,1500,4975] → 13.5, 90, 1000). */
export function quartiles(values: readonly number[]): Quartiles {
  const s = sorted(values);
  const n = s.length;
  const half = n >> 1;
  const lower = s.slice(0, half);
  const upper = s.slice(n % 2 === 1 ? half + 1 : half);
  return { q1: medianSorted(lower), q2: medianSorted(s), q3: medianSorted(upper) };
}

/** Median absolute deviation about the median (unscaled). */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let t = 0;
  for (const v of values) t += v;
  return t / values.length;
}

/** Population standard deviation. */
export function stddev(values: readonly number[]): number {
  const m = mean(values);
  let t = 0;
  for (const v of values) t += (v - m) ** 2;
  return Math.sqrt(t / values.length);
}

/** Coefficient of variation (population sd / mean); 0 when the mean is 0. */
export function cv(values: readonly number[]): number {
  const m = mean(values);
  return m === 0 ? 0 : stddev(values) / Math.abs(m);
}

/** Shannon entropy in bits per character of a string. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const n = [...s].length;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Successive differences of ascending values. */
export function intervals(ascending: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < ascending.length; i++) out.push(ascending[i]! - ascending[i - 1]!);
  return out;
}

/** Round to 3 decimals, as RITA stores its scores. */
export function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

export function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
