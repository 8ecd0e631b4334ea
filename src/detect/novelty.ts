/**
 * Protocol and connection-pattern novelty, per (source, destination). Each reason has a fixed weight; a pair's score is
 * 1 − Π(1 − w) over its reasons, capped at 0.6 (novelty alone is "worth a look", never "act on it").
 *
 * Always (no baseline needed):
 *   service identified from payload on a port that is not its usual one   0.3
 *   unidentified payload exchange on a port that is no known service's    0.25
 *   long connection (RITA's long-connection tiers: ≥ 1 h 0.15, ≥ 4 h 0.2, ≥ 12 h 0.25)
 * Against a baseline (the host's profile; hosts absent from it are compared with the whole network):
 *   port never used by the host 0.2 (never by anyone 0.45) · JA4 never seen 0.35 (JA3 only for clients without JA4:
 *   browsers shuffle extensions, so their JA3 changes per connection) · user agent never seen 0.35
 *   country never seen 0.45, else ASN never seen 0.35 (when geo is on) · registered domain never seen 0.15
 *   host's bytes out per hour ≥ 10× its baseline rate 0.35 · connections in an hour of day with none in ≥ 24 h of baseline 0.2
 */
import type { ConnRecord } from '../flow/conn.js';
import type { FlowApp } from '../app/records.js';
import { isBroadcastOrMulticast, isInternal } from '../features/address.js';
import { portKey, tsOf } from '../features/conn.js';
import { compareText, round3 } from '../features/stats.js';
import type { BaselineModel, Counts, HostProfile } from './baseline.js';
import type { DetectContext, Detector, RawFinding } from './detector.js';
import { registeredDomain } from './domain.js';

export const NOVELTY_CAP = 0.6;
export const NOVELTY_MIN_SCORE = 0.25;

/** Usual ports of payload-identified services (IANA assignments plus common alternates). */
export const STANDARD_PORTS: Readonly<Record<string, readonly number[]>> = {
  http: [80, 8080, 8000, 8008, 8081, 8888, 3128, 591],
  tls: [443, 8443, 993, 995, 465, 636, 853, 989, 990, 992, 994, 5061, 5223, 8883, 9443],
  quic: [443, 80, 8443],
  ssh: [22, 2222],
  dns: [53, 5353, 5355],
  smtp: [25, 587, 2525],
  ftp: [21],
  smb: [445, 139],
  ntp: [123],
};

/** Ports of well-known services: an unidentified exchange there is not counted as novel. */
const KNOWN_PORTS = new Set([...Object.values(STANDARD_PORTS).flat(), 110, 143, 389, 1433, 3306, 3389, 5432, 5222, 5228, 1883]);

interface Reason { text: string; weight: number }

function seen(c: Counts | undefined, key: string): boolean {
  return key !== '' && c !== undefined && (c[key] ?? 0) > 0;
}

