/**
 * The connection record: one row of flows.csv, named as Zeek's conn.log names its fields
 * (CSV headers use Zeek's `id.orig_h` style where Zeek has one). The type is the schema.
 */

import { formatTs } from '../capture/time.js';
import { Tunnel } from '../decode/layer.js';
import type { EndReason, Flow } from './flow.js';
import { tcpConnState } from './tcp_state.js';

/** Transport as Zeek's `proto` column spells it. ICMPv6 is `icmp` too, as in Zeek; `ip_proto` tells them apart. */
export type Proto = 'tcp' | 'udp' | 'icmp' | 'other';

export interface ConnRecord {
  /** Time of the first packet, seconds since the epoch as a decimal string with 9 fraction digits (full precision). */
  ts: string;
  /** Unique, deterministic id of the connection: the same flow gets the same uid in every run (derived from community_id and ts). */
  uid: string;
  /** Community ID v1 (seed 0, base64) of the flow's 5-tuple. */
  community_id: string;
  /** Originator: the sender of the first SYN, else of the first packet. */
  orig_h: string;
  /** Originator port; for ICMP the message type (Zeek's convention). */
  orig_p: number;
  /** Responder: the other end of the flow. */
  resp_h: string;
  /** Responder port; for ICMP the type of the matching reply (echo 8 → 0, ICMPv6 128 → 129, …), or the code for
   *  one-way messages such as unreachables: Zeek's ICMP4/ICMP6_counterpart, also the Community ID spec's port equivalents. */
  resp_p: number;
  /** Transport protocol: tcp, udp, icmp (ICMPv6 too, as Zeek writes it) or other. */
  proto: Proto;
  /** IP protocol number (6, 17, 1, 58, …). */
  ip_proto: number;
  /** Application protocol identified from payload (tls, http, dns, ssh, quic, smb, …); by port only when `service_source` is `port`; '' when unknown. */
  service: string;
  /** How `service` was decided: `payload` (a signature matched), `port` (fallback on a well-known port), '' when unknown. */
  service_source: '' | 'payload' | 'port';
  /** Seconds from the first to the last packet. */
  duration: number;
  /** Time of the last packet, as `ts`. */
  last_ts: string;
  /** Payload bytes the originator sent. For TCP taken from sequence numbers, as Zeek does, so it can exceed what was captured (see missed_bytes). */
  orig_bytes: number;
  /** Payload bytes the responder sent; as orig_bytes. */
  resp_bytes: number;
  /** Zeek's connection state: S0 S1 SF REJ S2 S3 RSTO RSTR RSTOS0 RSTRH SH SHR OTH (TCP); for UDP/ICMP S0, SF or OTH as Zeek does. */
  conn_state: string;
  /** Bytes missing from sequence-number gaps (content gaps), as Zeek's missed_bytes. */
  missed_bytes: number;
  /** Zeek's history letters (upper case originator, lower case responder). */
  history: string;
  /** Packets the originator sent. */
  orig_pkts: number;
  /** IP-level bytes the originator sent (sum of IP total length). */
  orig_ip_bytes: number;
  /** Packets the responder sent. */
  resp_pkts: number;
  /** IP-level bytes the responder sent (sum of IP total length). */
  resp_ip_bytes: number;
  /** Payload bytes actually captured per direction (sum of transport payload lengths seen). */
  orig_payload_bytes: number;
  /** Transport payload bytes the responder sent that were captured. */
  resp_payload_bytes: number;
  /** Encapsulations crossed, outermost first, e.g. `vlan:100 gre` or `vxlan`; '' when none. */
  tunnel: string;
  /** Why the record was written: `idle`, `active` (active timeout split it), `end` (end of input), `fin` (closed and drained). */
  end_reason: 'idle' | 'active' | 'end' | 'fin';
  /** Start times (epoch seconds, as doubles) of the originator's payload bursts (gap > 1 s ends a burst), at most 256:
   *  lets detectors see periodic check-ins inside one long-lived connection. */
  orig_bursts: readonly number[];
  /** Payload sizes of those bursts (bytes sent by the originator in each). */
  orig_burst_bytes: readonly number[];
}

/** The live view of a flow that app hooks get. Fields fixed at creation; `service` is set by the hooks. */
export interface FlowView {
  readonly uid: string;
  readonly community_id: string;
  readonly proto: Proto;
  readonly ip_proto: number;
  readonly orig_h: string;
  readonly orig_p: number;
  readonly resp_h: string;
  readonly resp_p: number;
  readonly first_sec: number;
  readonly first_nsec: number;
  service: string;
  service_source: '' | 'payload' | 'port';
}

// ---- Building the record from a live flow (once per flow, at expiry) ----


