/**
 * Beacon detector: regular check-ins from one source to one destination, keyed by destination address and by
 * destination name (so a beacon rotating over CDN addresses is still one series). Two series per key:
 * - `conns`: start times and sizes of answered connections (failed attempts — S0/REJ storms, retries — are left out);
 * - `bursts`: the originator's payload bursts inside long-lived connections (a C2 channel inside one TCP session).
 *
 * Score = fit × confidence × (0.55·ts + 0.15·ds + 0.15·dur + 0.15·hist), and 0 when fit < 0.5. ts/ds/dur/hist are
 * RITA's sub-scores (see beacon_score.ts), fit is the share of intervals on the beat grid (missed beats folded) and
 * confidence = √min(1, intervals / 8). Periods under 1 s score 0 (bursts of parallel connections, not check-ins).
 * RITA's own equal-weight score is reported as `rita_score`. Weighting the timestamp score is deliberate: RITA's
 * duration and histogram scores reward any persistent traffic, so Poisson arrivals with constant sizes would score
 * ~0.85 there. In-session (burst) series are multiplied by 0.7 (push and IoT keep-alives look exactly like that) and
 * need a period of at least 5 s (pauses inside a transfer make bursts a second or two apart).
 * With a baseline, beacons to a registered domain the baseline already saw are multiplied by 0.4.
 */
import type { ConnRecord } from '../flow/conn.js';
import type { FlowApp } from '../app/records.js';
import type { Evidence } from '../findings/finding.js';
import { isBroadcastOrMulticast } from '../features/address.js';
import { isFailed, tsOf } from '../features/conn.js';
import type { PairSeries } from '../features/pairs.js';
import { intervals, median, round3, sorted } from '../features/stats.js';
import { dataSizeScore, durationScore, histogramScore, timestampScore, weightedScore } from './beacon_score.js';
import type { DetectContext, Detector, RawFinding } from './detector.js';
import { registeredDomain } from './domain.js';

/** Weights of nad's beacon score (sum to 1, as RITA requires of its own). */
export const BEACON_WEIGHTS = { ts: 0.55, ds: 0.15, dur: 0.15, hist: 0.15 } as const;
/** In-session periodicity alone is capped below "act on it" (keep-alives of MQTT, XMPP, push services look the same). */
export const BURST_FACTOR = 0.7;
/** Hits below this are not reported. */
export const BEACON_MIN_SCORE = 0.35;
/** At least half of the gaps must sit on the beat grid: Poisson arrivals put about a third there by chance. */
export const BEACON_MIN_FIT = 0.5;
/** Sub-second "periods" are bursts of parallel connections (a browser or an app starting up), not check-ins. */
export const BEACON_MIN_PERIOD_S = 1;
/** Bursts are split by > 1 s of silence (ConnRecord.orig_bursts), so a transfer with pauses makes "bursts" a second or
 *  two apart; in-session check-ins are counted from 5 s up. */
export const BURST_MIN_PERIOD_S = 5;

/** With a baseline, a beacon to a registered domain the network already talked to counts this much: periodic mail
 *  polls and telemetry were there yesterday too (RITA's first-seen modifier in spirit). */
export const KNOWN_DESTINATION_FACTOR = 0.4;

/** UDP infrastructure whose periodicity is by design: DNS, DHCP, NTP, NetBIOS, SSDP, mDNS, LLMNR. */
const INFRA_UDP_PORTS = new Set([53, 67, 68, 123, 137, 138, 1900, 5353, 5355]);

export interface BeaconResult {
  score: number;
  rita_score: number;
  ts_score: number;
  ds_score: number;
  dur_score: number;
  hist_score: number;
  fit: number;
  missed: number;
  period: number;
  skew: number;
  mad: number;
  count: number;
  intervals: number;
}

