/**
 * The baseline model: what normal looked like in a trusted capture. Versioned JSON with the feature schema, the inputs'
 * sha256, the parameters, two isolation forests (flows, pairs) with the training rows each scores as outliers, and
 * profiles per internal host and per service.
 * Sets are stored as sorted arrays and counts as sorted objects, so the same inputs give a byte-identical file.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../export/atomic.js';
import type { ConnRecord } from '../flow/conn.js';
import type { FlowApp } from '../app/records.js';
import { isInternal } from '../features/address.js';
import { FLOW_FEATURES, flowVector, portKey, tsOf } from '../features/conn.js';
import { NameIndex } from '../features/names.js';
import { groupPairs, PAIR_FEATURES, pairVector, summarizePair } from '../features/pairs.js';
import { registeredDomain } from './domain.js';
import type { GeoLookup } from './detector.js';
import { IsolationForest, type ForestJson } from './iforest.js';
import { knownRows } from './known.js';

export const BASELINE_SCHEMA = 'nad-baseline';
/** 2: `known` (the training rows each forest itself scores as outliers, see known.ts). */
export const BASELINE_VERSION = 2;

/** Counts keyed by value (port key, JA3, domain…). */
export type Counts = Record<string, number>;

export interface HostProfile {
  conns: number;
  /** Payload bytes the host sent / received as originator. */
  orig_bytes: number;
  resp_bytes: number;
  /** `tcp/443`-style responder ports the host used. */
  ports: Counts;
  services: Counts;
  protocols: Counts;
  /** Registered domains the host resolved or named (SNI/Host). */
  domains: Counts;
  ja3: Counts;
  ja4: Counts;
  user_agents: Counts;
  countries: Counts;
  asns: Counts;
  /** Payload bytes sent, by UTC hour of day (24 entries). */
  bytes_out_by_hour: number[];
  /** Connections started, by UTC hour of day. */
  conns_by_hour: number[];
  /** Largest payload total the host sent to one destination. */
  max_pair_orig_bytes: number;
}

export interface ServiceProfile { conns: number; ports: Counts }

export interface BaselineModel {
  schema: typeof BASELINE_SCHEMA;
  schema_version: typeof BASELINE_VERSION;
  /** Inputs the model was learned from, with their sha256 (hex). */
  inputs: { path: string; sha256: string }[];
  parameters: { trees: number; psi: number; seed: number };
  feature_schema: { flow: string[]; pair: string[] };
  /** Time covered by the training data (epoch seconds) and its length in hours. */
  first_ts: number;
  last_ts: number;
  hours: number;
  conns: number;
  forest: { flow: ForestJson | null; pair: ForestJson | null };
  /** Training rows (flow and pair vectors) that their own forest scores as outliers: rare, but in the baseline. */
  known: { flow: number[][]; pair: number[][] };
  hosts: Record<string, HostProfile>;
  services: Record<string, ServiceProfile>;
  /** Whole-network counts, for "seen anywhere" checks. */
  global: { ja3: Counts; ja4: Counts; user_agents: Counts; domains: Counts; ports: Counts; countries: Counts; asns: Counts };
}

export interface LearnOptions {
  inputs?: { path: string; sha256: string }[];
  trees?: number;
  psi?: number;
  seed?: number;
  geo?: GeoLookup | null;
}

function bump(c: Counts, key: string, by = 1): void {
  if (key === '') return;
  c[key] = (c[key] ?? 0) + by;
}

function emptyHost(): HostProfile {
  return {
    conns: 0, orig_bytes: 0, resp_bytes: 0, ports: {}, services: {}, protocols: {}, domains: {}, ja3: {}, ja4: {},
    user_agents: {}, countries: {}, asns: {}, bytes_out_by_hour: new Array<number>(24).fill(0),
    conns_by_hour: new Array<number>(24).fill(0), max_pair_orig_bytes: 0,
  };
}

/** Sorts object keys recursively so JSON output is canonical. */
function canonical<T>(v: T): T {
  if (Array.isArray(v)) return v.map(canonical) as T;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, canonical(o[k])])) as T;
  }
  return v;
}

export interface LearnInput { conns: readonly ConnRecord[]; app: ReadonlyMap<string, FlowApp> }

const NO_APP: FlowApp = { dns: [], tls: [], http: [], ssh: [] };

