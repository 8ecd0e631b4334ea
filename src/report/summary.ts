/** Aggregates behind the report's overview sections: pure functions of the records, one per table or chart. */
import type { DnsRecord, FtpRecord, HttpRecord, SmtpRecord, TlsRecord } from '../app/records.js';
import { transferBytes } from '../app/ftp.js';
import { ftpFiles, httpFiles, smtpFiles, type FileRow } from '../export/files.js';
import { isFileOfInterest } from '../app/http/body.js';
import type { Finding, Severity } from '../findings/finding.js';
import { compareTsUid, type ConnRecord } from '../flow/conn.js';
import type { GeoLookup, GeoPlace } from '../geo/lookup.js';
import { epochSeconds } from './text.js';

export interface Count {
  key: string;
  count: number;
}

/**
 * `[...items].sort(order).slice(0, n)` without sorting them all: one pass keeping the first n in order (the top 10 of
 * 60k hosts). Ties keep input order, as the stable sort does.
 */
export function firstInOrder<T>(items: Iterable<T>, order: (a: T, b: T) => number, n: number): T[] {
  if (!Number.isFinite(n)) return [...items].sort(order);
  const best: T[] = [];
  for (const it of items) {
    if (best.length >= n && (best.length === 0 || order(it, best[best.length - 1]!) >= 0)) continue;
    // Insert after every element that sorts before it or ties with it.
    let i = best.length;
    while (i > 0 && order(it, best[i - 1]!) < 0) i--;
    best.splice(i, 0, it);
    if (best.length > n) best.pop();
  }
  return best;
}

/** The `n` most frequent keys, ties broken by key so the order is stable; '' keys are skipped. */
export function topCounts<T>(items: readonly T[], key: (t: T) => string, n: number): Count[] {
  const m = new Map<string, number>();
  for (const it of items) {
    const k = key(it);
    if (k !== '') m.set(k, (m.get(k) ?? 0) + 1);
  }
  const counts = [...m].map(([k, count]) => ({ key: k, count }));
  return firstInOrder(counts, (a, b) => b.count - a.count || (a.key < b.key ? -1 : 1), n);
}

export function severityCounts(findings: readonly Finding[]): Record<Severity, number> & { total: number } {
  const c = { high: 0, medium: 0, low: 0, total: findings.length };
  for (const f of findings) c[f.severity]++;
  return c;
}

function connBytes(c: ConnRecord): number {
  return c.orig_bytes + c.resp_bytes;
}

export interface HostVolume {
  ip: string;
  bytes: number;
  flows: number;
}

/** Hosts by bytes sent plus received over the flows where they are `side`. */
export function topHosts(conns: readonly ConnRecord[], side: 'orig_h' | 'resp_h', n: number): HostVolume[] {
  const m = new Map<string, HostVolume>();
  for (const c of conns) {
    const h = m.get(c[side]) ?? { ip: c[side], bytes: 0, flows: 0 };
    h.bytes += connBytes(c);
    h.flows++;
    m.set(c[side], h);
  }
  return firstInOrder(m.values(), (a, b) => b.bytes - a.bytes || (a.ip < b.ip ? -1 : 1), n);
}

/** Share of flows per service (`unidentified` for ''), summing to 1. */
export function serviceShare(conns: readonly ConnRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of conns) {
    const s = c.service === '' ? 'unidentified' : c.service;
    out[s] = (out[s] ?? 0) + 1 / conns.length;
  }
  return out;
}

/** First and last packet time over all flows (epoch seconds), null without flows. */
export function span(conns: readonly ConnRecord[]): { first: number; last: number } | null {
  let first = Infinity;
  let last = -Infinity;
  for (const c of conns) {
    first = Math.min(first, epochSeconds(c.ts));
    last = Math.max(last, epochSeconds(c.last_ts));
  }
  return Number.isFinite(first) && Number.isFinite(last) ? { first, last } : null;
}

/**
 * Seconds a traffic bucket covers: the span in `buckets` equal parts, at least 1 ms (the span of a single packet's
 * capture is 0). A short capture (a 0.3 s live run) gets short buckets, not one-second ones that leave most empty.
 */
export function bucketWidth(s: { first: number; last: number }, buckets: number): number {
  return Math.max((s.last - s.first) / buckets, 0.001);
}

/** Bytes per time bucket, each flow counted at its start (enough for a 4-hour overview; no interpolation). `s` is
 *  span(conns), when the caller has it already. */
export function trafficBuckets(conns: readonly ConnRecord[], buckets: number, s = span(conns)): { t: number; bytes: number }[] {
  if (s === null) return [];
  const width = bucketWidth(s, buckets);
  const out = Array.from({ length: buckets }, (_, i) => ({ t: (s.first + i * width) * 1000, bytes: 0 }));
  for (const c of conns) {
    const i = Math.min(buckets - 1, Math.floor((epochSeconds(c.ts) - s.first) / width));
    const b = out[i];
    if (b !== undefined) b.bytes += connBytes(c);
  }
  return out;
}

export interface Endpoint extends HostVolume {
  /** Scope and location; the AS is looked up (GeoLookup.lookup) only for the endpoints shown by name. */
  geo: GeoPlace;
  flagged: boolean;
}

/** Public responders with their location, for the map and the destination columns. */
export function publicEndpoints(conns: readonly ConnRecord[], geo: GeoLookup, flagged: ReadonlySet<string>): Endpoint[] {
  // A loop, not map + spread + filter: it runs for every endpoint of the capture (39,686 on big.pcap).
  const out: Endpoint[] = [];
  for (const h of topHosts(conns, 'resp_h', Infinity)) {
    const g = geo.place(h.ip);
    if (g.scope === 'public') out.push({ ip: h.ip, bytes: h.bytes, flows: h.flows, geo: g, flagged: flagged.has(h.ip) });
  }
  return out;
}