/** Scores one series of event times and sizes over a dataset span; null when it is too short to judge (< 4 events, < 3 non-zero gaps). */
export function scoreSeries(ts: readonly number[], sizes: readonly number[], datasetMin: number, datasetMax: number): BeaconResult | null {
  const t = timestampScore(ts);
  if (t === null) return null;
  const ds = dataSizeScore(sizes)?.score ?? 0;
  const sortedTs = [...ts].sort((a, b) => a - b);
  const lo = Math.min(datasetMin, sortedTs[0]!);
  const hi = Math.max(datasetMax, sortedTs[sortedTs.length - 1]!);
  const hist = hi > lo ? histogramScore(lo, hi, sortedTs) : null;
  const histS = hist?.score ?? 0;
  const dur = hist === null ? 0 : durationScore(lo, hi, sortedTs[0]!, sortedTs[sortedTs.length - 1]!, hist);
  const base = weightedScore([
    { score: t.score, weight: BEACON_WEIGHTS.ts }, { score: ds, weight: BEACON_WEIGHTS.ds },
    { score: dur, weight: BEACON_WEIGHTS.dur }, { score: histS, weight: BEACON_WEIGHTS.hist },
  ]);
  const confidence = Math.sqrt(Math.min(1, t.intervals / 8));
  return {
    score: t.fold.fit < BEACON_MIN_FIT || t.fold.period < BEACON_MIN_PERIOD_S ? 0 : round3(base * t.fold.fit * confidence),
    rita_score: weightedScore([
      { score: t.score, weight: 0.25 }, { score: ds, weight: 0.25 }, { score: dur, weight: 0.25 }, { score: histS, weight: 0.25 },
    ]),
    ts_score: t.score, ds_score: ds, dur_score: dur, hist_score: histS,
    fit: round3(t.fold.fit), missed: t.fold.missed, period: round3(t.fold.period), skew: round3(t.skew), mad: round3(t.mad),
    count: ts.length, intervals: t.intervals,
  };
}

function eligible(c: ConnRecord): boolean {
  if (isBroadcastOrMulticast(c.resp_h)) return false;
  // An FTP data connection is part of its control connection's session: counted too, one check-in would be two.
  if (c.service === 'ftp-data') return false;
  if (c.proto === 'udp' && (INFRA_UDP_PORTS.has(c.resp_p) || c.service === 'dns')) return false;
  return c.proto !== 'icmp';
}

function connSeries(conns: readonly ConnRecord[]): { ts: number[]; sizes: number[]; used: ConnRecord[] } {
  const used = conns.filter((c) => !isFailed(c));
  return { ts: used.map(tsOf), sizes: used.map((c) => c.orig_ip_bytes + c.resp_ip_bytes), used };
}

function burstSeries(conns: readonly ConnRecord[]): { ts: number[]; sizes: number[]; used: ConnRecord[] } {
  const ts: number[] = [];
  const sizes: number[] = [];
  const used: ConnRecord[] = [];
  for (const c of conns) {
    if (c.orig_bursts.length < 2) continue;
    used.push(c);
    for (let i = 0; i < c.orig_bursts.length; i++) { ts.push(c.orig_bursts[i]!); sizes.push(c.orig_burst_bytes[i] ?? 0); }
  }
  return { ts, sizes, used };
}

function evidenceOf(r: BeaconResult, series: string): Evidence[] {
  return [
    { name: 'series', value: series },
    { name: 'beacon_score', value: r.score },
    { name: 'rita_score', value: r.rita_score, note: 'RITA v5 equal weights' },
    { name: 'ts_score', value: r.ts_score }, { name: 'ds_score', value: r.ds_score },
    { name: 'dur_score', value: r.dur_score }, { name: 'hist_score', value: r.hist_score },
    { name: 'interval_median_s', value: r.period }, { name: 'interval_mad_s', value: r.mad },
    { name: 'interval_skew', value: r.skew }, { name: 'grid_fit', value: r.fit }, { name: 'missed_beats', value: r.missed },
    { name: 'events', value: r.count },
  ];
}

/** Neither series can have the 4 events scoring needs: fewer than 4 connections, and fewer than 4 bursts over the
 *  connections that have several (most pairs; checked before any series is built). */
function tooShort(p: PairSeries): boolean {
  if (p.conns.length >= 4) return false;
  let bursts = 0;
  for (const c of p.conns) if (c.orig_bursts.length >= 2) bursts += c.orig_bursts.length;
  return bursts < 4;
}

