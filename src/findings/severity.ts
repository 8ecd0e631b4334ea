/**
 * Combined score and severity. Each detector's hit is calibrated so 0.5 is "worth an analyst's look" and 0.75 "act on
 * it". Per entity the strongest hit of each kind counts once, and kinds combine as independent evidence:
 *   score = 1 − Π over kinds (1 − max hit score of that kind), rounded to 3 decimals.
 * Severity cut-offs: high ≥ 0.75, medium ≥ 0.5, low below.
 */
import type { Severity } from './finding.js';

export const SEVERITY_CUTS = { high: 0.75, medium: 0.5 } as const;

export function severityOf(score: number): Severity {
  return score >= SEVERITY_CUTS.high ? 'high' : score >= SEVERITY_CUTS.medium ? 'medium' : 'low';
}

const ORDER: Readonly<Record<Severity, number>> = { low: 0, medium: 1, high: 2 };

/** low < medium < high. */
export function severityRank(s: Severity): number {
  return ORDER[s];
}

/** Noisy-OR of per-kind maxima. */
export function combineScores(perKind: readonly number[]): number {
  const p = perKind.reduce((acc, s) => acc * (1 - Math.min(1, Math.max(0, s))), 1);
  return Math.round((1 - p) * 1000) / 1000;
}
