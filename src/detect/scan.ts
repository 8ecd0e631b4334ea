/**
 * Scan detector. Vertical: one source probing many ports of one destination. Horizontal: one source probing one port on
 * many destinations. ICMP sweep: echo requests to many destinations. ARP sweep: who-has requests for many addresses
 * (from the context's ARP tally: ARP never becomes an IP flow). Scans fail a lot (S0, REJ, RSTO…), so the failed
 * share weighs in.
 *
 *   vertical   = clamp(log10(ports / 10) / 1.5) · (0.5 + 0.5·failed share)      (100 ports → 0.67·…, 316+ → 1)
 *   horizontal = clamp(log10(hosts / 10) / 2) · failed share                      (answered fan-out is ordinary P2P/CDN)
 *   icmp / arp sweep = clamp(log10(hosts / 10) / 2)
 */
import type { ConnRecord } from '../flow/conn.js';
import type { FlowApp } from '../app/records.js';
import { isBroadcastOrMulticast } from '../features/address.js';
import { isFailed } from '../features/conn.js';
import { clamp01, round3 } from '../features/stats.js';
import type { DetectContext, Detector, RawFinding } from './detector.js';

export const SCAN_MIN_TARGETS = 20;
export const SCAN_MIN_SCORE = 0.25;

/** ICMP echo request types: 8 (ICMPv4), 128 (ICMPv6); ConnRecord keeps the type in orig_p. */
const ECHO_REQUEST = new Set([8, 128]);

function failedShare(conns: readonly ConnRecord[]): number {
  return conns.length === 0 ? 0 : conns.filter(isFailed).length / conns.length;
}

function fanScore(n: number): number {
  return clamp01(Math.log10(n / 10) / 2);
}

/**
 * (src, proto, port) groups that could score: a sweep fails a lot, so a group needs at least 5 failed attempts
 * (fan ≤ 1 and failed share ≥ 0.25 for the 0.25 floor, with ≥ 20 hosts). Grouping the failed attempts first keeps
 * this cheap: normal traffic fails rarely.
 */
function horizontalGroups(conns: readonly ConnRecord[]): ConnRecord[][] {
  const key = (c: ConnRecord): string | null =>
    (c.proto === 'tcp' || c.proto === 'udp') && !isBroadcastOrMulticast(c.resp_h) ? `${c.orig_h}|${c.proto}|${c.resp_p}` : null;
  const failedCounts = new Map<string, number>();
  for (const c of conns) {
    if (!isFailed(c)) continue;
    const k = key(c);
    if (k !== null) failedCounts.set(k, (failedCounts.get(k) ?? 0) + 1);
  }
  const candidates = new Set([...failedCounts].filter(([, n]) => n >= 5).map(([k]) => k));
  if (candidates.size === 0) return [];
  return [...groupBy(conns, (c) => { const k = key(c); return k !== null && candidates.has(k) ? k : null; }).values()];
}

