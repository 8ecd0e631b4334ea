/**
 * `nad simulate`: a deterministic synthetic capture of a small office, with optional injected attacker behaviour and a
 * ground truth that names every injected entity. Same options → byte-identical pcap and JSON.
 */
import { createHash } from 'node:crypto';
import { writeFileAtomic } from '../export/atomic.js';
import { scheduleBaseline } from './baseline.js';
import { ipToString, macToString } from './frames.js';
import { injectBeacon, BEACON_HTTP, BEACON_HTTPS, type BeaconParams } from './inject/beacon.js';
import { injectDnsTunnel, DNS_TUNNEL, type TunnelParams } from './inject/dns_tunnel.js';
import { injectDrip, injectUpload, EXFIL_DRIP, EXFIL_UPLOAD, type DripParams, type UploadParams } from './inject/exfil.js';
import { injectFtpExfil, EXFIL_FTP, type FtpExfilParams } from './inject/ftp.js';
import { injectNovelty, NEW_ASN, NEW_COUNTRY, NEW_PORT, type NoveltyParams } from './inject/novelty.js';
import { injectScan, SCAN_HORIZONTAL, SCAN_VERTICAL, type ScanParams } from './inject/scan.js';
import type { InjectContext } from './inject/context.js';
import { buildOffice, type Host, type Office } from './office.js';
import { CaptureLog } from './pcap.js';
import { Rng } from './rng.js';
import { isoUs, type GroundTruth, type TruthEntity } from './truth.js';
import { World } from './world.js';

/** Single behaviours; `--inject` also accepts the groups `exfil`, `scan` and `all`. */
export const INJECTIONS = [
  'beacon', 'beacon-http', 'exfil-upload', 'exfil-drip', 'exfil-ftp', 'dns-tunnel', 'scan-vertical', 'scan-horizontal', 'new-country', 'new-asn', 'new-port',
] as const;
export type Injection = (typeof INJECTIONS)[number];

const GROUPS: Readonly<Record<string, readonly Injection[]>> = {
  all: INJECTIONS, exfil: ['exfil-upload', 'exfil-drip', 'exfil-ftp'], scan: ['scan-vertical', 'scan-horizontal'],
};

export interface SimulateOptions {
  readonly seed: number;
  /** Capture start, ISO 8601 (e.g. 2026-03-02T08:00:00Z). */
  readonly start: string;
  readonly hours: number;
  /** Workstations in the office (the NAS, printer and gateway come on top). */
  readonly hosts: number;
  /** Behaviours to inject: names from INJECTIONS or the groups exfil, scan, all (a comma list is split too). */
  readonly inject: readonly string[];
  /** Library only: overrides of an injection's knobs, e.g. `{ beacon: { interval_s: 60, jitter: 0.1 } }`. */
  readonly params?: InjectParams;
}

/** The knobs of each injection (defaults: BEACON_HTTPS, EXFIL_UPLOAD … in src/simulate/inject/). */
export interface InjectParams {
  readonly 'beacon'?: Partial<BeaconParams>;
  readonly 'beacon-http'?: Partial<BeaconParams>;
  readonly 'exfil-upload'?: Partial<UploadParams>;
  readonly 'exfil-drip'?: Partial<DripParams>;
  readonly 'exfil-ftp'?: Partial<FtpExfilParams>;
  readonly 'dns-tunnel'?: Partial<TunnelParams>;
  readonly 'scan-vertical'?: Partial<ScanParams>;
  readonly 'scan-horizontal'?: Partial<ScanParams>;
  readonly 'new-country'?: Partial<NoveltyParams>;
  readonly 'new-asn'?: Partial<NoveltyParams>;
  readonly 'new-port'?: Partial<NoveltyParams>;
}

export const DEFAULTS: SimulateOptions = { seed: 1, start: '2026-03-02T08:00:00Z', hours: 4, hosts: 12, inject: [] };