export interface DnsSummary {
  queries: number;
  unique_names: number;
  nxdomain: number;
  top_names: Count[];
  qtypes: Count[];
  rcodes: Count[];
}

export function dnsSummary(dns: readonly DnsRecord[]): DnsSummary {
  const names = dns.map((d) => d.query.toLowerCase());
  return {
    queries: dns.length,
    unique_names: new Set(names).size,
    nxdomain: dns.filter((d) => d.rcode === 3).length,
    top_names: topCounts(names, (n) => n, 10),
    qtypes: topCounts(dns, (d) => d.qtype_name || String(d.qtype), 8),
    rcodes: topCounts(dns, (d) => (d.rcode === null ? 'no response' : d.rcode_name || String(d.rcode)), 8),
  };
}

export interface TlsSummary {
  handshakes: number;
  top_sni: Count[];
  versions: Count[];
  top_ja3: Count[];
  top_ja4: Count[];
  /** JA4X of the servers' leaf certificates (TLS <= 1.2): which software made them. */
  top_ja4x: Count[];
}

export function tlsSummary(tls: readonly TlsRecord[]): TlsSummary {
  return {
    handshakes: tls.length,
    top_sni: topCounts(tls, (t) => t.server_name.toLowerCase() || '(no SNI)', 10),
    versions: topCounts(tls, (t) => t.version || '(no ServerHello)', 6),
    top_ja3: topCounts(tls, (t) => t.ja3, 5),
    top_ja4: topCounts(tls, (t) => t.ja4, 5),
    top_ja4x: topCounts(tls, (t) => t.ja4x, 5),
  };
}

export interface HttpSummary {
  requests: number;
  top_hosts: Count[];
  methods: Count[];
  statuses: Count[];
  user_agents: Count[];
  /** JA4H client fingerprints: one client software shows as one or a few, whatever User-Agent it claims. */
  top_ja4h: Count[];
}

/** One file of interest (a program, an archive, a document, by content) that went either way over HTTP, FTP or mail. */
export interface MovedFile {
  ts: string;
  uid: string;
  protocol: 'HTTP' | 'FTP' | 'SMTP';
  /** Sent out by the client (an HTTP request body, an FTP upload, a mail attachment) rather than fetched. */
  upload: boolean;
  client: string;
  server: string;
  server_port: number;
  /** HTTP: the Host asked for ('' when none or the address itself). */
  host: string;
  /** HTTP method, FTP command, `mail`. */
  verb: string;
  /** What names it: the URI, the FTP URL, the attachment's file name. */
  what: string;
  /** The type it was sent as (a response's Content-Type, an attachment's); '' when not said or not kept. */
  declared: string;
  /** Its type by content. */
  mime: string;
  /** Bytes, when known. */
  bytes: number | null;
  /** '' when it was not seen whole. */
  sha256: string;
}

/** The records a files list is made of (FTP and mail are absent from old shard sets and tests). */
export interface FileSources {
  http: readonly HttpRecord[];
  ftp?: readonly FtpRecord[];
  smtp?: readonly SmtpRecord[];
  conns: readonly ConnRecord[];
}

/**
 * The programs, archives and documents uploaded and downloaded, in time order: files.csv's rows (export/files.ts) of
 * interest by content, with what names them for a reader (the URI, the FTP URL). The report's files table and the
 * terminal's lines.
 */
export function movedFiles(data: FileSources): MovedFile[] {
  const out: MovedFile[] = [];
  const moved = (row: FileRow, host: string, verb: string, what: string, declared: string, bytes: number | null): MovedFile => ({
    ts: row.ts, uid: row.uid, protocol: row.source, upload: row.direction === 'upload', client: row.orig_h, server: row.resp_h,
    server_port: row.resp_p, host, verb, what, declared, mime: row.mime_type, bytes, sha256: row.sha256,
  });
  for (const h of data.http) {
    const host = h.host !== h.resp_h ? h.host : '';
    for (const row of httpFiles(h)) {
      if (!isFileOfInterest(row.mime_type)) continue;
      const what = row.filename === '' ? h.uri : `${h.uri} (${row.filename})`;
      // Only a response's Content-Type is kept (http.csv resp_mime).
      out.push(moved(row, host, h.method, what, row.direction === 'download' ? h.resp_mime : '', row.bytes));
    }
  }
  const byUid = data.ftp === undefined || data.ftp.length === 0 ? null : new Map(data.conns.map((c) => [c.uid, c]));
  for (const r of data.ftp ?? []) {
    for (const row of ftpFiles(r)) {
      if (!isFileOfInterest(row.mime_type)) continue;
      const d = byUid?.get(r.data_uid);
      out.push(moved(row, '', r.command, r.arg, '', d === undefined ? row.bytes : transferBytes(r, d)));
    }
  }
  for (const m of data.smtp ?? []) {
    for (const row of smtpFiles(m)) if (isFileOfInterest(row.mime_type)) out.push(moved(row, '', 'mail', row.filename, '', row.bytes));
  }
  return out.sort(compareTsUid);
}

export function httpSummary(http: readonly HttpRecord[]): HttpSummary {
  return {
    requests: http.length,
    top_hosts: topCounts(http, (h) => h.host.toLowerCase(), 10),
    methods: topCounts(http, (h) => h.method, 6),
    statuses: topCounts(http, (h) => (h.status_code === null ? 'no response' : String(h.status_code)), 8),
    user_agents: topCounts(http, (h) => h.user_agent, 6),
    top_ja4h: topCounts(http, (h) => h.ja4h, 5),
  };
}
