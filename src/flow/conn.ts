/**
 * The connection record: one row of flows.csv, named as Zeek's conn.log names its fields
 * (CSV headers use Zeek's `id.orig_h` style where Zeek has one). The type is the schema.
 */

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
  /** Responder port; for ICMP the code (Zeek's convention). */
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
