/**
 * Raw detector hits → findings: merged per entity (source plus destination name when one is known, else destination
 * address; scans and host-level hits have their own keys), scored (severity.ts), and ranked deterministically:
 * score desc, severity desc, number of kinds desc, number of flows desc (more evidence first), then src, dst, name,
 * port, kinds — so two runs are byte-identical.
 */
import type { ConnRecord } from '../flow/conn.js';
import type { RawFinding } from '../detect/detector.js';
import type { Evidence, Finding } from './finding.js';
import { compareText } from '../features/stats.js';
import { combineScores, severityOf, severityRank } from './severity.js';

/** Most flows listed per finding (flow_count keeps the total). */
export const MAX_UIDS = 50;

/** The entity a hit belongs to; detectors that group their own hits (intel) key them the same way. */
export function entityKey(h: Pick<RawFinding, 'src' | 'name' | 'dst' | 'dst_port' | 'kind' | 'proto'>): string {
  if (h.name !== '') return `${h.src}|name:${h.name}`;
  if (h.dst !== '') return `${h.src}|ip:${h.dst}`;
  if (h.dst_port !== null) return `${h.src}|fan:${h.kind}:${h.proto}/${h.dst_port}`;
  return `${h.src}|host:${h.kind}:${h.proto}`;
}

function connOrder(a: ConnRecord, b: ConnRecord): number {
  return Number(a.ts) - Number(b.ts) || compareText(a.uid, b.uid);
}

/** The single value shared by all, or the fallback. */
export function shared<T>(values: readonly T[], fallback: T): T {
  const set = new Set(values);
  return set.size === 1 ? values[0]! : fallback;
}

function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== '') counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]))[0]?.[0] ?? '';
}

function mergeEntity(hits: readonly RawFinding[]): Omit<Finding, 'rank'> {
  const bestByKind = new Map<string, RawFinding>();
  for (const h of hits) {
    const cur = bestByKind.get(h.kind);
    if (cur === undefined || h.score > cur.score || (h.score === cur.score && h.detector < cur.detector)) bestByKind.set(h.kind, h);
  }
  const kinds = [...bestByKind.keys()].sort((a, b) => bestByKind.get(b)!.score - bestByKind.get(a)!.score || compareText(a, b));
  const score = combineScores(kinds.map((k) => bestByKind.get(k)!.score));
  const byUid = new Map<string, ConnRecord>();
  for (const h of hits) for (const c of h.conns) byUid.set(c.uid, c);
  const conns = [...byUid.values()].sort(connOrder);
  const communityIds = [...new Set(conns.map((c) => c.community_id))];
  const evidence: Evidence[] = [];
  for (const k of kinds) for (const e of bestByKind.get(k)!.evidence) evidence.push({ ...e, name: `${k}.${e.name}` });
  const lead = bestByKind.get(kinds[0]!)!;
  const others = kinds.slice(1);
  const dsts = hits.map((h) => h.dst).filter((d) => d !== '');
  const conDsts = [...new Set(conns.map((c) => c.resp_h))];
  const ports = hits.map((h) => h.dst_port);
  const lastTs = conns.reduce((m, c) => (Number(c.last_ts) > Number(m) ? c.last_ts : m), conns[0]?.last_ts ?? '');
  return {
    severity: severityOf(score), score, kinds, src: lead.src, src_host: '',
    dst: dsts.length > 0 ? shared(dsts, '') : conDsts.length === 1 ? conDsts[0]! : '',
    dst_port: ports.includes(null) ? null : shared(ports, null), proto: mostCommon(hits.map((h) => h.proto)), name: lead.name || mostCommon(hits.map((h) => h.name)),
    dst_country: '', dst_asn: '',
    uids: conns.slice(0, MAX_UIDS).map((c) => c.uid), community_ids: communityIds.slice(0, MAX_UIDS), flow_count: conns.length,
    first_seen: conns[0]?.ts ?? hits.find((h) => h.span)?.span?.first ?? '', last_seen: lastTs || (hits.find((h) => h.span)?.span?.last ?? ''), evidence,
    explanation: others.length === 0 ? lead.reason : `${lead.reason.replace(/\.$/, '')} (also flagged: ${others.join(', ')}).`,
  };
}

function findingOrder(a: Omit<Finding, 'rank'>, b: Omit<Finding, 'rank'>): number {
  return b.score - a.score || severityRank(b.severity) - severityRank(a.severity) || b.kinds.length - a.kinds.length ||
    b.flow_count - a.flow_count || compareText(a.src, b.src) || compareText(a.dst, b.dst) || compareText(a.name, b.name) || (a.dst_port ?? -1) - (b.dst_port ?? -1) || compareText(a.kinds.join(), b.kinds.join());
}

/** Merges hits per entity and ranks the findings (rank 1 = most suspicious). */
export function mergeFindings(hits: readonly RawFinding[]): Finding[] {
  const groups = new Map<string, RawFinding[]>();
  for (const h of hits) {
    const k = entityKey(h);
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [h]);
    else g.push(h);
  }
  return [...groups.values()].map(mergeEntity).sort(findingOrder).map((f, i) => ({ rank: i + 1, ...f }));
}