/** Parses a comma-separated `--inject` list into single behaviours, in canonical order. Throws on unknown names. */
export function parseInjectList(list: string): Injection[] {
  const wanted = new Set<Injection>();
  for (const raw of list.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0)) {
    const group = GROUPS[raw];
    if (group !== undefined) group.forEach((g) => wanted.add(g));
    else if ((INJECTIONS as readonly string[]).includes(raw)) wanted.add(raw as Injection);
    else throw new Error(`unknown injection "${raw}" (expected ${[...INJECTIONS, ...Object.keys(GROUPS)].join(', ')})`);
  }
  return INJECTIONS.filter((i) => wanted.has(i));
}

function parseStart(start: string): number {
  const ms = Date.parse(start);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(start) || Number.isNaN(ms)) throw new Error(`start is not an ISO 8601 time: ${start}`);
  return ms * 1000;
}

/**
 * Who does what. One Windows desktop carries the implant and does the follow-up (scans, the big upload); other
 * machines do one thing each, so each entity has its own source where the office is big enough.
 */
function victims(office: Office): Readonly<Record<Injection, Host>> {
  const ws = office.workstations;
  const windows = ws.filter((h) => h.os === 'windows');
  const main = windows[2] ?? windows[0] ?? ws[0]!;
  const others = ws.filter((h) => h !== main);
  const at = (i: number): Host => others[i % Math.max(1, others.length)] ?? main;
  const linux = ws.find((h) => h.os === 'linux') ?? at(5);
  const country = at(3) === linux ? at(7) : at(3);
  const ftp = at(2) === linux ? at(8) : at(2);
  return {
    'beacon': main, 'scan-vertical': main, 'scan-horizontal': main, 'exfil-upload': main,
    'beacon-http': at(0), 'exfil-drip': at(1), 'exfil-ftp': ftp, 'dns-tunnel': at(6), 'new-country': country, 'new-asn': at(4), 'new-port': linux,
  };
}

function inject(ctx: InjectContext, which: Injection, nasIp: string, p: InjectParams): () => TruthEntity | null {
  switch (which) {
    case 'beacon': return injectBeacon(ctx, { ...BEACON_HTTPS, ...p.beacon }, 'beacon-https');
    case 'beacon-http': return injectBeacon(ctx, { ...BEACON_HTTP, ...p['beacon-http'] }, 'beacon-http');
    case 'exfil-upload': return injectUpload(ctx, { ...EXFIL_UPLOAD, ...p['exfil-upload'] }, 'exfil-upload');
    case 'exfil-drip': return injectDrip(ctx, { ...EXFIL_DRIP, ...p['exfil-drip'] }, 'exfil-drip');
    case 'exfil-ftp': return injectFtpExfil(ctx, { ...EXFIL_FTP, ...p['exfil-ftp'] }, 'exfil-ftp');
    case 'dns-tunnel': return injectDnsTunnel(ctx, { ...DNS_TUNNEL, ...p['dns-tunnel'] }, 'dns-tunnel');
    case 'scan-vertical': return injectScan(ctx, { ...SCAN_VERTICAL(nasIp), ...p['scan-vertical'] }, 'scan-vertical');
    case 'scan-horizontal': return injectScan(ctx, { ...SCAN_HORIZONTAL, ...p['scan-horizontal'] }, 'scan-horizontal');
    case 'new-country': return injectNovelty(ctx, { ...NEW_COUNTRY, ...p['new-country'] }, 'new-country');
    case 'new-asn': return injectNovelty(ctx, { ...NEW_ASN, ...p['new-asn'] }, 'new-asn');
    case 'new-port': return injectNovelty(ctx, { ...NEW_PORT, ...p['new-port'] }, 'new-port');
  }
}

/** Countries of the baseline's external addresses in DB-IP country Lite (checked by test/simulate/geo.test.ts). */
const BASELINE_COUNTRIES = ['AU', 'CA', 'DE', 'GB', 'IE', 'NL', 'US'] as const;

