/**
 * ReportData → the plain object the handlebars template reads, plus the chart specs it refers to by id.
 * No HTML here: every value is text or a number, escaped by the template; chart SVG is filled in by html.ts.
 */
import { FTP_UPLOADS, transferBytes } from '../app/ftp.js';
import type { TopLevelSpec } from 'vega-lite';
import type { Finding } from '../findings/finding.js';
import type { ConnRecord } from '../flow/conn.js';
import { linkTypeName } from '../decode/linktype.js';
import { COUNTRIES } from '../geo/countries.js';
import type { GeoInfo } from '../geo/lookup.js';
import { type BarRow, barSpec, histogramSpec, timelineSpec, worldMapSpec } from './charts.js';
import { bytesOut, checkInTimes, findingConns, intervals, namesByUid, scanSummary, tunnelSample } from './details.js';
import {
  movedFiles,
  dnsSummary,
  httpSummary,
  publicEndpoints,
  serviceShare,
  severityCounts,
  span,
  tlsSummary,
  topHosts,
  trafficBuckets,
} from './summary.js';
import { clip, epochSeconds, formatBytes, formatDuration, shortTime } from './text.js';
import { decryptedText, extractedText, type ReportData } from './types.js';

/** Findings that get a detail section (charts included); the ranked table lists them all. */
const DETAIL_FINDINGS = 5;
/** Rows of the ranked table; the rest are in findings.csv (keeps the report small for captures with thousands). */
const TABLE_FINDINGS = 200;
/** Evidence items per table row; the detail section and findings.csv have them all. */
const TABLE_EVIDENCE = 6;
/** Endpoint bubbles drawn on the world map (flagged ones always are). */
const MAP_BUBBLES = 400;
const DETAIL_EVIDENCE = 24;
/** Rows of the DHCP host table (dhcp.csv has every message). */
const MAX_HOSTS = 100;
const NUMERIC_BY_ALPHA2 = new Map(COUNTRIES.map((c) => [c[0], c[1]]));

export interface Built {
  view: Record<string, unknown>;
  charts: Map<string, TopLevelSpec>;
}

function geoText(g: GeoInfo | null): { country: string; asn: string } {
  if (g === null) return { country: '', asn: '' };
  if (g.scope !== 'public') return { country: g.scope, asn: '' };
  return { country: g.country === '' ? '?' : `${g.country} ${g.country_name}`, asn: g.asn === null ? '' : `AS${g.asn} ${g.as_org}` };
}

function entity(f: Finding): string {
  const dst = f.name !== '' ? f.name : f.dst !== '' ? f.dst : 'many hosts';
  return `${f.src}${f.src_host === '' ? '' : ` (${clip(f.src_host, 40)})`} → ${dst}${f.dst_port === null ? '' : `:${f.dst_port}`}`;
}

