/**
 * Exfiltration detector, per (internal source, external destination) over the whole capture — so a slow drip of small
 * uploads counts by its total, as one large upload does.
 *
 *   volume = clamp(log10(bytes out / 100 kB) / 2)              (1 MB → 0.5, 10 MB → 1)
 *   asym   = clamp((out share − 0.5) / 0.4)                     (out share = orig / (orig + resp) payload bytes)
 *   novel  = baseline: clamp(log10(bytes out / host's largest baseline upload to one destination)), +0.5 when the
 *            destination (address or registered domain) was never seen; no baseline: 0.5
 *   score  = volume · asym · (0.5 + 0.5·clamp(novel))
 */
import type { ConnRecord } from '../flow/conn.js';
import type { FlowApp } from '../app/records.js';
import { isBroadcastOrMulticast, isInternal } from '../features/address.js';
import { clamp01, round3 } from '../features/stats.js';
import type { BaselineModel } from './baseline.js';
import type { DetectContext, Detector, RawFinding } from './detector.js';
import { registeredDomain } from './domain.js';

export const EXFIL_MIN_SCORE = 0.25;

export interface ExfilStats { bytes_out: number; bytes_in: number; out_share: number; volume: number; asym: number; novel: number; score: number }

export function exfilStats(bytesOut: number, bytesIn: number, novel: number): ExfilStats {
  const total = bytesOut + bytesIn;
  const outShare = total === 0 ? 0 : bytesOut / total;
  const volume = clamp01(Math.log10(Math.max(1, bytesOut) / 1e5) / 2);
  const asym = clamp01((outShare - 0.5) / 0.4);
  const score = volume * asym * (0.5 + 0.5 * clamp01(novel));
  return { bytes_out: bytesOut, bytes_in: bytesIn, out_share: round3(outShare), volume: round3(volume), asym: round3(asym), novel: round3(clamp01(novel)), score: round3(score) };
}

function novelty(b: BaselineModel | null, src: string, dst: string, name: string, bytesOut: number): number {
  if (b === null) return 0.5;
  const host = b.hosts[src];
  const maxPair = host?.max_pair_orig_bytes ?? 0;
  const growth = clamp01(Math.log10(Math.max(1, bytesOut) / Math.max(1, maxPair)));
  const dom = registeredDomain(name);
  const seen = (dom !== '' && (b.global.domains[dom] ?? 0) > 0) || Object.hasOwn(b.hosts, dst);
  return growth + (seen ? 0 : 0.5);
}

export function createExfilDetector(): Detector {
  return {
    id: 'exfil',
    observe(_conn: ConnRecord, _app: FlowApp): void {},
    finish(ctx: DetectContext): RawFinding[] {
      const out: RawFinding[] = [];
      for (const p of ctx.pairs.byIp) {
        let bytesOut = 0;
        let bytesIn = 0;
        for (const c of p.conns) { bytesOut += c.orig_bytes; bytesIn += c.resp_bytes; }
        // Up to 100 kB out the volume term is 0, so the score is 0: most pairs stop here, before their addresses are parsed.
        if (bytesOut <= 1e5) continue;
        if (!isInternal(p.src) || isInternal(p.dst) || isBroadcastOrMulticast(p.dst)) continue;
        const s = exfilStats(bytesOut, bytesIn, novelty(ctx.baseline, p.src, p.dst, p.name, bytesOut));
        if (s.score < EXFIL_MIN_SCORE) continue;
        const ports = [...new Set(p.conns.map((c) => c.resp_p))];
        const target = p.name !== '' ? `${p.name} (${p.dst})` : p.dst;
        out.push({
          detector: 'exfil', kind: 'exfil', src: p.src, dst: p.dst, dst_port: ports.length === 1 ? ports[0]! : null,
          proto: p.conns[0]!.proto, name: p.name, score: s.score, conns: p.conns,
          evidence: [
            { name: 'bytes_out', value: s.bytes_out }, { name: 'bytes_in', value: s.bytes_in }, { name: 'out_share', value: s.out_share },
            { name: 'connections', value: p.conns.length }, { name: 'novelty', value: s.novel }, { name: 'exfil_score', value: s.score },
          ],
          reason: `${p.src} sent ${formatBytes(s.bytes_out)} to ${target} and got ${formatBytes(s.bytes_in)} back over ${p.conns.length} connection(s), an upload-heavy exchange.`,
        });
      }
      return out;
    },
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