const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** cyrb53 (a public-domain 53-bit string hash: two multiply-xorshift lanes), seeded. */
function hash53(s: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed, h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Writes `digits` base62 digits of n into UID_CODES from `at`. */
function base62(n: number, digits: number, at: number): void {
  let x = n;
  for (let i = 0; i < digits; i++) { UID_CODES[at + i] = B62.charCodeAt(x % 62); x = Math.floor(x / 62); }
}

/** 'C' and 17 digits, filled per uid: one string allocation per uid instead of one per digit. */
const UID_CODES: number[] = new Array<number>(18).fill(67);

/**
 * Deterministic uid: 'C' + 17 base62 digits (9 + 8, from two seeded 53-bit hashes, ~100 bits) of the community_id
 * and the first timestamp. The same flow in the same capture gets the same uid in every run, whatever other flows
 * the run sees. Not a cryptographic hash (a uid is a name, not a secret); SHA-1 per flow cost 10% of the table's time.
 */
export function makeUid(community_id: string, sec: number, nsec: number): string {
  const s = `${community_id}|${sec}.${nsec}`;
  base62(hash53(s, 1), 9, 1);
  base62(hash53(s, 2), 8, 10);
  return String.fromCharCode(...UID_CODES);
}

const TUNNEL_NAMES: readonly [number, string][] = [
  [Tunnel.Mpls, 'mpls'], [Tunnel.Pppoe, 'pppoe'], [Tunnel.Gre, 'gre'], [Tunnel.Erspan, 'erspan'], [Tunnel.Vxlan, 'vxlan'],
  [Tunnel.Geneve, 'geneve'], [Tunnel.Teredo, 'teredo'], [Tunnel.IpInIp, 'ip-in-ip'],
];

/** `vlan:100 qinq gre …` from the packet's tunnel bits and outer VLAN id; '' when none. */
export function tunnelString(bits: number, vlan: number): string {
  if (bits === 0 && vlan === 0) return '';
  const parts: string[] = [];
  if ((bits & Tunnel.Vlan) !== 0 || vlan !== 0) parts.push(`vlan:${vlan}`);
  if ((bits & Tunnel.QinQ) !== 0) parts.push('qinq');
  for (const [bit, name] of TUNNEL_NAMES) if ((bits & bit) !== 0) parts.push(name);
  return parts.join(' ');
}

/** Zeek's conn_state for UDP (S0 SF SHR OTH by which sides sent) and OTH for everything else. */
function connState(f: Flow): string {
  if (f.tcp !== null) return tcpConnState(f.tcp, f.history);
  if (f.proto === 'udp') {
    if (f.orig_pkts > 0) return f.resp_pkts > 0 ? 'SF' : 'S0';
    return f.resp_pkts > 0 ? 'SHR' : 'OTH';
  }
  return 'OTH';
}

/** The flows.csv row of a flow that has ended. */
export function toConnRecord(f: Flow, end_reason: EndReason): ConnRecord {
  f.closeBurst();
  const tcp = f.tcp;
  let dur = f.last_sec - f.first_sec + (f.last_nsec - f.first_nsec) / 1e9;
  if (dur < 0) dur = 0;
  return {
    ts: formatTs(f.first_sec, f.first_nsec),
    uid: f.uid,
    community_id: f.community_id,
    orig_h: f.orig_h,
    orig_p: f.orig_p,
    resp_h: f.resp_h,
    resp_p: f.resp_p,
    proto: f.proto,
    ip_proto: f.ip_proto,
    service: f.service,
    service_source: f.service_source,
    duration: Math.round(dur * 1e9) / 1e9,
    last_ts: formatTs(f.last_sec, f.last_nsec),
    orig_bytes: tcp !== null ? tcp.orig.size(tcp.resp) : f.orig_len,
    resp_bytes: tcp !== null ? tcp.resp.size(tcp.orig) : f.resp_len,
    conn_state: connState(f),
    missed_bytes: tcp !== null ? tcp.orig.missed_bytes + tcp.resp.missed_bytes : 0,
    history: f.history,
    orig_pkts: f.orig_pkts,
    orig_ip_bytes: f.orig_ip_bytes,
    resp_pkts: f.resp_pkts,
    resp_ip_bytes: f.resp_ip_bytes,
    orig_payload_bytes: f.orig_payload_bytes,
    resp_payload_bytes: f.resp_payload_bytes,
    tunnel: f.tunnel,
    end_reason,
    orig_bursts: exactCopy(f.orig_bursts),
    orig_burst_bytes: exactCopy(f.orig_burst_bytes),
  };
}

/** Shared by every record without payload bursts (frozen: a reader that pushed would throw). */
const NO_BURSTS: readonly number[] = Object.freeze([]);

/**
 * The burst list as the record keeps it: a copy of exactly its length. The flow's list grew by push(), which leaves
 * room for 17 elements after the first (152 bytes for one burst); records are kept for the whole run, and these two
 * lists were a fifth of a record's heap (heap snapshot of 100,000 flows).
 */
function exactCopy(list: number[] | null): readonly number[] {
  return list === null ? NO_BURSTS : list.slice();
}

/** Timestamps as formatTs writes them ("sec.nnnnnnnnn"), compared as numbers: a longer integer part is later. */
export function compareTsText(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The order of every record list nad writes (flows.csv, dns.csv, …): by start time, then uid. Records of one flow
 * keep the order the flow made them (Array.prototype.sort is stable), so the output does not depend on when flows
 * expired — which differs between one flow table and several (--workers) or shards.
 */
export function compareTsUid(a: { ts: string; uid: string }, b: { ts: string; uid: string }): number {
  return compareTsText(a.ts, b.ts) || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0);
}