export function buildView(data: ReportData): Built {
  const charts = new Map<string, TopLevelSpec>();
  const counts = severityCounts(data.findings);
  const top = data.findings[0];
  const s = span(data.conns);
  // The detail sections' flows: only the uids they list are indexed, and names only when a finding lists fewer uids than
  // it has flows (findingConns then matches by name). Maps over every flow and record were a cost on large captures.
  const detailed = data.findings.slice(0, DETAIL_FINDINGS);
  const wanted = new Set(detailed.flatMap((f) => f.uids));
  const byUid = new Map(data.conns.filter((c) => wanted.has(c.uid)).map((c) => [c.uid, c]));
  const names = detailed.some((f) => f.uids.length < f.flow_count) ? namesByUid(data) : new Map<string, string[]>();
  const lookup = (ip: string): GeoInfo | null => (data.geo !== null && ip !== '' ? data.geo.lookup(ip) : null);

  const findings = data.findings.slice(0, TABLE_FINDINGS).map((f) => {
    const g = geoText(lookup(f.dst));
    return {
      rank: f.rank,
      severity: f.severity,
      score: f.score.toFixed(3),
      kinds: f.kinds.join(', '),
      src: f.src,
      src_host: clip(f.src_host, 40),
      destination: f.dst !== '' ? `${f.dst}${f.dst_port === null ? '' : `:${f.dst_port}`}` : f.name === '' ? 'many hosts' : '',
      name: f.name,
      proto: f.proto,
      // The report's own lookup gives the country name too; the finding's fields serve when geo is not passed.
      country: g.country !== '' ? g.country : f.dst_country,
      asn: g.asn !== '' ? g.asn : f.dst_asn,
      first_seen: shortTime(f.first_seen).replace('Z', ''),
      last_seen: shortTime(f.last_seen).replace('Z', ''),
      flow_count: f.flow_count,
      evidence_more: Math.max(0, f.evidence.length - TABLE_EVIDENCE),
      evidence: f.evidence.slice(0, TABLE_EVIDENCE).map((e) => ({ name: e.name, value: typeof e.value === 'number' ? String(Math.round(e.value * 1000) / 1000) : clip(e.value, 120), note: e.note ?? '' })),
      explanation: f.explanation,
    };
  });

  const details = detailed.map((f) => findingDetail(f, findingConns(f, byUid, data.conns, names), data, charts));

  const flaggedIps = new Set(data.findings.map((f) => f.dst).filter((d) => d !== ''));
  let map: Record<string, unknown> | null = null;
  if (data.geo !== null && data.geo.enabled) {
    const endpoints = publicEndpoints(data.conns, data.geo, flaggedIps);
    const byCountry = new Map<string, { id: string; name: string; bytes: number }>();
    for (const e of endpoints) {
      const id = NUMERIC_BY_ALPHA2.get(e.geo.country);
      if (id === undefined || id === '') continue;
      const c = byCountry.get(id) ?? { id, name: e.geo.country_name, bytes: 0 };
      c.bytes += e.bytes;
      byCountry.set(id, c);
    }
    // Bubbles for the busiest endpoints and every flagged one: on the 60k-flow bench capture all 39k endpoints made a
    // 15.7 MB map SVG; country shading still counts every endpoint.
    const placed = endpoints
      .filter((e) => e.geo.latitude !== null && e.geo.longitude !== null)
      .filter((e, i) => i < MAP_BUBBLES || e.flagged);
    charts.set(
      'map',
      worldMapSpec(
        [...byCountry.values()],
        placed.map((e) => ({ lat: e.geo.latitude ?? 0, lon: e.geo.longitude ?? 0, bytes: e.bytes, flagged: e.flagged, label: `${e.ip} ${e.geo.country} ${geoText(lookup(e.ip)).asn}` })),
      ),
    );
    map = {
      endpoints: endpoints.length,
      countries: byCountry.size,
      approx: placed.some((e) => e.geo.coords_approx),
      top: endpoints.slice(0, 10).map((e) => ({ ip: e.ip, bytes: formatBytes(e.bytes), flows: e.flows, flagged: e.flagged, ...geoText(lookup(e.ip)) })),
    };
  }

  const share = serviceShare(data.conns);
  const baseShare = Object.fromEntries(Object.entries(data.baseline?.service_share ?? {}).map(([k, v]) => [k === '' ? 'unidentified' : k, v]));
  const services = [...new Set([...Object.keys(share), ...Object.keys(baseShare)])]
    .sort((a, b) => (share[b] ?? 0) - (share[a] ?? 0))
    .slice(0, 15);
  const mixRows: BarRow[] = services.flatMap((svc) => [
    { label: svc, value: Math.round((share[svc] ?? 0) * 1000) / 10, series: 'this capture' },
    ...(data.baseline === null ? [] : [{ label: svc, value: Math.round((baseShare[svc] ?? 0) * 1000) / 10, series: 'baseline' }]),
  ]);
  if (mixRows.length > 0) charts.set('mix', barSpec(mixRows, 'Flows by service (%)', '% of flows'));

  const talkers = topHosts(data.conns, 'orig_h', 10);
  const hostNames = new Map((data.hosts ?? []).map((h) => [h.ip, h.names.join(' / ')]));
  if (talkers.length > 0) charts.set('talkers', barSpec(talkers.map((t) => ({ label: t.ip, value: t.bytes })), 'Top talkers (bytes sent + received)', 'bytes'));
  const traffic = trafficBuckets(data.conns, 60, s);
  if (traffic.length > 0) charts.set('traffic', timelineSpec(traffic.map((b) => ({ t: b.t, value: b.bytes })), 'Traffic over time', 'bytes', 'area'));

  const packets = data.inputs.reduce((n, i) => n + i.packets, 0);
  return {
    charts,
    view: {
      title: `${data.tool} report: ${data.inputs.map((i) => i.path).join(', ')}`,
      tool: data.tool,
      version: data.version,
      generated_at: data.generated_at,
      verdict: {
        alert: counts.high + counts.medium > 0,
        counts,
        headline:
          top === undefined
            ? 'No suspicious behaviour found.'
            : `${counts.total} finding${counts.total === 1 ? '' : 's'}: ${counts.high} high, ${counts.medium} medium, ${counts.low} low.`,
        top: top === undefined ? null : { severity: top.severity, entity: entity(top), kinds: top.kinds.join(', '), explanation: top.explanation },
        // The next most serious, one line each, so the first screen names every high finding when there are few.
        next: data.findings
          .slice(1, 4)
          .filter((f) => f.severity !== 'low')
          .map((f) => ({ rank: f.rank, severity: f.severity, entity: entity(f), kinds: f.kinds.join(', ') })),
      },
      facts: {
        span: s === null ? '' : `${shortTime(String(s.first))} → ${shortTime(String(s.last))} (${formatDuration(s.last - s.first)})`,
        packets,
        flows: data.flows ?? data.conns.length,
        inputs: data.inputs.map((i) => ({
          path: i.path,
          sha256: i.sha256,
          size: `${formatBytes(i.size)} (${i.size} bytes)`,
          format: `${i.format}${i.gzip ? ' (gzip)' : ''}`,
          packets: i.packets,
          link_types: i.link_types.map((n) => `${linkTypeName(n)} (${n})`).join(', '),
          first: i.first_ts === null ? '' : shortTime(i.first_ts),
          last: i.last_ts === null ? '' : shortTime(i.last_ts),
          warnings: Object.entries(i.warnings).map(([k, w]) => ({ kind: k, count: w.count, message: w.message })),
          stopped: i.stopped === null ? '' : `at byte ${i.stopped.offset}: ${i.stopped.what}`,
          interrupted: !i.interrupted ? '' : data.memory_stop ? 'reading was stopped by the memory guard (below)' : 'reading was cut short by a signal',
          lost_bytes: i.lost_bytes,
        })),
        decode_issues: Object.entries(data.decode_issues ?? {}).map(([k, count]) => ({ kind: k, count })),
        memory_stop: data.memory_stop ?? '',
        memory_keep: data.memory_keep ?? '',
        intel: data.intel === undefined ? '' : `${data.intel.matched} of ${data.intel.indicators} indicators seen` +
          `${data.intel.matched === 0 ? '' : `, in ${data.intel.flows} flows (intel.csv)`}; ${data.intel.files} list${data.intel.files === 1 ? '' : 's'}, each with its sha256 in summary.json`,
        decrypted: data.decrypted === undefined ? '' : decryptedText(data.decrypted),
        extracted: data.extracted === undefined ? '' : extractedText(data.extracted),
        params: Object.entries(data.params).map(([k, v]) => ({ key: k, value: v === null || String(v) === '' ? '—' : String(v) })),
        baseline: data.baseline,
      },
      findings,
      findings_more: Math.max(0, data.findings.length - TABLE_FINDINGS),
      details,
      map,
      geo_off: data.geo === null || !data.geo.enabled,
      mix: { baseline: data.baseline !== null, rows: services.map((svc) => ({ service: svc, capture: ((share[svc] ?? 0) * 100).toFixed(1) })) },
      talkers: talkers.map((t) => ({ ip: t.ip, host: clip(hostNames.get(t.ip) ?? '', 40), bytes: formatBytes(t.bytes), flows: t.flows, ...geoText(lookup(t.ip)) })),
      hosts: (data.hosts ?? []).slice(0, MAX_HOSTS).map((h) => ({ ip: h.ip, names: clip(h.names.join(' / '), 80), mac: h.mac, software: clip(h.client_software, 40), first_seen: shortTime(h.first_seen) })),
      hosts_more: Math.max(0, (data.hosts ?? []).length - MAX_HOSTS),
      cleartext: cleartextView(data),
      files: filesView(data),
      dns: dnsSummary(data.dns),
      tls: tlsSummary(data.tls),
      http: httpSummary(data.http),
      attributions: data.geo?.attributions ?? [],
      has: { mix: charts.has('mix'), talkers: charts.has('talkers'), traffic: charts.has('traffic'), map: charts.has('map') },
    },
  };
}

