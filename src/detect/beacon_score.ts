/**
 * RITA v5's beacon sub-scores (activecm/rita analysis/beacons.go @ a3c5150), as small pure functions that return named
 * objects, plus nad's missed-beat folding. Defaults are RITA's default_config.hjson values.
 *
 * Differences from RITA, on purpose:
 * - RITA's timestamps are whole seconds; nad's are fractional. The formulas are RITA's unchanged, including the rule that
 *   Bowley skew counts only when the interquartile range is at least 10 (seconds for intervals, bytes for sizes).
 * - Before the timestamp score, intervals that are close to a whole multiple k ≥ 2 of the base period are divided by k
 *   (`foldIntervals`), so a beacon that missed beats keeps its score; the share of intervals on that grid (`fit`) is reported.
 */
import { clamp01, intervals, mad, median, quartiles, round3, sorted } from '../features/stats.js';

export interface StatScore {
  /** (skew score + MAD score) / 2, rounded to 3 decimals. */
  score: number;
  /** Bowley skewness (Q1 + Q3 − 2·Q2) / (Q3 − Q1); 0 when the IQR is under 10 or Q2 equals a quartile. */
  skew: number;
  /** Median absolute deviation about the median. */
  mad: number;
  median: number;
}

/** Bowley skew and its score 1 − |skew| (RITA calculateBowleySkewness). Needs at least 3 values. */
export function bowleySkew(values: readonly number[]): { skew: number; score: number } {
  const { q1, q2, q3 } = quartiles(values);
  const den = q3 - q1;
  const skew = den >= 10 && q2 !== q1 && q2 !== q3 ? (q1 + q3 - 2 * q2) / den : 0;
  return { skew, score: 1 - Math.abs(skew) };
}

/** MAD and its score (median − MAD) / median, or `defaultScore` when the median is under 1 (RITA calculateMedianAbsoluteDeviation). */
export function madScore(values: readonly number[], defaultScore: number): { mad: number; median: number; score: number } {
  const m = median(values);
  const d = mad(values);
  let score = m >= 1 ? (m - d) / m : defaultScore;
  if (score < 0 || Number.isNaN(score)) score = 0;
  return { mad: d, median: m, score };
}

/** RITA calculateStatisticalScore. */
export function statisticalScore(values: readonly number[], defaultMadScore: number): StatScore {
  const b = bowleySkew(values);
  const m = madScore(values, defaultMadScore);
  return { score: round3((b.score + m.score) / 2), skew: b.skew, mad: m.mad, median: m.median };
}

/** RITA getDataSizeScore: statistical score of the sizes, MAD default 0. Null with fewer than 3 sizes. */
export function dataSizeScore(sizes: readonly number[]): StatScore | null {
  return sizes.length < 3 ? null : statisticalScore(sorted(sizes), 0);
}

export interface FoldedIntervals {
  /** Base period: median of the non-zero intervals. */
  period: number;
  /** Each non-zero interval divided by its multiple k of the period (k ≥ 1). */
  folded: number[];
  /** Share of non-zero intervals within `tolerance`·period of some k·period, k ≥ 1 (1 = every gap is on the grid). */
  fit: number;
  /** Beats the grid says were missed: Σ (k − 1) over fitting intervals. */
  missed: number;
}

/** Folds one candidate period: see FoldedIntervals. */
function foldWith(nonZero: readonly number[], period: number, tolerance: number): FoldedIntervals {
  let fitting = 0;
  let missed = 0;
  const folded = nonZero.map((x) => {
    const k = Math.max(1, Math.round(x / period));
    if (Math.abs(x - k * period) <= tolerance * period) { fitting++; missed += k - 1; }
    return x / k;
  });
  return { period, folded, fit: nonZero.length === 0 ? 0 : fitting / nonZero.length, missed };
}

/**
 * Folds missed beats onto the base period. The base period is the median interval, or half or a third of it when that
 * puts more intervals on the grid (when over half the beats are missed, the median is a multiple of the period).
 * `tolerance` is a fraction of the period (absolute, not scaled by k).
 */
export function foldIntervals(nonZero: readonly number[], tolerance = 0.2): FoldedIntervals {
  const m = median(nonZero);
  let best = foldWith(nonZero, m, tolerance);
  for (const k of [2, 3]) {
    const f = foldWith(nonZero, m / k, tolerance);
    if (f.fit > best.fit + 1e-9) best = f;
  }
  return best;
}

export interface TimestampScore extends StatScore {
  fold: FoldedIntervals;
  /** Non-zero intervals used. */
  intervals: number;
}

