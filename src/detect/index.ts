/**
 * Public API of the detection stage (features → detectors → findings).
 *
 *   detect({ conns, app, baseline, arp, dhcp, options }) → { findings, suppressed, stats }
 *     conns:    every ConnRecord of the analysis (after the flow table flushed);
 *     app:      uid → FlowApp (DNS/TLS/HTTP/SSH records of that flow; missing uids mean no records);
 *     arp:      optional ARP who-has tallies: createArpTally() from src/features/arp.ts, fed every decoded packet
 *               in the capture sink (`decodePacket(p); arp.packet(p)`), then `arp.sweeps()`;
 *     dhcp:     optional DHCP messages (CaptureData.dhcp, app/dhcp/tally.ts), for the rogue-server check;
 *     baseline: a BaselineModel (learnBaseline / loadBaseline) or null;
 *     options:  { threshold (-a, 0..1, default 0.6), allow (AllowList from loadAllowList, --allow), detectors (extra
 *                 custom Detector objects, --detector), intel (IntelList from loadIntel, --intel), geo (ip →
 *                 { country, asn } | null), first_ts/last_ts (capture span, epoch s; default: from the conns) }.
 *     findings are ranked (rank 1 first) and byte-identical for identical input.
 *   learnBaseline({ conns, app }, { inputs: [{ path, sha256 }], trees, psi, seed, geo }) → BaselineModel
 *   loadBaseline(path) → BaselineModel   (throws Error with a one-line message, e.g. another schema version → exit 2)
 *   saveBaseline(path, model)            (temp file + rename; serializeBaseline(model) gives the canonical text)
 *   loadDetectorModule(path) → Detector  (default export: a Detector, or a function returning one)
 *   loadAllowList(path) → AllowList      (YAML or JSON; throws Error with a one-line message)
 *   loadIntel(paths) → IntelList         (Zeek Intel framework files or plain lists; throws as loadAllowList)
 */
import type { ConnRecord } from '../flow/conn.js';
import type { CredentialRecord, DhcpRecord, FlowApp, FtpRecord, SmtpRecord } from '../app/records.js';
import type { Finding, Severity } from '../findings/finding.js';
import { mergeFindings } from '../findings/merge.js';
import { applyAllowList, type AllowList, type Suppressed } from '../findings/suppress.js';
import { NameIndex } from '../features/names.js';
import type { ArpSweep } from '../features/arp.js';
import { createAnomalyDetector, DEFAULT_THRESHOLD } from './anomaly.js';
import type { BaselineModel } from './baseline.js';
import { createBeaconDetector } from './beacon.js';
import { createContext, createDetectors, detectorIds, registerDetector, runDetectors, spanOf, type Detector, type GeoLookup } from './detector.js';
import { createCleartextDetector } from './cleartext.js';
import { createDhcpDetector } from './dhcp.js';
import { createDnsTunnelDetector } from './dns_tunnel.js';
import { createExfilDetector } from './exfil.js';
import { createHttpDetector } from './http.js';
import { createIntelDetector, type IntelMatch } from './intel.js';
import type { IntelList } from './intel_list.js';
import { createNoveltyDetector } from './novelty.js';
import { createScanDetector } from './scan.js';
import { createTlsDetector } from './tls.js';

export { learnBaseline, loadBaseline, saveBaseline, serializeBaseline, parseBaseline, BASELINE_VERSION, type BaselineModel } from './baseline.js';
export { createContext, loadDetectorModule, type Detector, type DetectContext, type RawFinding, type GeoLookup, type GeoInfo } from './detector.js';
export { loadAllowList, parseAllowList, type AllowList, type Suppressed } from '../findings/suppress.js';
export { DEFAULT_THRESHOLD } from './anomaly.js';
export { loadIntel, parseIntel, type IntelList, type IntelFileFacts } from './intel_list.js';
export type { IntelMatch } from './intel.js';
export { createArpTally, type ArpSweep, type ArpTally } from '../features/arp.js';
export { SEVERITY_CUTS } from '../findings/severity.js';

const BUILT_INS: readonly [string, () => Detector][] = [
  ['anomaly', createAnomalyDetector], ['beacon', createBeaconDetector], ['cleartext', createCleartextDetector], ['dhcp', createDhcpDetector], ['dns_tunnel', createDnsTunnelDetector],
  ['exfil', createExfilDetector], ['http', createHttpDetector], ['novelty', createNoveltyDetector],
  ['scan', createScanDetector], ['tls', createTlsDetector],
];
for (const [id, f] of BUILT_INS) if (!detectorIds().includes(id)) registerDetector(id, f);