/**
 * True when a series cannot score above 0, decided before the costly part of scoring: fewer than 4 events or 3 non-zero
 * gaps (scoreSeries returns null), or a median gap under the shortest allowed period (the beat period is the median gap
 * or a fraction of it, so it would be under `minPeriod` too and score 0; rounded as the burst check rounds the period).
 * On the 60k-flow bench capture 17k pairs are one connection with bursts a second or two apart.
 */
function cannotScore(ts: readonly number[], minPeriod: number): boolean {
  if (ts.length < 4) return true;
  const gaps = intervals(sorted(ts)).filter((x) => x > 0);
  return gaps.length < 3 || round3(median(gaps)) < minPeriod;
}

function hitFor(p: PairSeries, ctx: DetectContext): RawFinding | null {
  if (tooShort(p)) return null;
  const conns = p.conns.filter(eligible);
  if (conns.length === 0) return null;
  const cs = connSeries(conns);
  const bs = burstSeries(conns);
  // A series that cannot score counts as 0, as scoring it would: the result below only uses a series whose score wins.
  const byConn = cannotScore(cs.ts, BEACON_MIN_PERIOD_S) ? null : scoreSeries(cs.ts, cs.sizes, ctx.first_ts, ctx.last_ts);
  const byBurst = cannotScore(bs.ts, BURST_MIN_PERIOD_S) ? null : scoreSeries(bs.ts, bs.sizes, ctx.first_ts, ctx.last_ts);
  const connScore = byConn?.score ?? 0;
  const burstScore = byBurst === null || byBurst.period < BURST_MIN_PERIOD_S ? 0 : round3(byBurst.score * BURST_FACTOR);
  const useConn = connScore >= burstScore;
  const r = useConn ? byConn : byBurst;
  // The baseline factor only lowers a score: most pairs stop here, before the domain and port work below
  // (beacon finish on big-500k.pcap, warm: 83 → 77 ms).
  if (r === null || Math.max(connScore, burstScore) < BEACON_MIN_SCORE) return null;
  const domain = registeredDomain(p.name);
  const known = ctx.baseline !== null && domain !== '' && (ctx.baseline.global.domains[domain] ?? 0) > 0;
  const score = round3((useConn ? connScore : burstScore) * (known ? KNOWN_DESTINATION_FACTOR : 1));
  if (score < BEACON_MIN_SCORE) return null;
  const ports = [...new Set(conns.map((c) => c.resp_p))];
  const series = useConn ? 'connections' : 'bursts inside long-lived connections';
  const target = p.name !== '' ? p.name : p.dst;
  return {
    detector: 'beacon', kind: 'beacon', src: p.src, dst: p.dst, dst_port: ports.length === 1 ? ports[0]! : null,
    proto: conns[0]!.proto, name: p.name, score, conns: useConn ? cs.used : bs.used,
    evidence: [...evidenceOf({ ...r, score }, series), ...(known ? [{ name: 'known_destination', value: `${domain} is in the baseline (score × ${KNOWN_DESTINATION_FACTOR})` }] : [])],
    reason: `${p.src} contacted ${target} ${r.count} times about every ${formatSeconds(r.period)}` +
      `${useConn ? '' : ' inside long-lived connections'} with regular timing (ts_score ${r.ts_score}, ${Math.round(r.fit * 100)}% on the beat grid).`,
  };
}

export function formatSeconds(s: number): string {
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 120) return `${Number(s.toFixed(1))} s`;
  if (s < 7200) return `${Number((s / 60).toFixed(1))} min`;
  return `${Number((s / 3600).toFixed(1))} h`;
}

/** Works on the context's shared pair index, so `observe` has nothing to keep. */
export function createBeaconDetector(): Detector {
  return {
    id: 'beacon',
    observe(_conn: ConnRecord, _app: FlowApp): void {},
    finish(ctx: DetectContext): RawFinding[] {
      const { byIp, byName } = ctx.pairs;
      const out: RawFinding[] = [];
      for (const p of [...byIp, ...byName]) {
        const hit = hitFor(p, ctx);
        if (hit !== null) out.push(hit);
      }
      return out;
    },
  };
}
