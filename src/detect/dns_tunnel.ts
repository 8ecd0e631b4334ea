/**
 * DNS tunnel detector, per (client, registered domain): data smuggled in DNS shows up as many distinct, long,
 * high-entropy subdomains under one domain, often with record types that carry payload (TXT, NULL, MX, CNAME…).
 *
 * Three pieces of evidence, combined as independent (1 − Π(1 − e)), then weighed by how many names back them:
 *   payload  = 0.6·clamp((p75 subdomain length − 12) / 28) + 0.4·clamp((mean entropy − 2.5) / 1.5)   (long random labels)
 *   types    = 0.7 · share of queries of a payload-carrying type (TXT, NULL, MX, CNAME…)
 *   many     = 0.6 · clamp(log10(unique subdomains / 20))             (20 → 0, 200 → 0.6: iodine's short polls)
 *   volume   = clamp(log10(unique subdomains) / 2)                      (10 → 0.5, 100 → 1)
 *   score    = (1 − (1 − payload)(1 − types)(1 − many)) · (0.4 + 0.6·volume)
 * At least 5 unique subdomains are needed: a handful of long names is ordinary (CDN, telemetry, DKIM). Known blind
 * spot: a mail server's DNS blocklist lookups (hundreds of reverse-IP names under one list) earn `many`.
 */
import type { ConnRecord } from '../flow/conn.js';
import type { DnsRecord, FlowApp } from '../app/records.js';
import { clamp01, mean, round3, shannonEntropy, sorted } from '../features/stats.js';
import type { DetectContext, Detector, RawFinding } from './detector.js';
import { splitDomain } from './domain.js';

export const DNS_TUNNEL_MIN_UNIQUE = 5;
export const DNS_TUNNEL_MIN_SCORE = 0.3;

/** Query types that can carry data in their answers (RFC 1035 TXT/NULL/MX/CNAME, SRV, ANY, private-use ≥ 65280). */
export function isPayloadType(qtype: number): boolean {
  return qtype === 16 || qtype === 10 || qtype === 15 || qtype === 5 || qtype === 33 || qtype === 255 || qtype >= 65280;
}

interface Group { src: string; domain: string; queries: DnsRecord[]; conns: Map<string, ConnRecord> }

export interface TunnelStats {
  queries: number;
  unique_subdomains: number;
  p75_subdomain_len: number;
  max_label_len: number;
  mean_entropy: number;
  payload_type_share: number;
  queries_per_min: number;
  payload: number;
  volume: number;
  score: number;
}

/** The score of one group of queries (names already split). */
export function tunnelStats(queries: readonly { subdomain: string; qtype: number; ts: number }[]): TunnelStats {
  const uniq = [...new Set(queries.map((q) => q.subdomain).filter((s) => s !== ''))];
  const lens = sorted(uniq.map((s) => s.replace(/\./g, '').length));
  const p75 = lens.length === 0 ? 0 : lens[Math.min(lens.length - 1, Math.floor(lens.length * 0.75))]!;
  const maxLabel = Math.max(0, ...uniq.flatMap((s) => s.split('.').map((l) => l.length)));
  const ent = uniq.length === 0 ? 0 : mean(uniq.map((s) => shannonEntropy(s.replace(/\./g, ''))));
  const typeShare = queries.length === 0 ? 0 : queries.filter((q) => isPayloadType(q.qtype)).length / queries.length;
  const times = queries.map((q) => q.ts);
  const spanMin = times.length < 2 ? 0 : (Math.max(...times) - Math.min(...times)) / 60;
  const payload = 0.6 * clamp01((p75 - 12) / 28) + 0.4 * clamp01((ent - 2.5) / 1.5);
  const volume = clamp01(Math.log10(Math.max(1, uniq.length)) / 2);
  const many = 0.6 * clamp01(Math.log10(Math.max(1, uniq.length) / 20));
  const evidence = 1 - (1 - payload) * (1 - 0.7 * typeShare) * (1 - many);
  const score = uniq.length < DNS_TUNNEL_MIN_UNIQUE ? 0 : clamp01(evidence * (0.4 + 0.6 * volume));
  return {
    queries: queries.length, unique_subdomains: uniq.length, p75_subdomain_len: p75, max_label_len: maxLabel,
    mean_entropy: round3(ent), payload_type_share: round3(typeShare),
    queries_per_min: round3(spanMin > 0 ? queries.length / spanMin : queries.length),
    payload: round3(payload), volume: round3(volume), score: round3(score),
  };
}

