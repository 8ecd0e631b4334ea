/**
 * Outliers the baseline already contains. An isolation forest learns from subsamples (ψ = 256 rows per tree), so a
 * kind of flow that is rare in the trusted capture (a DHCP server's unicast reply, a nightly backup) is isolated
 * early and scores as high as something never seen: "unlike the baseline" would then be false. The model keeps the
 * training rows that their own forest scores at or above KNOWN_MIN_SCORE (the paper's "ordinary" boundary, 0.5), and
 * a suspect row within KNOWN_TOLERANCE of one of them in every feature is known, not anomalous.
 * Every feature of the flow and pair vectors is a log1p magnitude, a share in 0..1 or a small class number, so one
 * tolerance of 0.1 means "within about 10% in every magnitude and the same class".
 */
import type { IsolationForest } from './iforest.js';

export const KNOWN_MIN_SCORE = 0.5;
export const KNOWN_TOLERANCE = 0.1;
/** At most this many rows per forest (the highest-scoring ones), so a model stays small on a large baseline. */
export const KNOWN_MAX_ROWS = 2000;

/** The training rows the forest scores ≥ KNOWN_MIN_SCORE, rounded to 4 decimals, deduplicated, sorted (canonical). */
export function knownRows(forest: IsolationForest, rows: readonly (readonly number[])[]): number[][] {
  const byKey = new Map<string, { row: number[]; score: number }>();
  for (const r of rows) {
    const score = forest.score(r);
    if (score < KNOWN_MIN_SCORE) continue;
    const row = r.map((v) => Math.round(v * 1e4) / 1e4);
    const key = row.join(',');
    const had = byKey.get(key);
    if (had === undefined || had.score < score) byKey.set(key, { row, score });
  }
  const kept = [...byKey.values()].sort((a, b) => b.score - a.score || compareRows(a.row, b.row)).slice(0, KNOWN_MAX_ROWS);
  return kept.map((k) => k.row).sort(compareRows);
}

/** Whether some known row is within KNOWN_TOLERANCE of `row` in every feature. */
export function isKnown(known: readonly (readonly number[])[], row: readonly number[]): boolean {
  for (const k of known) {
    let i = 0;
    while (i < row.length && Math.abs(row[i]! - (k[i] ?? Infinity)) <= KNOWN_TOLERANCE) i++;
    if (i === row.length) return true;
  }
  return false;
}

function compareRows(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
