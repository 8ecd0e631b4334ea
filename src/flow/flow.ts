/**
 * One live flow: made once per flow (allocation per flow is fine, per packet is not), updated in place by the table.
 * It is also the FlowView app hooks see.
 */
import { communityIdAt } from './community_id.js';
import type { FlowView, Proto } from './conn.js';
import { makeUid } from './conn.js';
import { addrToString } from './key.js';
import type { TcpConn } from './tcp_endpoint.js';
import type { ConnHistory } from './tcp_state.js';

/** How a flow ended: idle timeout, active timeout split, end of input, or closed by TCP (FIN/RST/attempt delay). */
export type EndReason = 'idle' | 'active' | 'end' | 'fin';

/** Most payload bursts kept per flow (ConnRecord.orig_bursts). */
export const MAX_BURSTS = 256;
/** A pause longer than this (1 s) between originator payload packets starts a new burst. */
export const BURST_GAP_MS = 1000;

export class Flow implements FlowView, ConnHistory {
  // Fields read for every packet come first: V8 lays out in-object fields in declaration order, so they share the
  // object's first cache lines (the table is bound by cache misses on flows, not by arithmetic).
  /** Slot id in the table's key store, -1 once the flow has ended. */
  id = -1;
  /** Which LRU list the flow is on (table.ts), and when it was (re)appended there. */
  list = 0;
  lru_ms = 0;
  tcp: TcpConn | null = null;
  /** True when the originator is endpoint B of the canonical key. */
  orig_is_b = false;
  /**
   * First and last packet time in the table's integer milliseconds since its first packet (table.ts), for timeouts.
   * Integers stay small integers in V8's object fields; a double field is a separate heap box (one more cache miss
   * per packet). Exact times are first_sec/first_nsec, last_sec/last_nsec.
   */
  first_ms = 0;
  last_ms = 0;
  orig_pkts = 0;
  resp_pkts = 0;
  orig_ip_bytes = 0;
  resp_ip_bytes = 0;
  orig_payload_bytes = 0;
  resp_payload_bytes = 0;
  /** Non-TCP: payload bytes the headers claim (Zeek's orig_bytes for UDP/ICMP). */
  orig_len = 0;
  resp_len = 0;
  last_sec = 0;
  last_nsec = 0;
  hist_seen = 0;
  history = '';
  /** A bit per hook still taking packets; the hooks' states (by hook index) follow. */
  hook_live = 0;
  /** Whether the hooks' onInit ran. Most flows end with one or two hook states: those live in fields (index -1 =
   *  none); only a third makes the array, which then holds every state by hook index. */
  hook_init = false;
  hook_i0 = -1;
  hook_s0: unknown = null;
  hook_i1 = -1;
  hook_s1: unknown = null;
  hook_states: unknown[] | null = null;
  last_orig_payload_ms = 0;
  /** The open payload burst (bytes 0 = none) and how many bursts were opened; finished ones are in the arrays. */
  burst_bytes = 0;
  burst_sec = 0;
  burst_nsec = 0;
  n_bursts = 0;
  orig_bursts: number[] | null = null;
  orig_burst_bytes: number[] | null = null;
  prev: Flow | null = null;
  next: Flow | null = null;
  /** The key's hash (to find the slot again on removal). */
  hash = 0;

  first_sec = 0;
  first_nsec = 0;
  proto: Proto = 'other';
  ip_proto = 0;
  ip_version: 4 | 6 = 4;
  orig_p = 0;
  resp_p = 0;
  /** Originator and responder addresses as big-endian int32 words (IPv4: word 0 only). */
  o0 = 0; o1 = 0; o2 = 0; o3 = 0;
  r0 = 0; r1 = 0; r2 = 0; r3 = 0;
  service = '';
  service_source: '' | 'payload' | 'port' = '';
  tunnel = '';
  // Strings are made on first use (by a hook, or when the record is written): a flow's strings then die young
  // instead of being copied by every scavenge while the flow lives.
  private s_orig_h: string | null = null;
  private s_resp_h: string | null = null;
  private s_cid: string | null = null;
  private s_uid: string | null = null;

  /** Moves the open burst (if any) into orig_bursts / orig_burst_bytes. */
  closeBurst(): void {
    if (this.burst_bytes === 0) return;
    (this.orig_bursts ??= []).push(this.burst_sec + this.burst_nsec / 1e9);
    (this.orig_burst_bytes ??= []).push(this.burst_bytes);
    this.burst_bytes = 0;
  }

  get orig_h(): string {
    return (this.s_orig_h ??= this.addr(this.o0, this.o1, this.o2, this.o3));
  }

  get resp_h(): string {
    return (this.s_resp_h ??= this.addr(this.r0, this.r1, this.r2, this.r3));
  }

  /** Community ID v1 (seed 0, base64). For one-way ICMP the originator is the sender, as the spec orders it. */
  get community_id(): string {
    if (this.s_cid === null) {
      const alen = this.ip_version === 6 ? 16 : 4;
      this.words(this.o0, this.o1, this.o2, this.o3, 0);
      this.words(this.r0, this.r1, this.r2, this.r3, 16);
      this.s_cid = communityIdAt(this.ip_proto, ADDR, 0, ADDR, 16, alen, this.orig_p, this.resp_p);
    }
    return this.s_cid;
  }

  get uid(): string {
    return (this.s_uid ??= makeUid(this.community_id, this.first_sec, this.first_nsec));
  }

  private words(w0: number, w1: number, w2: number, w3: number, at: number): void {
    ADDR.writeInt32BE(w0, at);
    if (this.ip_version === 6) { ADDR.writeInt32BE(w1, at + 4); ADDR.writeInt32BE(w2, at + 8); ADDR.writeInt32BE(w3, at + 12); }
  }

  private addr(w0: number, w1: number, w2: number, w3: number): string {
    if (this.ip_version === 4) {
      // Hosts recur across flows: one string per IPv4 address (a flow's two strings were 40% of what the flow table
      // allocated on big-500k), shared by every record that names it.
      let s = V4_NAMES.get(w0);
      if (s === undefined) {
        if (V4_NAMES.size >= V4_NAMES_MAX) V4_NAMES.clear();
        this.words(w0, w1, w2, w3, 0);
        s = addrToString(ADDR, 0, 4);
        V4_NAMES.set(w0, s);
      }
      return s;
    }
    this.words(w0, w1, w2, w3, 0);
    return addrToString(ADDR, 0, this.ip_version);
  }
}

/** IPv4 address strings by address word; emptied when it reaches V4_NAMES_MAX (a scan of a /8 must not grow it without bound). */
const V4_NAMES = new Map<number, string>();
const V4_NAMES_MAX = 1 << 16;

/** Scratch for turning address words back into bytes (two 16-byte addresses). */
const ADDR = Buffer.alloc(32);