/** True when the queries name at least `n` distinct non-empty subdomains. */
function hasUniqueSubdomains(queries: readonly DnsRecord[], split: (q: string) => { subdomain: string }, n: number): boolean {
  const seen = new Set<string>();
  for (const q of queries) {
    const sub = split(q.query).subdomain;
    if (sub !== '') seen.add(sub);
    if (seen.size >= n) return true;
  }
  return false;
}

export function createDnsTunnelDetector(): Detector {
  const groups = new Map<string, Group>();
  // Resolvers see the same names over and over; tldts parses each once.
  const parts = new Map<string, ReturnType<typeof splitDomain>>();
  const split = (q: string): ReturnType<typeof splitDomain> => {
    let p = parts.get(q);
    if (p === undefined) { p = splitDomain(q); parts.set(q, p); }
    return p;
  };
  return {
    id: 'dns_tunnel',
    observe(conn: ConnRecord, app: FlowApp): void {
      for (const d of app.dns) {
        const { domain } = split(d.query);
        if (domain === '') continue;
        const key = `${d.orig_h}|${domain}`;
        let g = groups.get(key);
        if (g === undefined) { g = { src: d.orig_h, domain, queries: [], conns: new Map() }; groups.set(key, g); }
        g.queries.push(d);
        g.conns.set(conn.uid, conn);
      }
    },
    finish(_ctx: DetectContext): RawFinding[] {
      const out: RawFinding[] = [];
      for (const key of [...groups.keys()].sort()) {
        const g = groups.get(key)!;
        // Under the unique-subdomain floor tunnelStats scores 0; most groups are a client's few lookups of one domain.
        if (!hasUniqueSubdomains(g.queries, split, DNS_TUNNEL_MIN_UNIQUE)) continue;
        const s = tunnelStats(g.queries.map((q) => ({ subdomain: split(q.query).subdomain, qtype: q.qtype, ts: Number(q.ts) })));
        if (s.score < DNS_TUNNEL_MIN_SCORE) continue;
        const resolvers = [...new Set(g.queries.map((q) => q.resp_h))].sort();
        const conns = [...g.conns.values()];
        out.push({
          detector: 'dns_tunnel', kind: 'dns_tunnel', src: g.src, dst: resolvers.length === 1 ? resolvers[0]! : '',
          dst_port: 53, proto: conns[0]?.proto ?? 'udp', name: g.domain, score: s.score, conns,
          evidence: [
            { name: 'queries', value: s.queries }, { name: 'unique_subdomains', value: s.unique_subdomains },
            { name: 'p75_subdomain_len', value: s.p75_subdomain_len }, { name: 'max_label_len', value: s.max_label_len },
            { name: 'mean_entropy_bits', value: s.mean_entropy }, { name: 'payload_type_share', value: s.payload_type_share },
            { name: 'queries_per_min', value: s.queries_per_min }, { name: 'tunnel_score', value: s.score },
          ],
          reason: `${g.src} sent ${s.queries} DNS queries for ${s.unique_subdomains} distinct subdomains of ${g.domain} ` +
            `(75th-percentile length ${s.p75_subdomain_len}, ${s.mean_entropy} bits/char, ${Math.round(s.payload_type_share * 100)}% TXT/NULL/MX/CNAME), as a DNS tunnel does.`,
        });
      }
      return out;
    },
  };
}
