/**
 * The detector interface, the built-in registry and the runner. A detector sees every finished connection with its
 * application records (`observe`), then reports raw hits once (`finish`). Hits are merged into findings by src/findings.
 *
 * A custom detector is an ES module whose default export is a Detector object, or a function returning one
 * (called once per analysis); load it with `loadDetectorModule(path)` (`--detector PATH`).
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { ConnRecord } from '../flow/conn.js';
import type { CredentialRecord, DhcpRecord, FlowApp, FtpRecord, SmtpRecord } from '../app/records.js';
import type { Evidence } from '../findings/finding.js';
import type { NameIndex } from '../features/names.js';
import type { ArpSweep } from '../features/arp.js';
import { groupPairs, type PairSeries } from '../features/pairs.js';
import type { BaselineModel } from './baseline.js';

/** Country/ASN of an address, supplied by the geo stage when it is on. */
export interface GeoInfo { country: string; asn: string }
export type GeoLookup = (ip: string) => GeoInfo | null;

export interface DetectContext {
  /** The trusted model, or null when analysing with no baseline. */
  readonly baseline: BaselineModel | null;
  /** Destination names (SNI, Host, DNS answers) for every connection of the analysis. */
  readonly names: NameIndex;
  /** First and last packet time of the analysed input (epoch seconds). */
  readonly first_ts: number;
  readonly last_ts: number;
  /** Isolation-forest cut, 0..1 (`-a/--threshold`). */
  readonly threshold: number;
  readonly geo: GeoLookup | null;
  /** ARP requests per sender (from the capture sink's ArpTally); empty when not collected. */
  readonly arp: readonly ArpSweep[];
  /** DHCP messages of the capture (app/dhcp, in time order); empty when not collected. */
  readonly dhcp: readonly DhcpRecord[];
  /** FTP commands (ftp.csv), SMTP messages (smtp.csv) and credentials sent in the clear (credentials.csv), in time order;
   *  empty when not collected. */
  readonly ftp: readonly FtpRecord[];
  readonly smtp: readonly SmtpRecord[];
  readonly credentials: readonly CredentialRecord[];
  /** Every analysed connection grouped per (source, destination address) and per (source, destination name), sorted
   *  by key; computed on first use and shared by the detectors that need it. */
  readonly pairs: PairIndex;
}

export interface PairIndex { readonly byIp: readonly PairSeries[]; readonly byName: readonly PairSeries[] }

export interface ContextInput {
  conns: readonly ConnRecord[];
  names: NameIndex;
  baseline?: BaselineModel | null;
  threshold?: number;
  geo?: GeoLookup | null;
  arp?: readonly ArpSweep[];
  dhcp?: readonly DhcpRecord[];
  ftp?: readonly FtpRecord[];
  smtp?: readonly SmtpRecord[];
  credentials?: readonly CredentialRecord[];
  first_ts?: number;
  last_ts?: number;
}

/** First start and last end over the connections (epoch seconds), 0 and 0 without any. */
export function spanOf(conns: readonly ConnRecord[]): { first_ts: number; last_ts: number } {
  let first = Infinity;
  let last = -Infinity;
  for (const c of conns) { first = Math.min(first, Number(c.ts)); last = Math.max(last, Number(c.last_ts)); }
  return { first_ts: Number.isFinite(first) ? first : 0, last_ts: Number.isFinite(last) ? last : 0 };
}

/** Builds a context (span from the connections unless given; pairs grouped lazily). */
export function createContext(i: ContextInput): DetectContext {
  // The detect() pipeline passes the span; only callers that do not pay for a pass over the connections.
  const span = i.first_ts !== undefined && i.last_ts !== undefined ? { first_ts: i.first_ts, last_ts: i.last_ts } : spanOf(i.conns);
  let pairs: PairIndex | null = null;
  return {
    baseline: i.baseline ?? null, names: i.names, threshold: i.threshold ?? 0.6, geo: i.geo ?? null, arp: i.arp ?? [], dhcp: i.dhcp ?? [],
    ftp: i.ftp ?? [], smtp: i.smtp ?? [], credentials: i.credentials ?? [],
    first_ts: i.first_ts ?? span.first_ts, last_ts: i.last_ts ?? span.last_ts,
    get pairs(): PairIndex {
      pairs ??= groupPairs(i.conns, (c) => i.names.nameOf(c));
      return pairs;
    },
  };
}

/** One detector's hit on one entity, before merging. */
export interface RawFinding {
  /** Detector id that produced it. */
  detector: string;
  /** Kind of behaviour: beacon, exfil, dns_tunnel, scan, novelty, anomaly, download, tls, intel, … */
  kind: string;
  src: string;
  /** Destination address, '' when the entity is a name or a set of hosts. */
  dst: string;
  dst_port: number | null;
  proto: string;
  /** Destination name or registered domain, '' when none. */
  name: string;
  /** Strength of the hit, 0..1, calibrated so that 0.5 means "worth an analyst's look" and 0.75 "act on it". */
  score: number;
  /** Connections behind the hit. */
  conns: readonly ConnRecord[];
  evidence: Evidence[];
  /** One plain sentence saying why. */
  reason: string;
  /** Time span (`sec.nnnnnnnnn`) when the hit has no connections behind it (ARP sweeps). */
  span?: { first: string; last: string };
}

export interface Detector {
  readonly id: string;
  observe(conn: ConnRecord, app: FlowApp): void;
  finish(ctx: DetectContext): RawFinding[];
  /** Counts the detector wants in summary.json's detection stats (what it looked at and left out), after finish. */
  stats?(): Record<string, number>;
}

export type DetectorFactory = () => Detector;

const REGISTRY = new Map<string, DetectorFactory>();

/** Adds a built-in detector; ids are unique. */
export function registerDetector(id: string, factory: DetectorFactory): void {
  if (REGISTRY.has(id)) throw new Error(`detector ${id} is registered twice`);
  REGISTRY.set(id, factory);
}

/** Ids of the registered detectors, sorted. */
export function detectorIds(): string[] {
  return [...REGISTRY.keys()].sort();
}

/** One fresh instance of every registered detector (sorted by id), plus the extra ones. */
export function createDetectors(extra: readonly Detector[] = []): Detector[] {
  return [...detectorIds().map((id) => REGISTRY.get(id)!()), ...extra];
}

export interface FlowInput { conn: ConnRecord; app: FlowApp }

/** Feeds every flow to every detector, then collects their hits (detector order, then the detector's own order). */
export function runDetectors(flows: Iterable<FlowInput>, ctx: DetectContext, detectors: readonly Detector[]): RawFinding[] {
  for (const { conn, app } of flows) for (const d of detectors) d.observe(conn, app);
  return detectors.flatMap((d) => d.finish(ctx));
}

function isDetector(v: unknown): v is Detector {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o['id'] === 'string' && typeof o['observe'] === 'function' && typeof o['finish'] === 'function';
}

/** Loads a custom detector module; throws an Error with a one-line message when it does not fit the interface. */
export async function loadDetectorModule(path: string): Promise<Detector> {
  const mod = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown };
  const exp = mod.default;
  const candidate = typeof exp === 'function' ? (exp as () => unknown)() : exp;
  if (!isDetector(candidate)) {
    throw new Error(`${path}: default export is not a detector (needs id: string, observe(conn, app), finish(ctx))`);
  }
  return candidate;
}