/** Learns a baseline from a trusted analysis (connections plus their application records). */
export function learnBaseline(input: LearnInput, opts: LearnOptions = {}): BaselineModel {
  const names = new NameIndex();
  for (const c of input.conns) names.add(c, input.app.get(c.uid) ?? NO_APP);
  names.seal();
  const hosts: Record<string, HostProfile> = {};
  const services: Record<string, ServiceProfile> = {};
  const global = { ja3: {}, ja4: {}, user_agents: {}, domains: {}, ports: {}, countries: {}, asns: {} } as BaselineModel['global'];
  let first = Infinity;
  let last = -Infinity;
  for (const c of input.conns) {
    const app = input.app.get(c.uid) ?? NO_APP;
    const t = tsOf(c);
    first = Math.min(first, t);
    last = Math.max(last, Number(c.last_ts));
    const src = c.orig_h;
    const h = (hosts[src] ??= emptyHost());
    const hour = new Date(t * 1000).getUTCHours();
    h.conns++; h.orig_bytes += c.orig_bytes; h.resp_bytes += c.resp_bytes;
    h.bytes_out_by_hour[hour]! += c.orig_bytes; h.conns_by_hour[hour]!++;
    bump(h.ports, portKey(c)); bump(global.ports, portKey(c)); bump(h.protocols, c.proto); bump(h.services, c.service);
    const dom = registeredDomain(names.nameOf(c));
    bump(h.domains, dom); bump(global.domains, dom);
    for (const d of app.dns) { const q = registeredDomain(d.query); bump(h.domains, q); bump(global.domains, q); }
    for (const tl of app.tls) { bump(h.ja3, tl.ja3); bump(h.ja4, tl.ja4); bump(global.ja3, tl.ja3); bump(global.ja4, tl.ja4); }
    for (const ht of app.http) { bump(h.user_agents, ht.user_agent); bump(global.user_agents, ht.user_agent); }
    const g = opts.geo?.(c.resp_h) ?? null;
    if (g !== null && !isInternal(c.resp_h)) {
      bump(h.countries, g.country); bump(h.asns, g.asn); bump(global.countries, g.country); bump(global.asns, g.asn);
    }
    if (c.service !== '') {
      const s = (services[c.service] ??= { conns: 0, ports: {} });
      s.conns++; bump(s.ports, String(c.resp_p));
    }
  }
  const pairs = groupPairs(input.conns, (c) => names.nameOf(c)).byIp;
  for (const p of pairs) {
    const s = summarizePair(p.conns);
    const h = hosts[p.src];
    if (h !== undefined) h.max_pair_orig_bytes = Math.max(h.max_pair_orig_bytes, s.orig_bytes);
  }
  const trees = opts.trees ?? 100;
  const psi = opts.psi ?? 256;
  const seed = opts.seed ?? 1;
  const flowRows = input.conns.map(flowVector);
  const pairRows = pairs.map((p) => pairVector(summarizePair(p.conns)));
  // A forest needs some rows to say anything; below 8 it would isolate everything at once.
  const fit = (rows: number[][]): IsolationForest | null => (rows.length < 8 ? null : IsolationForest.fit(rows, { trees, psi, seed }));
  const flowForest = fit(flowRows);
  const pairForest = fit(pairRows);
  return canonical({
    schema: BASELINE_SCHEMA, schema_version: BASELINE_VERSION, inputs: opts.inputs ?? [], parameters: { trees, psi, seed },
    feature_schema: { flow: [...FLOW_FEATURES], pair: [...PAIR_FEATURES] },
    first_ts: Number.isFinite(first) ? first : 0, last_ts: Number.isFinite(last) ? last : 0,
    hours: Number.isFinite(first) ? Math.max(0, last - first) / 3600 : 0, conns: input.conns.length,
    forest: { flow: flowForest?.toJSON() ?? null, pair: pairForest?.toJSON() ?? null },
    known: { flow: flowForest === null ? [] : knownRows(flowForest, flowRows), pair: pairForest === null ? [] : knownRows(pairForest, pairRows) },
    hosts, services, global,
  });
}

/** Checks a parsed model; throws an Error with a one-line message naming what is wrong. */
export function parseBaseline(v: unknown, where = 'baseline'): BaselineModel {
  const o = v as Partial<BaselineModel> | null;
  if (o === null || typeof o !== 'object' || o.schema !== BASELINE_SCHEMA) throw new Error(`${where}: not a nad baseline model (no "schema": "${BASELINE_SCHEMA}")`);
  if (o.schema_version !== BASELINE_VERSION) {
    throw new Error(`${where}: baseline schema version ${String(o.schema_version)} is not supported (this nad reads version ${BASELINE_VERSION}); learn it again with nad baseline`);
  }
  const fs = o.feature_schema;
  if (fs === undefined || fs.flow.join() !== FLOW_FEATURES.join() || fs.pair.join() !== PAIR_FEATURES.join()) {
    throw new Error(`${where}: baseline feature schema differs from this nad's; learn it again with nad baseline`);
  }
  if (typeof o.hosts !== 'object' || typeof o.global !== 'object' || typeof o.forest !== 'object') throw new Error(`${where}: baseline model is incomplete`);
  if (!isRowList(o.known?.flow, FLOW_FEATURES.length) || !isRowList(o.known?.pair, PAIR_FEATURES.length)) {
    throw new Error(`${where}: baseline model's "known" rows are missing or malformed; learn it again with nad baseline`);
  }
  return o as BaselineModel;
}

function isRowList(v: unknown, width: number): boolean {
  return Array.isArray(v) && v.every((r) => Array.isArray(r) && r.length === width && r.every((x) => typeof x === 'number'));
}

/** Reads and checks a model file. */
export function loadBaseline(path: string): BaselineModel {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read baseline model: ${(e as Error).message.split('\n')[0]}`);
  }
  return parseBaseline(parsed, path);
}

/** Canonical JSON text of a model. */
export function serializeBaseline(m: BaselineModel): string {
  return `${JSON.stringify(canonical(m))}\n`;
}

/** Writes a model to path through a temp file and a rename, so a reader never sees half a model. */
export function saveBaseline(path: string, m: BaselineModel): void {
  writeFileAtomic(path, serializeBaseline(m));
}