export interface DetectOptions {
  threshold?: number;
  allow?: AllowList | null;
  detectors?: readonly Detector[];
  /** Threat-intel indicators (loadIntel, --intel): matched by the intel detector. */
  intel?: IntelList | null;
  geo?: GeoLookup | null;
  first_ts?: number;
  last_ts?: number;
}

export interface DetectInput {
  conns: readonly ConnRecord[];
  app: ReadonlyMap<string, FlowApp>;
  baseline: BaselineModel | null;
  /** ARP requests per sender (features/arp.ts createArpTally().sweeps()); omit when not collected. */
  arp?: readonly ArpSweep[];
  /** DHCP messages (CaptureData.dhcp); omit when not collected. */
  dhcp?: readonly DhcpRecord[];
  /** FTP commands and cleartext credentials (CaptureData.ftp, .credentials); omit when not collected. */
  ftp?: readonly FtpRecord[];
  smtp?: readonly SmtpRecord[];
  credentials?: readonly CredentialRecord[];
  options?: DetectOptions;
}

export interface DetectStats {
  conns: number;
  conns_analysed: number;
  /** Raw hits per detector id, before merging. */
  hits_by_detector: Record<string, number>;
  findings_by_severity: Record<Severity, number>;
  /** Each detector's own counts (Detector.stats), by detector id; e.g. anomaly's flows known in the baseline. */
  by_detector: Record<string, Record<string, number>>;
}

export interface DetectResult {
  findings: Finding[];
  suppressed: Suppressed;
  stats: DetectStats;
  /** Every indicator seen in a flow (intel.csv), when an intel list was given; else empty. */
  intel: IntelMatch[];
}

const NO_APP: FlowApp = { dns: [], tls: [], http: [], ssh: [] };

/** The span of all connections (suppressed ones included: the capture's time did pass), unless given. */
function captureSpan(conns: readonly ConnRecord[], opts: DetectOptions): { first_ts: number; last_ts: number } {
  const { first_ts, last_ts } = opts;
  if (first_ts !== undefined && last_ts !== undefined) return { first_ts, last_ts };
  const span = spanOf(conns);
  return { first_ts: first_ts ?? span.first_ts, last_ts: last_ts ?? span.last_ts };
}

export function detect(input: DetectInput): DetectResult {
  const opts = input.options ?? {};
  const threshold = opts.threshold ?? DEFAULT_THRESHOLD;
  if (!(threshold >= 0 && threshold <= 1)) throw new Error(`anomaly threshold ${threshold} is outside 0..1`);
  const flows = input.conns.map((conn) => ({ conn, app: input.app.get(conn.uid) ?? NO_APP }));
  const names = new NameIndex();
  for (const f of flows) names.add(f.conn, f.app);
  names.seal();
  const { kept, suppressed } = applyAllowList(flows, opts.allow ?? null, (c) => names.nameOf(c));
  const ctx = createContext({
    conns: kept.map((f) => f.conn), names, baseline: input.baseline, threshold, geo: opts.geo ?? null, arp: input.arp ?? [], dhcp: input.dhcp ?? [],
    ftp: input.ftp ?? [], smtp: input.smtp ?? [], credentials: input.credentials ?? [],
    ...captureSpan(input.conns, opts),
  });
  const intel = opts.intel === undefined || opts.intel === null ? null : createIntelDetector(opts.intel);
  const detectors = createDetectors([...(intel === null ? [] : [intel]), ...(opts.detectors ?? [])]);
  const hits = runDetectors(kept, ctx, detectors);
  const counts: Record<string, Record<string, number>> = {};
  // A custom detector's module may carry anything under `stats`: only a function is asked.
  for (const d of detectors) if (typeof d.stats === 'function') counts[d.id] = d.stats();
  const findings = mergeFindings(hits);
  const hitsBy: Record<string, number> = {};
  for (const h of hits) hitsBy[h.detector] = (hitsBy[h.detector] ?? 0) + 1;
  const bySev: Record<Severity, number> = { high: 0, medium: 0, low: 0 };
  for (const f of findings) bySev[f.severity]++;
  return {
    findings, suppressed, intel: intel === null ? [] : intel.matches(),
    stats: {
      conns: input.conns.length, conns_analysed: kept.length,
      hits_by_detector: Object.fromEntries(Object.keys(hitsBy).sort().map((k) => [k, hitsBy[k]!])), findings_by_severity: bySev,
      by_detector: counts,
    },
  };
}
