/**
 * Isolation-forest anomaly of flows and host pairs against the baseline's forests (none without a baseline: a forest
 * learned on the suspect capture itself would call a dominant attack normal). A pair is flagged when its own score, or
 * the highest score of its flows, reaches the threshold (`-a/--threshold`, 0..1); pairs whose every attempt failed are
 * left to the scan detector. A flow or pair within tolerance of an outlier the baseline itself contains is known, not
 * anomalous (known.ts); those are counted, not flagged. The hit's score maps the excess linearly onto 0.25..0.6: an
 * outlier is worth a look, but alone never "act on it".
 */
import type { ConnRecord } from '../flow/conn.js';
import type { FlowApp } from '../app/records.js';
import { flowVector, isFailed } from '../features/conn.js';
import { pairVector, summarizePair } from '../features/pairs.js';
import { round3 } from '../features/stats.js';
import type { DetectContext, Detector, RawFinding } from './detector.js';
import { IsolationForest } from './iforest.js';
import { isKnown } from './known.js';

/** Default `-a/--threshold`. */
export const DEFAULT_THRESHOLD = 0.6;

export function anomalyHitScore(s: number, threshold: number): number {
  if (s < threshold) return 0;
  const t = Math.min(threshold, 0.999);
  return round3(0.25 + 0.35 * Math.min(1, (s - t) / (1 - t)));
}

export function createAnomalyDetector(): Detector {
  /** Flows and pairs at or above the threshold left out because the baseline holds their like. */
  let knownFlows = 0;
  let knownPairs = 0;
  return {
    id: 'anomaly',
    observe(_conn: ConnRecord, _app: FlowApp): void {},
    finish(ctx: DetectContext): RawFinding[] {
      const b = ctx.baseline;
      const f = b?.forest;
      if (b === null || f === undefined || (f.flow === null && f.pair === null)) return [];
      const flowForest = f.flow === null ? null : IsolationForest.fromJSON(f.flow);
      const pairForest = f.pair === null ? null : IsolationForest.fromJSON(f.pair);
      const out: RawFinding[] = [];
      for (const p of ctx.pairs.byIp) {
        // Unanswered attempts carry no behaviour to compare; the scan detector owns them.
        if (p.conns.every(isFailed)) continue;
        let pairScore = 0;
        let pairKnown = false;
        if (pairForest !== null) {
          const v = pairVector(summarizePair(p.conns));
          pairScore = pairForest.score(v);
          pairKnown = pairScore >= ctx.threshold && isKnown(b.known.pair, v);
          if (pairKnown) knownPairs++;
        }
        let flowMax = 0;
        let worst: ConnRecord | null = null;
        let knownHere = 0;
        if (flowForest !== null) {
          for (const c of p.conns) {
            const v = flowVector(c);
            const s = flowForest.score(v);
            if (s >= ctx.threshold && isKnown(b.known.flow, v)) { knownHere++; continue; }
            if (s > flowMax) { flowMax = s; worst = c; }
          }
        }
        knownFlows += knownHere;
        const s = Math.max(pairKnown ? 0 : pairScore, flowMax);
        const hit = anomalyHitScore(s, ctx.threshold);
        if (hit === 0) continue;
        // Which forest drove the hit: the pair's own pattern, or one flow of it (named, so an analyst opens that one).
        const byPair = !pairKnown && pairScore >= flowMax;
        const ports = [...new Set(p.conns.map((c) => c.resp_p))];
        out.push({
          detector: 'anomaly', kind: 'anomaly', src: p.src, dst: p.dst, dst_port: ports.length === 1 ? ports[0]! : null, proto: p.conns[0]!.proto,
          name: p.name, score: hit, conns: p.conns,
          evidence: [
            { name: 'pair_iforest_score', value: round3(pairScore) }, { name: 'max_flow_iforest_score', value: round3(flowMax) },
            { name: 'threshold', value: ctx.threshold }, { name: 'driven_by', value: byPair ? 'pair' : 'flow' },
            ...(worst === null ? [] : [{ name: 'most_anomalous_uid', value: worst.uid }]),
            ...(knownHere === 0 ? [] : [{ name: 'flows_known_in_baseline', value: knownHere }]),
            ...(pairKnown ? [{ name: 'pair_known_in_baseline', value: 'yes' }] : []),
          ],
          reason: byPair || worst === null
            ? `${p.src} → ${p.name || p.dst}: the pattern of its ${p.conns.length} connection${p.conns.length === 1 ? '' : 's'} is unlike the baseline (isolation-forest score ${round3(s)} ≥ ${ctx.threshold}).`
            : `${p.src} → ${p.name || p.dst}: flow ${worst.uid} is unlike the baseline (isolation-forest score ${round3(s)} ≥ ${ctx.threshold}).`,
        });
      }
      return out;
    },
    stats: () => ({ flows_known_in_baseline: knownFlows, pairs_known_in_baseline: knownPairs }),
  };
}