function findingDetail(f: Finding, conns: readonly ConnRecord[], data: ReportData, charts: Map<string, TopLevelSpec>): Record<string, unknown> {
  const id = `f${f.rank}`;
  const out: Record<string, unknown> = {
    rank: f.rank,
    severity: f.severity,
    entity: entity(f),
    kinds: f.kinds.join(', '),
    explanation: f.explanation,
    flows: conns.length,
    evidence: f.evidence.slice(0, DETAIL_EVIDENCE).map((e) => ({ name: e.name, value: typeof e.value === 'number' ? String(Math.round(e.value * 1000) / 1000) : clip(e.value, 200), note: e.note ?? '' })),
    evidence_more: Math.max(0, f.evidence.length - DETAIL_EVIDENCE),
  };
  if (f.kinds.includes('beacon')) {
    const times = checkInTimes(conns);
    const gaps = intervals(times);
    if (gaps.length > 0) {
      const sorted = [...gaps].sort((a, b) => a - b);
      charts.set(`${id}-hist`, histogramSpec(gaps, 'Seconds between connections', 'interval (s)'));
      charts.set(`${id}-times`, timelineSpec(times.map((t) => ({ t: t * 1000, value: 1 })), 'Connection times', '', 'tick'));
      out['beacon'] = { checkins: times.length, median: formatDuration(sorted[Math.floor(sorted.length / 2)] ?? 0), hist: `${id}-hist`, times: `${id}-times` };
    }
  }
  if (f.kinds.includes('exfil')) {
    const pts = bytesOut(conns);
    const title = conns.length === 1 && pts.length > 1 ? 'Bytes sent by the source, per burst' : 'Bytes sent by the source, per flow';
    charts.set(`${id}-out`, timelineSpec(pts.map((p) => ({ t: p.t * 1000, value: p.bytes })), title, 'bytes', 'bar'));
    const sent = conns.reduce((n, c) => n + c.orig_bytes, 0);
    const received = conns.reduce((n, c) => n + c.resp_bytes, 0);
    out['exfil'] = { sent: formatBytes(sent), received: formatBytes(received), chart: `${id}-out` };
  }
  if (f.kinds.includes('dns_tunnel')) {
    const t = tunnelSample(data.dns, f.name, 12);
    out['tunnel'] = { ...t, sample: t.sample.map((x) => ({ name: clip(x.name, 120), entropy: x.entropy.toFixed(2) })) };
  }
  if (f.kinds.includes('scan')) {
    const sc = scanSummary(conns);
    out['scan'] = { hosts: sc.hosts, port_count: sc.ports.length, ports: sc.ports.slice(0, 60).join(', ') + (sc.ports.length > 60 ? ', …' : ''), states: sc.states };
  }
  const first = conns.map((c) => epochSeconds(c.ts)).filter(Number.isFinite);
  out['span'] = first.length === 0 ? '' : `${shortTime(f.first_seen)} → ${shortTime(f.last_seen)}`;
  return out;
}