function connReasons(c: ConnRecord, app: FlowApp, b: BaselineModel | null, host: HostProfile | undefined, ctx: DetectContext): Reason[] {
  const r: Reason[] = [];
  const std = STANDARD_PORTS[c.service];
  if (c.service_source === 'payload' && std !== undefined && !std.includes(c.resp_p)) r.push({ text: `${c.service} on non-standard port ${c.resp_p}`, weight: 0.3 });
  if (c.service === '' && c.proto === 'tcp' && c.orig_bytes > 0 && c.resp_bytes > 0 && !KNOWN_PORTS.has(c.resp_p) && c.resp_p < 49152) {
    r.push({ text: `unidentified protocol on port ${c.resp_p}`, weight: 0.25 });
  }
  if (c.duration >= 3600) r.push({ text: `connection lasted ${(c.duration / 3600).toFixed(1)} h`, weight: c.duration >= 43200 ? 0.25 : c.duration >= 14400 ? 0.2 : 0.15 });
  if (b === null) return r;
  const g = b.global;
  const pk = portKey(c);
  if (!seen(host?.ports, pk)) r.push({ text: `port ${pk} new for this host${seen(g.ports, pk) ? '' : ' and the network'}`, weight: seen(g.ports, pk) ? 0.2 : 0.45 });
  for (const t of app.tls) {
    // JA3 hashes extensions in wire order, which Chrome (≥ 110) and Firefox shuffle per connection; JA4 sorts them.
    // So JA3 counts only for a client that has no JA4.
    if (t.ja4 !== '') { if (!seen(g.ja4, t.ja4)) r.push({ text: `JA4 ${t.ja4} never seen in the baseline`, weight: 0.35 }); }
    else if (t.ja3 !== '' && !seen(g.ja3, t.ja3)) r.push({ text: `JA3 ${t.ja3} never seen in the baseline`, weight: 0.35 });
  }
  for (const h of app.http) if (h.user_agent !== '' && !seen(g.user_agents, h.user_agent)) r.push({ text: `user agent "${h.user_agent.slice(0, 60)}" never seen in the baseline`, weight: 0.35 });
  const dom = registeredDomain(ctx.names.nameOf(c));
  if (dom !== '' && !seen(g.domains, dom)) r.push({ text: `domain ${dom} never seen in the baseline`, weight: 0.15 });
  const geo = ctx.geo !== null && !isInternal(c.resp_h) ? ctx.geo(c.resp_h) : null;
  if (geo !== null && geo.country !== '' && Object.keys(g.countries).length > 0) {
    if (!seen(g.countries, geo.country)) r.push({ text: `country ${geo.country} never seen in the baseline`, weight: 0.45 });
    else if (geo.asn !== '' && !seen(g.asns, geo.asn)) r.push({ text: `${geo.asn} never seen in the baseline`, weight: 0.35 });
  }
  if (host !== undefined && b.hours >= 24) {
    const hour = new Date(tsOf(c) * 1000).getUTCHours();
    if ((host.conns_by_hour[hour] ?? 0) === 0) r.push({ text: `active at ${hour}:00 UTC, an hour with no traffic in the baseline`, weight: 0.2 });
  }
  return r;
}

interface Acc { src: string; dst: string; conns: ConnRecord[]; reasons: Map<string, number> }

export function createNoveltyDetector(): Detector {
  const flows: { conn: ConnRecord; app: FlowApp }[] = [];
  return {
    id: 'novelty',
    observe(conn: ConnRecord, app: FlowApp): void {
      if (!isBroadcastOrMulticast(conn.resp_h)) flows.push({ conn, app });
    },
    finish(ctx: DetectContext): RawFinding[] {
      const b = ctx.baseline;
      const acc = new Map<string, Acc>();
      const outBySrc = new Map<string, ConnRecord[]>();
      for (const { conn, app } of flows) {
        // Each host's outbound flows feed only the baseline comparison (volumeHits).
        if (b !== null) {
          const list = outBySrc.get(conn.orig_h);
          if (list === undefined) outBySrc.set(conn.orig_h, [conn]);
          else list.push(conn);
        }
        const reasons = connReasons(conn, app, b, b?.hosts[conn.orig_h], ctx);
        if (reasons.length === 0) continue;
        const key = `${conn.orig_h}|${conn.resp_h}`;
        let a = acc.get(key);
        if (a === undefined) { a = { src: conn.orig_h, dst: conn.resp_h, conns: [], reasons: new Map() }; acc.set(key, a); }
        a.conns.push(conn);
        for (const r of reasons) a.reasons.set(r.text, Math.max(a.reasons.get(r.text) ?? 0, r.weight));
      }
      const out: RawFinding[] = [];
      for (const key of [...acc.keys()].sort()) out.push(...pairHit(acc.get(key)!, ctx));
      if (b !== null) out.push(...volumeHits(outBySrc, b, ctx));
      return out.filter((h) => h.score >= NOVELTY_MIN_SCORE);
    },
  };
}