/** RITA getTimestampScore on folded intervals: needs ≥ 4 timestamps and ≥ 3 non-zero intervals, else null. MAD default 1. */
export function timestampScore(ts: readonly number[]): TimestampScore | null {
  if (ts.length < 4) return null;
  const nonZero = intervals(sorted(ts)).filter((x) => x > 0);
  if (nonZero.length < 3) return null;
  const fold = foldIntervals(nonZero);
  return { ...statisticalScore(sorted(fold.folded), 1), fold, intervals: nonZero.length };
}

export interface HistogramResult {
  /** Connection count per bin. */
  bins: number[];
  /** Bins with at least one connection. */
  total_bars: number;
  /** Longest run of non-empty bins, wrapping around the end (RITA getFrequencyCounts). */
  longest_run: number;
  /** max(coefficient-of-variation score, bimodal fit score). */
  score: number;
}

export const RITA_HIST = { bins: 24, mode_sensitivity: 0.05, bimodal_outlier_removal: 1, bimodal_min_hours: 11 } as const;
export const RITA_DUR = { min_hours_seen: 6, ideal_consistent_hours: 12 } as const;

/** RITA getHistogramScore over [datasetMin, datasetMax] split into 24 equal bins (an hour each for a day of data). */
export function histogramScore(datasetMin: number, datasetMax: number, ts: readonly number[]): HistogramResult {
  const n = RITA_HIST.bins;
  const bins = new Array<number>(n).fill(0);
  const step = (datasetMax - datasetMin) / n;
  for (const t of ts) {
    const i = step > 0 ? Math.floor((t - datasetMin) / step) : 0;
    bins[Math.min(n - 1, Math.max(0, i))]!++;
  }
  const largest = Math.max(...bins);
  const binSize = Math.max(1, Math.ceil(largest * RITA_HIST.mode_sensitivity));
  const freq = new Map<number, number>();
  let totalBars = 0;
  for (const b of bins) {
    if (b === 0) continue;
    totalBars++;
    const key = Math.floor(b / binSize) * binSize;
    freq.set(key, (freq.get(key) ?? 0) + 1);
  }
  let longest = 0;
  let run = 0;
  for (let i = 0; i < 2 * n; i++) {
    if (bins[i % n]! > 0) run++;
    else { longest = Math.max(longest, run); run = 0; }
  }
  longest = Math.min(n, Math.max(longest, run));
  const total = bins.reduce((a, b) => a + b, 0);
  const meanBin = total / n;
  const sd = Math.sqrt(bins.reduce((a, b) => a + (b - meanBin) ** 2, 0) / n);
  const cvv = meanBin === 0 ? Infinity : sd / meanBin;
  const cvScore = cvv > 1 ? 0 : round3(1 - cvv);
  let bimodal = 0;
  if (totalBars >= RITA_HIST.bimodal_min_hours) {
    const top = [...freq.values()].sort((a, b) => b - a);
    bimodal = Math.min(1, round3(((top[0] ?? 0) + (top[1] ?? 0)) / Math.max(totalBars - RITA_HIST.bimodal_outlier_removal, 1)));
  }
  return { bins, total_bars: totalBars, longest_run: longest, score: Math.max(cvScore, bimodal) };
}

/** RITA getDurationScore: max(coverage of the dataset span, consistency of the longest run), once ≥ 6 bars are seen. */
export function durationScore(datasetMin: number, datasetMax: number, first: number, last: number, hist: HistogramResult): number {
  if (hist.total_bars < RITA_DUR.min_hours_seen || datasetMax <= datasetMin) return 0;
  const coverage = Math.min(1, Math.ceil(((last - first) / (datasetMax - datasetMin)) * 1000) / 1000);
  const consistency = Math.min(1, Math.ceil((hist.longest_run / RITA_DUR.ideal_consistent_hours) * 1000) / 1000);
  return Math.max(coverage, consistency);
}

/** RITA getBeaconScore: weighted sum rounded to 3 decimals; throws when a score or weight is outside 0..1 or weights do not sum to 1. */
export function weightedScore(parts: readonly { score: number; weight: number }[]): number {
  let sum = 0;
  let wsum = 0;
  for (const p of parts) {
    if (p.score < 0 || p.score > 1) throw new Error('scores must be between 0 and 1');
    if (p.weight < 0 || p.weight > 1) throw new Error('weights must be between 0 and 1');
    sum += p.score * p.weight;
    wsum += p.weight;
  }
  if (Math.abs(wsum - 1) > 1e-9) throw new Error('weights must sum to 1');
  return round3(clamp01(sum));
}