/** Rows of the report's FTP transfer and login tables (ftp.csv and credentials.csv have every one). */
const MAX_CLEARTEXT_ROWS = 50;
const FTP_TRANSFERS = new Set(['RETR', 'STOR', 'APPE', 'STOU', 'DELE']);

/**
 * The cleartext section: FTP transfers (not the data-channel set-ups) with the bytes their data connection carried,
 * mail sent in the clear, and logins sent in the clear. Passwords never appear in the report, whatever --capture-passwords says: it is handed on.
 */
/**
 * Programs, archives and documents downloaded or uploaded over HTTP, FTP or mail (by their content, whatever they were
 * sent as), with the hash to look up and, with --extract-files, the file to hand to a sandbox: NetworkMiner's first
 * tab. Null when none.
 */
function filesView(data: ReportData): Record<string, unknown> | null {
  // Downloads and uploads (what left the network: request bodies, FTP uploads, mail attachments), in time order.
  const files = movedFiles(data);
  if (files.length === 0) return null;
  const rows = files.slice(0, MAX_CLEARTEXT_ROWS).map((f) => ({
    time: shortTime(f.ts), client: f.client, server: `${f.host !== '' ? `${clip(f.host, 60)} ` : ''}${f.server}:${f.server_port}`,
    protocol: f.protocol, way: f.upload ? `upload (${f.verb})` : f.protocol === 'HTTP' ? 'download' : `download (${f.verb})`, upload: f.upload,
    what: clip(f.what, 120),
    // Only a response's Content-Type is kept (http.csv resp_mime): an upload's declared type is not.
    declared: clip(f.declared, 60), content: f.mime,
    disguised: f.declared !== '' && f.declared.toLowerCase() !== f.mime,
    bytes: f.bytes === null ? '' : formatBytes(f.bytes),
    sha256: f.sha256 === '' ? 'not seen whole' : f.sha256, extracted: data.extracted !== undefined && f.sha256 !== '',
  }));
  return { rows, more: Math.max(0, files.length - MAX_CLEARTEXT_ROWS), extracting: data.extracted !== undefined };
}