function pairHit(a: Acc, ctx: DetectContext): RawFinding[] {
  const texts = [...a.reasons.keys()].sort();
  const score = round3(Math.min(NOVELTY_CAP, 1 - texts.reduce((p, t) => p * (1 - a.reasons.get(t)!), 1)));
  const ports = [...new Set(a.conns.map((c) => c.resp_p))];
  const names = [...new Set(a.conns.map((c) => ctx.names.nameOf(c)).filter((n) => n !== ''))].sort();
  return [{
    detector: 'novelty', kind: 'novelty', src: a.src, dst: a.dst, dst_port: ports.length === 1 ? ports[0]! : null, proto: a.conns[0]!.proto,
    name: names.length === 1 ? names[0]! : '', score, conns: a.conns,
    evidence: texts.map((t) => ({ name: 'reason', value: t, note: `weight ${a.reasons.get(t)}` })),
    reason: `${a.src} → ${names[0] ?? a.dst}: ${texts.slice(0, 3).join('; ')}${texts.length > 3 ? `; and ${texts.length - 3} more` : ''}.`,
  }];
}

/** Flows listed behind a volume hit: the largest, until they carry this share of the host's bytes out. */
export const VOLUME_COVER = 0.9;
/** At most this many flows behind a volume hit (the finding's uid list holds 50). */
export const VOLUME_MAX_FLOWS = 50;
/** Destinations named in a volume hit's evidence. */
const VOLUME_TOP_DESTINATIONS = 3;

/**
 * Hosts whose bytes out per hour are ≥ 10× their baseline rate (and ≥ 100 kB/h). The hit carries the flows that make
 * the volume — the largest first, until they hold 90% of the host's bytes out (at most 50) — so the finding has a
 * time span, uids to pivot on and, when they share one, a destination; its evidence names the destinations that
 * received most of the bytes (TLS/HTTP/DNS name, else address) with their shares.
 */
function volumeHits(outBySrc: ReadonlyMap<string, readonly ConnRecord[]>, b: BaselineModel, ctx: DetectContext): RawFinding[] {
  const hours = Math.max((ctx.last_ts - ctx.first_ts) / 3600, 1 / 60);
  const out: RawFinding[] = [];
  for (const src of [...outBySrc.keys()].sort()) {
    const h = b.hosts[src];
    if (h === undefined || b.hours <= 0) continue;
    const conns = outBySrc.get(src)!;
    let bytes = 0;
    for (const c of conns) bytes += c.orig_bytes;
    const rate = bytes / hours;
    const baseRate = h.orig_bytes / Math.max(b.hours, 1 / 60);
    if (rate < 1e5 || rate < 10 * Math.max(baseRate, 1)) continue;
    const largest = [...conns].sort((x, y) => y.orig_bytes - x.orig_bytes || compareText(x.uid, y.uid));
    const listed: ConnRecord[] = [];
    let covered = 0;
    for (const c of largest) {
      if (covered >= VOLUME_COVER * bytes || listed.length >= VOLUME_MAX_FLOWS) break;
      listed.push(c);
      covered += c.orig_bytes;
    }
    const byDst = new Map<string, number>();
    for (const c of conns) {
      const d = ctx.names.nameOf(c) || c.resp_h;
      byDst.set(d, (byDst.get(d) ?? 0) + c.orig_bytes);
    }
    const top = [...byDst].sort((x, y) => y[1] - x[1] || compareText(x[0], y[0])).slice(0, VOLUME_TOP_DESTINATIONS);
    const share = (n: number): number => Math.round((100 * n) / bytes);
    out.push({
      detector: 'novelty', kind: 'novelty', src, dst: '', dst_port: null, proto: '', name: '', score: 0.35, conns: listed,
      evidence: [
        { name: 'bytes_out_per_hour', value: Math.round(rate) }, { name: 'baseline_bytes_out_per_hour', value: Math.round(baseRate) },
        { name: 'bytes_out', value: bytes }, { name: 'flows_out', value: conns.length },
        ...top.map(([d, n]) => ({ name: 'top_destination', value: d, note: `${share(n)}% of the bytes out` })),
      ],
      reason: `${src} sent ${(rate / Math.max(baseRate, 1)).toFixed(0)}× more bytes per hour than in the baseline` +
        (top.length > 0 ? `, ${share(top[0]![1])}% of it to ${top[0]![0]}.` : '.'),
    });
  }
  return out;
}