function groupBy(conns: readonly ConnRecord[], key: (c: ConnRecord) => string | null): Map<string, ConnRecord[]> {
  const m = new Map<string, ConnRecord[]>();
  for (const c of conns) {
    const k = key(c);
    if (k === null) continue;
    const l = m.get(k);
    if (l === undefined) m.set(k, [c]);
    else l.push(c);
  }
  return new Map([...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

export function createScanDetector(): Detector {
  const conns: ConnRecord[] = [];
  return {
    id: 'scan',
    observe(conn: ConnRecord, _app: FlowApp): void {
      if (conn.proto !== 'other') conns.push(conn);
    },
    finish(ctx: DetectContext): RawFinding[] {
      const out: RawFinding[] = arpHits(ctx);
      // Vertical: the context already groups by (src, dst); only pairs with enough connections are split by protocol.
      const verticalGroups = ctx.pairs.byIp.filter((p) => p.conns.length >= SCAN_MIN_TARGETS)
        .flatMap((p) => [...groupBy(p.conns.filter((c) => c.proto === 'tcp' || c.proto === 'udp'), (c) => c.proto).values()]);
      for (const list of verticalGroups) {
        const ports = new Set(list.map((c) => c.resp_p)).size;
        if (ports < SCAN_MIN_TARGETS) continue;
        const fail = failedShare(list);
        // Many ports of one host is rarer in normal traffic than many hosts on one port, hence the steeper curve.
        const score = round3(clamp01(Math.log10(ports / 10) / 1.5) * (0.5 + 0.5 * fail));
        if (score < SCAN_MIN_SCORE) continue;
        const c0 = list[0]!;
        out.push({
          detector: 'scan', kind: 'scan', src: c0.orig_h, dst: c0.resp_h, dst_port: null, proto: c0.proto, name: '', score, conns: list,
          evidence: [{ name: 'scan_type', value: 'vertical' }, { name: 'distinct_ports', value: ports }, { name: 'connections', value: list.length },
            { name: 'failed_share', value: round3(fail) }],
          reason: `${c0.orig_h} tried ${ports} ${c0.proto.toUpperCase()} ports on ${c0.resp_h}; ${Math.round(fail * 100)}% of the attempts failed, as a port scan does.`,
        });
      }
      for (const list of horizontalGroups(conns)) {
        const hosts = new Set(list.map((c) => c.resp_h)).size;
        if (hosts < SCAN_MIN_TARGETS) continue;
        const fail = failedShare(list);
        const score = round3(fanScore(hosts) * fail);
        if (score < SCAN_MIN_SCORE) continue;
        const c0 = list[0]!;
        out.push({
          detector: 'scan', kind: 'scan', src: c0.orig_h, dst: '', dst_port: c0.resp_p, proto: c0.proto, name: '', score, conns: list,
          evidence: [{ name: 'scan_type', value: 'horizontal' }, { name: 'distinct_hosts', value: hosts }, { name: 'connections', value: list.length },
            { name: 'failed_share', value: round3(fail) }],
          reason: `${c0.orig_h} tried ${c0.proto.toUpperCase()} port ${c0.resp_p} on ${hosts} hosts; ${Math.round(fail * 100)}% of the attempts failed, as a sweep does.`,
        });
      }
      const echo = conns.filter((c) => c.proto === 'icmp' && ECHO_REQUEST.has(c.orig_p));
      for (const [src, list] of groupBy(echo, (c) => c.orig_h)) {
        const hosts = new Set(list.map((c) => c.resp_h)).size;
        if (hosts < SCAN_MIN_TARGETS) continue;
        const score = round3(fanScore(hosts));
        if (score < SCAN_MIN_SCORE) continue;
        const answered = list.filter((c) => c.resp_pkts > 0).length;
        out.push({
          detector: 'scan', kind: 'scan', src, dst: '', dst_port: null, proto: 'icmp', name: '', score, conns: list,
          evidence: [{ name: 'scan_type', value: 'icmp_sweep' }, { name: 'distinct_hosts', value: hosts }, { name: 'answered', value: answered }],
          reason: `${src} sent ICMP echo requests to ${hosts} hosts (${answered} answered), as a ping sweep does.`,
        });
      }
      return out;
    },
  };
}

function arpHits(ctx: DetectContext): RawFinding[] {
  return ctx.arp.filter((a) => a.targets >= SCAN_MIN_TARGETS && fanScore(a.targets) >= SCAN_MIN_SCORE).map((a) => ({
    detector: 'scan', kind: 'scan', src: a.src, dst: '', dst_port: null, proto: 'arp', name: '', score: round3(fanScore(a.targets)), conns: [],
    evidence: [{ name: 'scan_type', value: 'arp_sweep' }, { name: 'distinct_hosts', value: a.targets }, { name: 'requests', value: a.requests }],
    reason: `${a.src} asked ARP who-has for ${a.targets} addresses in ${(a.last_ts - a.first_ts).toFixed(1)} s, as an ARP sweep does.`,
    span: { first: a.first_ts.toFixed(9), last: a.last_ts.toFixed(9) },
  }));
}