export interface Simulation {
  readonly pcap: Buffer;
  readonly truth: GroundTruth;
}

export function simulate(opts: SimulateOptions): Simulation {
  if (!Number.isInteger(opts.seed) || opts.seed < 0 || opts.seed > 0xffffffff) throw new Error(`seed must be an integer 0..4294967295, got ${opts.seed}`);
  if (!(opts.hours > 0 && opts.hours <= 168)) throw new Error(`hours must be in (0, 168], got ${opts.hours}`);
  const injections = parseInjectList(opts.inject.join(','));
  const start = parseStart(opts.start);
  const end = start + Math.round(opts.hours * 3600e6);
  const office = buildOffice(opts.hosts);
  const log = new CaptureLog(start, end);
  const world = new World(office, log);
  const rng = new Rng(opts.seed);
  scheduleBaseline(world, rng.fork('baseline'), start, end);
  const who = victims(office);
  const finishers = injections.map((which) =>
    inject({ world, rng: rng.fork(`inject/${which}`), host: who[which], start_us: start, end_us: end }, which, ipToString(office.nas.ip), opts.params ?? {}));
  world.runAll();
  const ipRng = rng.fork('ipid');
  const pcap = log.toPcap(() => ipRng.int(0, 0xffff));
  const entities = finishers.map((f) => f()).filter((e): e is TruthEntity => e !== null);
  const truth: GroundTruth = {
    format: 'nad-simulate-truth/1',
    options: { seed: opts.seed, start: opts.start, hours: opts.hours, hosts: opts.hosts, inject: injections },
    capture: {
      first_ts: isoUs(firstTs(pcap)), last_ts: isoUs(lastTs(pcap)), packets: log.size, file_bytes: pcap.length,
      sha256: createHash('sha256').update(pcap).digest('hex'),
    },
    office: {
      subnet: office.subnet, gateway_ip: ipToString(office.gateway.ip), gateway_mac: macToString(office.gateway.mac),
      resolver_ip: ipToString(office.gateway.ip), nas_ip: ipToString(office.nas.ip), printer_ip: ipToString(office.printer.ip),
      hosts: office.hosts.map((h) => ({ name: h.name, ip: ipToString(h.ip), mac: macToString(h.mac), os: h.os, browser: h.workstation ? h.browser : 'none' })),
    },
    baseline_countries: BASELINE_COUNTRIES,
    entities,
  };
  return { pcap, truth };
}

function recordTs(pcap: Buffer, off: number): number {
  return pcap.readUInt32LE(off) * 1e6 + pcap.readUInt32LE(off + 4);
}

function firstTs(pcap: Buffer): number {
  return pcap.length > 24 ? recordTs(pcap, 24) : 0;
}

function lastTs(pcap: Buffer): number {
  let off = 24;
  let last = 0;
  while (off + 16 <= pcap.length) {
    last = recordTs(pcap, off);
    off += 16 + pcap.readUInt32LE(off + 8);
  }
  return last;
}

/** `out.pcap` → `out.truth.json`; any other name gets `.truth.json` appended (the CLI's rule). */
export function truthPathFor(pcapPath: string): string {
  return pcapPath.replace(/(\.pcap)?$/, '.truth.json');
}

/** Writes the capture and its ground truth beside it, each through a temp file and rename. */
export interface Written {
  readonly pcapPath: string;
  readonly truthPath: string;
  readonly packets: number;
  readonly truth: GroundTruth;
}

export function writeSimulation(opts: SimulateOptions, pcapPath: string): Written {
  const { pcap, truth } = simulate(opts);
  const truthPath = truthPathFor(pcapPath);
  writeFileAtomic(pcapPath, pcap);
  writeFileAtomic(truthPath, `${JSON.stringify(truth, null, 2)}\n`);
  return { pcapPath, truthPath, packets: truth.capture.packets, truth };
}