function cleartextView(data: ReportData): Record<string, unknown> | null {
  const ftp = (data.ftp ?? []).filter((r) => FTP_TRANSFERS.has(r.command));
  const creds = data.credentials ?? [];
  const mails = data.smtp ?? [];
  if (ftp.length === 0 && creds.length === 0 && mails.length === 0) return null;
  const byUid = new Map(data.conns.map((c) => [c.uid, c]));
  const transfers = ftp.slice(0, MAX_CLEARTEXT_ROWS).map((r) => {
    const d = byUid.get(r.data_uid);
    const bytes = d === undefined ? null : transferBytes(r, d);
    return {
      time: shortTime(r.ts), client: r.orig_h, server: `${r.resp_h}:${r.resp_p}`, user: clip(r.user, 40), command: r.command,
      upload: FTP_UPLOADS.has(r.command), file: clip(r.arg, 120),
      bytes: bytes === null ? (r.file_size === null ? '' : formatBytes(r.file_size)) : formatBytes(bytes),
      reply: r.reply_code === null ? '' : String(r.reply_code),
    };
  });
  const logins = creds.slice(0, MAX_CLEARTEXT_ROWS).map((c) => ({
    time: shortTime(c.ts), protocol: c.protocol, client: c.orig_h, server: `${c.host !== '' ? `${clip(c.host, 60)} ` : ''}${c.resp_h}:${c.resp_p}`,
    user: clip(c.username, 60), outcome: c.outcome === '' ? 'no answer seen' : c.outcome,
  }));
  const messages = mails.slice(0, MAX_CLEARTEXT_ROWS).map((m) => ({
    time: shortTime(m.ts), client: m.orig_h, server: `${m.resp_h}:${m.resp_p}`, from: clip(m.mailfrom, 60),
    to: clip(m.rcptto.join(', '), 80), subject: clip(m.subject, 80), attachments: clip(m.attachments.map((a) => (a === '' ? '(unnamed)' : a)).join(', '), 80), bytes: formatBytes(m.body_bytes),
  }));
  return {
    messages, messages_more: Math.max(0, mails.length - MAX_CLEARTEXT_ROWS),
    transfers, transfers_more: Math.max(0, ftp.length - MAX_CLEARTEXT_ROWS),
    logins, logins_more: Math.max(0, creds.length - MAX_CLEARTEXT_ROWS),
  };
}
