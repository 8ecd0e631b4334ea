/**
 * Per-finding detail: the evidence an analyst checks first for each kind of behaviour (RITA shows the same for
 * beacons: the interval histogram and connection times).
 */
import type { DnsRecord } from '../app/records.js';
import type { Finding } from '../findings/finding.js';
import type { ConnRecord } from '../flow/conn.js';
import { epochSeconds, shannonEntropy } from './text.js';
import type { ReportData } from './types.js';

/** Start times (epoch s) of the finding's check-ins: flow starts, or the payload bursts inside one long flow. */
export function checkInTimes(conns: readonly ConnRecord[]): number[] {
  const times = conns.length === 1 && (conns[0]?.orig_bursts.length ?? 0) > 1 ? [...(conns[0]?.orig_bursts ?? [])] : conns.map((c) => epochSeconds(c.ts));
  return times.filter(Number.isFinite).sort((a, b) => a - b);
}

/** Seconds between consecutive check-ins. */
export function intervals(times: readonly number[]): number[] {
  return times.slice(1).map((t, i) => Math.round((t - (times[i] ?? t)) * 1000) / 1000);
}

/** Bytes the source sent over time: per flow, or per payload burst when one flow carries it all. */
export function bytesOut(conns: readonly ConnRecord[]): { t: number; bytes: number }[] {
  const only = conns.length === 1 ? conns[0] : undefined;
  const pts =
    only !== undefined && only.orig_bursts.length > 1
      ? only.orig_bursts.map((t, i) => ({ t, bytes: only.orig_burst_bytes[i] ?? 0 }))
      : conns.map((c) => ({ t: epochSeconds(c.ts), bytes: c.orig_bytes }));
  return pts.filter((p) => Number.isFinite(p.t)).sort((a, b) => a.t - b.t);
}

export interface Subdomain {
  name: string;
  /** The labels left of the tunnel's domain. */
  label: string;
  entropy: number;
}

/** Queries under `domain` (the finding's name), a sample of distinct ones with the entropy of their leftmost part. */
export function tunnelSample(dns: readonly DnsRecord[], domain: string, n: number): { queries: number; distinct: number; mean_entropy: number; sample: Subdomain[] } {
  const d = domain.toLowerCase().replace(/\.$/, '');
  const names = dns.map((r) => r.query.toLowerCase().replace(/\.$/, '')).filter((q) => d !== '' && (q === d || q.endsWith(`.${d}`)));
  const distinct = [...new Set(names)];
  const subs = distinct.map((name) => {
    const label = name.length > d.length ? name.slice(0, name.length - d.length - 1) : '';
    return { name, label, entropy: shannonEntropy(label.replaceAll('.', '')) };
  });
  const mean = subs.length === 0 ? 0 : subs.reduce((s, x) => s + x.entropy, 0) / subs.length;
  return { queries: names.length, distinct: distinct.length, mean_entropy: Math.round(mean * 1000) / 1000, sample: subs.slice(0, n) };
}

/** Ports and hosts a scan touched, and how the targets answered (Zeek conn_state). */
export function scanSummary(conns: readonly ConnRecord[]): { ports: number[]; hosts: number; states: { key: string; count: number }[] } {
  const ports = [...new Set(conns.map((c) => c.resp_p))].sort((a, b) => a - b);
  const states = new Map<string, number>();
  for (const c of conns) states.set(c.conn_state, (states.get(c.conn_state) ?? 0) + 1);
  return {
    ports,
    hosts: new Set(conns.map((c) => c.resp_h)).size,
    states: [...states].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count),
  };
}

/** Names each flow was seen with: TLS SNI, HTTP Host, DNS query (lower case, no trailing dot). */
export function namesByUid(data: Pick<ReportData, 'dns' | 'tls' | 'http'>): Map<string, string[]> {
  const m = new Map<string, string[]>();
  const add = (uid: string, name: string): void => {
    const n = name.toLowerCase().replace(/\.$/, '').replace(/:\d+$/, '');
    if (n === '') return;
    const list = m.get(uid);
    if (list === undefined) m.set(uid, [n]);
    else list.push(n);
  };
  for (const r of data.tls) add(r.uid, r.server_name);
  for (const r of data.http) add(r.uid, r.host);
  for (const r of data.dns) add(r.uid, r.query);
  return m;
}

/**
 * The flows behind a finding: by uid when the finding lists them all; otherwise (uids are capped) the source's flows
 * to the destination address, or to the destination name or a subdomain of it (SNI, Host or DNS query).
 */
export function findingConns(
  f: Finding,
  byUid: ReadonlyMap<string, ConnRecord>,
  conns: readonly ConnRecord[],
  names: ReadonlyMap<string, readonly string[]>,
): ConnRecord[] {
  if (f.uids.length >= f.flow_count) return f.uids.map((u) => byUid.get(u)).filter((c): c is ConnRecord => c !== undefined);
  const want = f.name.toLowerCase();
  const nameHit = (uid: string): boolean => (names.get(uid) ?? []).some((n) => n === want || n.endsWith(`.${want}`));
  return conns.filter(
    (c) =>
      c.orig_h === f.src &&
      (f.dst_port === null || c.resp_p === f.dst_port) &&
      (f.dst !== '' ? c.resp_h === f.dst : want !== '' ? nameHit(c.uid) : true),
  );
}
