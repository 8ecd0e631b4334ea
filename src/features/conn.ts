/**
 * One feature vector per connection: the numbers the isolation forest sees, and the facts detectors share.
 * Sizes are log-scaled (log1p) so a forest split means "ten times more", not "ten bytes more".
 */
import type { ConnRecord } from '../flow/conn.js';

/** conn_state values where the responder never really answered (Zeek's conn.log vocabulary). */
const FAILED_STATES = new Set(['S0', 'REJ', 'RSTOS0', 'RSTRH', 'SH', 'SHR']);

/** True when the connection attempt failed or was never answered. */
export function isFailed(c: ConnRecord): boolean {
  return FAILED_STATES.has(c.conn_state);
}

/** 0 = well-known (< 1024), 1 = registered (< 49152), 2 = dynamic/private (IANA RFC 6335 §6). */
export function portClass(port: number): 0 | 1 | 2 {
  return port < 1024 ? 0 : port < 49152 ? 1 : 2;
}

/** Epoch seconds of a `sec.nnnnnnnnn` string as a double (microsecond precision is plenty here). */
export function tsOf(c: { ts: string }): number {
  return Number(c.ts);
}

/** Outbound share of payload bytes, 0..1 (0.5 when nothing was sent either way). */
export function outRatio(origBytes: number, respBytes: number): number {
  const t = origBytes + respBytes;
  return t === 0 ? 0.5 : origBytes / t;
}

/** Names of the flow vector's columns, in order (stored in the baseline's feature schema). */
export const FLOW_FEATURES = [
  'log_duration', 'log_orig_bytes', 'log_resp_bytes', 'out_ratio', 'log_orig_pkts', 'log_resp_pkts',
  'orig_bytes_per_pkt', 'resp_bytes_per_pkt', 'failed', 'port_class', 'log_orig_bursts',
] as const;

/** The flow vector, columns as FLOW_FEATURES. */
export function flowVector(c: ConnRecord): number[] {
  return [
    Math.log1p(Math.max(0, c.duration)),
    Math.log1p(c.orig_bytes),
    Math.log1p(c.resp_bytes),
    outRatio(c.orig_bytes, c.resp_bytes),
    Math.log1p(c.orig_pkts),
    Math.log1p(c.resp_pkts),
    Math.log1p(c.orig_pkts === 0 ? 0 : c.orig_payload_bytes / c.orig_pkts),
    Math.log1p(c.resp_pkts === 0 ? 0 : c.resp_payload_bytes / c.resp_pkts),
    isFailed(c) ? 1 : 0,
    portClass(c.resp_p),
    Math.log1p(c.orig_bursts.length),
  ];
}

/** `tcp/443`-style key of the responder's service port. */
export function portKey(c: ConnRecord): string {
  return `${c.proto}/${c.resp_p}`;
}
