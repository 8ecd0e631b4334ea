/**
 * alerts.jsonl: one Elastic Common Schema (ECS 8.x) event per finding, for SIEM import. ECS names where ECS has one
 * (source.ip, destination.port, dns.question.name, tls.client.ja3, network.community_id, event.severity, rule.name …),
 * everything else under `nad.*`. The JSON serialiser escapes control characters; no other escaping is needed here.
 */
import type { TlsRecord } from '../app/records.js';
import type { IntelMatch } from '../detect/intel.js';
import type { Finding, Severity } from '../findings/finding.js';
import type { GeoLookup } from '../geo/lookup.js';
import { isoTime } from './text.js';

/** event.severity: the numbers Elastic's detection rules use for low/medium/high (critical would be 99). */
export const ECS_SEVERITY: Readonly<Record<Severity, number>> = { low: 21, medium: 47, high: 73 };

/** ECS event.category for each detector kind (all are network; intrusion_detection marks an alert's nature). */
const CATEGORY = ['network', 'intrusion_detection'] as const;

export interface AlertContext {
  version: string;
  /** TLS records, to fill tls.client.ja3 / server_name from the finding's flows. */
  tls?: readonly TlsRecord[];
  geo?: GeoLookup | null;
  /** When the alert is written (ISO 8601); event.created. */
  created: string;
  /** intel.csv's rows by flow uid, for threat.enrichments of intel findings. */
  intel?: ReadonlyMap<string, readonly IntelMatch[]>;
}

/** ECS field of each place an indicator is seen (intel.ts's seen.where); nad.* where ECS has no field. */
const ECS_MATCHED_FIELD: Readonly<Record<string, string>> = {
  'flows.id.orig_h': 'source.ip', 'flows.id.resp_h': 'destination.ip', 'dns.query': 'dns.question.name',
  'dns.answers': 'dns.answers.data', 'tls.server_name': 'tls.client.server_name', 'tls.ja3': 'tls.client.ja3',
  'tls.ja3s': 'tls.server.ja3s', 'tls.cert_sha1': 'tls.server.hash.sha1', 'http.host': 'url.domain',
  'http.uri': 'url.original', 'http.user_agent': 'user_agent.original',
};

/** ECS threat.indicator.type of a Zeek intel type. */
function ecsIndicatorType(zeekType: string, indicator: string): string {
  switch (zeekType) {
    case 'Intel::ADDR': case 'Intel::SUBNET': return indicator.includes(':') ? 'ipv6-addr' : 'ipv4-addr';
    case 'Intel::DOMAIN': return 'domain-name';
    case 'Intel::URL': return 'url';
    case 'Intel::SOFTWARE': return 'software';
    case 'Intel::CERT_HASH': return 'x509-certificate';
    default: return 'artifact';
  }
}

/** Enrichments listed per alert (intel.csv has every match). */
const MAX_ENRICHMENTS = 20;

/** ECS threat.enrichments: one per distinct (indicator, where seen, value seen) of the finding's flows, as Elastic's
 *  indicator match rules write them. */
function enrichments(f: Finding, byUid: ReadonlyMap<string, readonly IntelMatch[]> | undefined): Json[] {
  if (byUid === undefined || !f.kinds.includes('intel')) return [];
  const out = new Map<string, Json>();
  for (const uid of f.uids) {
    for (const m of byUid.get(uid) ?? []) {
      const key = JSON.stringify([m.indicator, m.seen_indicator_type, m.sources, m.seen_where, m.seen_indicator]);
      if (out.has(key) || out.size >= MAX_ENRICHMENTS) continue;
      const type = ecsIndicatorType(m.seen_indicator_type, m.indicator);
      out.set(key, {
        indicator: {
          type, provider: m.sources, description: m.desc, reference: m.url, name: m.indicator,
          ...(type.endsWith('-addr') && !m.indicator.includes('/') ? { ip: m.indicator } : {}),
          ...(type === 'url' ? { url: { original: m.indicator } } : {}),
        },
        matched: { atomic: m.seen_indicator, field: ECS_MATCHED_FIELD[m.seen_where] ?? `nad.${m.seen_where}`, type: 'indicator_match_rule', occurred: isoTime(m.ts) },
      });
    }
  }
  return [...out.values()];
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** Drops empty strings, nulls, empty arrays and empty objects, so SIEMs see absent fields, not blank ones. */
function compact(o: { [k: string]: Json }): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(o)) {
    const c = v !== null && typeof v === 'object' && !Array.isArray(v) ? compact(v) : v;
    if (c === '' || c === null || (Array.isArray(c) && c.length === 0)) continue;
    if (typeof c === 'object' && !Array.isArray(c) && Object.keys(c).length === 0) continue;
    out[k] = c;
  }
  return out;
}

export function toEcs(f: Finding, ctx: AlertContext): { [k: string]: Json } {
  const uids = new Set(f.uids);
  const tls = (ctx.tls ?? []).find((t) => uids.has(t.uid));
  const g = ctx.geo !== undefined && ctx.geo !== null && f.dst !== '' ? ctx.geo.lookup(f.dst) : null;
  const dnsName = f.kinds.includes('dns_tunnel') ? f.name : '';
  const transport = f.proto === 'tcp' || f.proto === 'udp' || f.proto === 'icmp' ? f.proto : '';
  return compact({
    '@timestamp': isoTime(f.first_seen),
    message: f.explanation,
    event: {
      kind: 'alert',
      category: [...CATEGORY],
      type: ['indicator'],
      severity: ECS_SEVERITY[f.severity],
      risk_score: Math.round(f.score * 100),
      start: isoTime(f.first_seen),
      end: isoTime(f.last_seen),
      created: ctx.created,
      module: 'nad',
      dataset: 'nad.findings',
    },
    rule: { name: f.kinds.join('+'), category: f.kinds[0] ?? '', ruleset: 'nad' },
    observer: { vendor: 'nad', product: 'nad', version: ctx.version, type: 'ids' },
    source: { ip: f.src, domain: f.src_host },
    destination: {
      ip: f.dst,
      port: f.dst_port,
      domain: f.name,
      geo: { country_iso_code: f.dst_country || g?.country || '' },
      as: g === null || g.asn === null ? {} : { number: g.asn, organization: { name: g.as_org } },
    },
    network: { transport, community_id: f.community_ids.length === 1 ? (f.community_ids[0] ?? '') : f.community_ids },
    dns: dnsName === '' ? {} : { question: { name: dnsName } },
    threat: { enrichments: enrichments(f, ctx.intel) },
    tls: tls === undefined ? {} : { client: { ja3: tls.ja3, server_name: tls.server_name }, server: { ja3s: tls.ja3s } },
    nad: {
      rank: f.rank,
      score: f.score,
      severity: f.severity,
      kinds: f.kinds,
      flow_count: f.flow_count,
      uids: f.uids,
      evidence: f.evidence.map((e) => ({ name: e.name, value: e.value, note: e.note ?? '' })),
      ...(tls?.ja4 ? { ja4: tls.ja4 } : {}),
    },
  });
}
