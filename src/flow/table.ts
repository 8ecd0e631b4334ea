/**
 * The flow table: the hot path after decoding. Numeric keys (key.ts) in an open-addressing index (slots.ts); flows
 * kept in lists per timeout class ordered by when they were (re)appended, so expiry only ever looks at the oldest
 * flows (nfstream's meter), with a bounded scan per sweep. Expiry is driven by packet time, so flows are written
 * while the input streams and memory follows the number of concurrent flows, not the capture's size.
 * A packet touches its index slot, its flow and (TCP) its endpoint objects, nothing else: no allocation, no
 * neighbour flows. Its cost is those cache misses (cpu-prof of big.pcap), so fields hot per packet are small integers.
 */
import type { Packet } from '../decode/layer.js';
import { IpProto, TcpFlag } from '../decode/layer.js';
import type { FlowHook } from '../app/hook.js';
import type { RecordSink } from '../app/records.js';
import type { ConnRecord } from './conn.js';
import { toConnRecord } from './conn.js';
import { createFlow, type LikelyServerPorts, likelyServerPorts } from './create.js';
import type { EndReason } from './flow.js';
import { BURST_GAP_MS, type Flow, MAX_BURSTS } from './flow.js';
import { FragmentMap } from './fragments.js';
import { buildKey, FlowKey } from './key.js';
import { FlowIndex } from './slots.js';
import { EpState, TCP_CLOSE_DELAY_MS } from './tcp_endpoint.js';
import { tcpPacket } from './tcp_state.js';

export interface FlowTableOptions {
  /** Idle timeouts in seconds (Zeek's defaults: tcp_inactivity_timeout 5 min, udp/icmp 1 min). */
  tcp_idle_s?: number;
  udp_idle_s?: number;
  icmp_idle_s?: number;
  other_idle_s?: number;
  /** A flow older than this is written and continued as a new flow; 0 = off. Default 3600 s. */
  active_timeout_s?: number;
  /** Ports that look like servers, for choosing the originator of flows seen without their first SYN (Zeek's likely_server_ports). */
  likely_server_ports?: LikelyServerPorts;
}

export interface ConnSink {
  conn(c: ConnRecord): void;
}

export interface FlowTableStats {
  flows_created: number;
  /** Flows in the table now. */
  active: number;
  expired: Record<EndReason, number>;
  /** Packets older than the newest packet seen (merged or reordered captures): processed, the clock not moved back. */
  out_of_order: number;
  /** Packets without an IP header (ARP, STP, undecodable): not part of any flow. */
  non_ip: number;
  /** Later IP fragments counted to the flow of their first fragment. */
  fragments_mapped: number;
  /** Later fragments whose first fragment was not seen: they form port-less flows. */
  fragments_unmapped: number;
}

/** All counters at zero (a table's start; scale adds several tables' counters into one). */
export function emptyFlowStats(): FlowTableStats {
  return {
    flows_created: 0, active: 0, expired: { idle: 0, active: 0, end: 0, fin: 0 },
    out_of_order: 0, non_ip: 0, fragments_mapped: 0, fragments_unmapped: 0,
  };
}

/** LRU lists: one per idle-timeout class, plus TCP connections that are closing (their own, short deadlines). */
const L_TCP = 0, L_UDP = 1, L_ICMP = 2, L_OTHER = 3, L_CLOSING = 4, N_LISTS = 5;
/** Sweep at most every 10 ms of packet time and look at no more than this many flows per list (nfstream's budget). */
const SWEEP_EVERY_MS = 10;
const SWEEP_BUDGET = 1000;

export class FlowTable {
  readonly stats: FlowTableStats = emptyFlowStats();
  private readonly out: ConnSink;
  private readonly hooks: readonly FlowHook<unknown>[];
  private readonly records: RecordSink;
  /** Idle timeouts by list, and the active timeout (0 = off), in ms. */
  private readonly idle: Float64Array;
  private readonly active_ms: number;
  private readonly likely: LikelyServerPorts;
  private readonly key = new FlowKey();
  private readonly frags = new FragmentMap();

  private readonly index = new FlowIndex();

  private readonly heads: (Flow | null)[] = new Array<Flow | null>(N_LISTS).fill(null);
  private readonly tails: (Flow | null)[] = new Array<Flow | null>(N_LISTS).fill(null);
  /**
   * Table time: integer milliseconds since the first IP packet's second (`epoch`, epoch seconds). Every timeout is
   * compared in these units; integers keep the hot flow fields small integers instead of boxed doubles.
   */
  private epoch = 0;
  private started = false;
  private clock = 0;
  private nextSweep = 0;

  constructor(opts: FlowTableOptions, out: ConnSink, hooks: readonly FlowHook<unknown>[], records: RecordSink) {
    this.out = out;
    this.hooks = hooks;
    this.records = records;
    this.idle = Float64Array.from([opts.tcp_idle_s ?? 300, opts.udp_idle_s ?? 60, opts.icmp_idle_s ?? 60, opts.other_idle_s ?? 60, 0], (s) => s * 1000);
    this.active_ms = (opts.active_timeout_s ?? 3600) * 1000;
    this.likely = opts.likely_server_ports ?? likelyServerPorts();
  }

  packet(p: Packet): void {
    if (p.ip_version === 0) { this.stats.non_ip++; return; }
    this.step(p, this.tick(p), this.clock);
  }

  /**
   * Moves the table clock with an IP packet and returns the packet's table time (ms since `epoch`, the first IP
   * packet's second); a packet older than the clock is counted and does not move it. scale: the reading thread of
   * --workers ticks its own table with every IP packet, so `now` and `epoch` are those of the whole capture.
   */
  tick(p: Packet): number {
    if (!this.started) { this.started = true; this.epoch = p.ts_sec; }
    const t = (p.ts_sec - this.epoch) * 1000 + ((p.ts_nsec / 1e6) | 0);
    if (t < this.clock) this.stats.out_of_order++;
    else this.clock = t;
    return t;
  }

  /** The clock: the newest packet time seen, in table ms. */
  get now(): number {
    return this.clock;
  }

  /** The epoch second, once the first IP packet was seen. */
  get epochSec(): number {
    return this.epoch;
  }

  /** scale: an IP packet the caller has just ticked (t: what tick returned). */
  packetTicked(p: Packet, t: number): void {
    this.step(p, t, this.clock);
  }

  /**
   * scale (--workers): a packet of this table's share, at `now`, the clock of the whole capture in ms since the
   * capture's epoch (setEpoch). The reading thread counted it (tick), so every expiry decision is one table's.
   */
  packetAt(p: Packet, now: number): void {
    const t = (p.ts_sec - this.epoch) * 1000 + ((p.ts_nsec / 1e6) | 0);
    if (now > this.clock) this.clock = now;
    this.step(p, t, this.clock);
  }

  /** scale: a worker's table takes the epoch of the whole capture (see packetAt); before its first packet. */
  setEpoch(sec: number): void {
    this.started = true;
    this.epoch = sec;
  }

  private step(p: Packet, t: number, now: number): void {
    if (now >= this.nextSweep) this.sweep(now);

    let f: Flow | null = null;
    let isOrig = true;
    const later = p.frag_off > 0;
    if (later) {
      f = this.frags.lookup(p, now);
      if (f !== null) { isOrig = this.frags.is_orig; this.stats.fragments_mapped++; this.count(f, p, isOrig, t, false); return; }
      this.stats.fragments_unmapped++;
    }
    const k = this.key;
    buildKey(k, p, later);
    f = this.index.lookup(k);
    if (f !== null) {
      // The sweep's own test first (due), so a flow gets the same end whether a sweep or its next packet finds it
      // (the sweep's timing depends on the other flows in the table, which differ per --workers share).
      const tcp = f.tcp;
      const reason = this.due(f, now);
      if (reason !== null) { this.expire(f, reason); f = null; }
      else if (this.active_ms > 0 && now - f.first_ms >= this.active_ms) { this.expire(f, 'active'); f = null; }
      else if (tcp !== null && !later && (p.tcp_flags & TcpFlag.Syn) !== 0 && tcp.isReuse(p.tcp_flags, p.tcp_seq)) { this.expire(f, 'fin'); f = null; }
    }
    if (f === null) {
      f = createFlow(p, k, this.likely, later, t);
      this.index.insert(f, k);
      this.link(f, listOf(f), now);
      this.stats.flows_created++;
      this.stats.active++;
    }
    isOrig = k.src_is_b === f.orig_is_b;
    this.count(f, p, isOrig, t, !later);
    if (!later && p.frag_mf !== 0) this.frags.add(p, f, isOrig, now);
    // LRU order is kept lazily (the sweep re-appends flows that were active since they were appended), so a packet
    // touches no neighbour flows; only a TCP state change moves a flow between lists.
    if (f.tcp !== null) {
      const l = listOf(f);
      if (l !== f.list) { this.unlink(f); this.link(f, l, now); }
    }
  }

  /**
   * End of input: flows already due at the last clock (`now`, default this table's own) are written as a sweep would
   * (idle, fin), the rest with end_reason `end`. Every flow is tested, not only the list heads, so the result does not
   * depend on when earlier sweeps ran.
   */
  flush(now = this.clock): void {
    if (now > this.clock) this.clock = now;
    for (let l = 0; l < N_LISTS; l++) {
      let f = this.heads[l] ?? null;
      while (f !== null) { const n = f.next; this.expire(f, this.due(f, this.clock) ?? 'end'); f = n; }
    }
  }

  /** Counters, TCP state, bursts and hooks for one packet of f. */
  private count(f: Flow, p: Packet, isOrig: boolean, t: number, transport: boolean): void {
    const payload = p.payload_end - p.payload_off;
    const tcp = f.tcp;
    if (tcp === null || tcp.lastTimeMoves()) {
      if (t >= f.last_ms) { f.last_ms = t; f.last_sec = p.ts_sec; f.last_nsec = p.ts_nsec; }
    }
    if (isOrig) { f.orig_pkts++; f.orig_ip_bytes += p.ip_len; f.orig_payload_bytes += payload; }
    else { f.resp_pkts++; f.resp_ip_bytes += p.ip_len; f.resp_payload_bytes += payload; }
    if (!transport) return;
    if (tcp !== null) {
      tcpPacket(tcp, f, isOrig, p.tcp_flags, p.tcp_seq, p.tcp_ack, p.tcp_win, p.payload_len, payload, t, f.last_ms);
    } else {
      if (isOrig) f.orig_len += p.payload_len; else f.resp_len += p.payload_len;
      if (f.proto === 'udp') {
        // Zeek's UDP history: D / d once per direction.
        if (isOrig) { if ((f.hist_seen & 0x10) === 0) { f.hist_seen |= 0x10; f.history += 'D'; } }
        else if ((f.hist_seen & 0x100000) === 0) { f.hist_seen |= 0x100000; f.history += 'd'; }
      }
    }
    if (payload > 0) {
      if (isOrig && p.payload_len > 0) this.burst(f, p, t);
      if (this.hooks.length > 0 && (f.hook_live !== 0 || !f.hook_init)) this.runHooks(f, p, isOrig);
    }
  }

  private burst(f: Flow, p: Packet, t: number): void {
    // The open burst lives in small-integer fields of the flow; only a finished burst touches the arrays.
    const bytes = p.payload_len;
    if (f.burst_bytes > 0 && t - f.last_orig_payload_ms <= BURST_GAP_MS) f.burst_bytes += bytes;
    else {
      f.closeBurst();
      if (f.n_bursts < MAX_BURSTS) { f.n_bursts++; f.burst_sec = p.ts_sec; f.burst_nsec = p.ts_nsec; f.burst_bytes = bytes; }
    }
    f.last_orig_payload_ms = t;
  }

  private runHooks(f: Flow, p: Packet, isOrig: boolean): void {
    const hooks = this.hooks;
    if (!f.hook_init) this.initHooks(f, p, isOrig);
    const states = f.hook_states;
    if (states !== null) {
      for (let i = 0; i < hooks.length && i < 31; i++) {
        const bit = 1 << i;
        if ((f.hook_live & bit) !== 0 && !hooks[i]!.onPacket(p, f, isOrig, states[i])) f.hook_live &= ~bit;
      }
      return;
    }
    const i0 = f.hook_i0, i1 = f.hook_i1;
    if (i0 >= 0 && (f.hook_live & (1 << i0)) !== 0 && !hooks[i0]!.onPacket(p, f, isOrig, f.hook_s0)) f.hook_live &= ~(1 << i0);
    if (i1 >= 0 && (f.hook_live & (1 << i1)) !== 0 && !hooks[i1]!.onPacket(p, f, isOrig, f.hook_s1)) f.hook_live &= ~(1 << i1);
  }

  /** Asks every hook whether it wants the flow (first payload packet); keeps the states in the flow's fields. */
  private initHooks(f: Flow, p: Packet, isOrig: boolean): void {
    const hooks = this.hooks;
    f.hook_init = true;
    let n = 0;
    for (let i = 0; i < hooks.length && i < 31; i++) {
      const s = hooks[i]!.onInit(p, f, isOrig);
      if (s === null) continue;
      f.hook_live |= 1 << i;
      if (n === 0) { f.hook_i0 = i; f.hook_s0 = s; }
      else if (n === 1) { f.hook_i1 = i; f.hook_s1 = s; }
      else {
        let states = f.hook_states;
        if (states === null) {
          states = f.hook_states = new Array<unknown>(hooks.length).fill(null);
          states[f.hook_i0] = f.hook_s0;
          states[f.hook_i1] = f.hook_s1;
        }
        states[i] = s;
      }
      n++;
    }
  }

  private expire(f: Flow, reason: EndReason): void {
    const states = f.hook_states;
    if (states !== null) {
      for (let i = 0; i < states.length; i++) { const s = states[i]; if (s !== null && s !== undefined) this.hooks[i]!.onExpire(f, s, this.records); }
    } else {
      if (f.hook_i0 >= 0) this.hooks[f.hook_i0]!.onExpire(f, f.hook_s0, this.records);
      if (f.hook_i1 >= 0) this.hooks[f.hook_i1]!.onExpire(f, f.hook_s1, this.records);
    }
    this.stats.expired[reason]++;
    this.stats.active--;
    this.unlink(f);
    this.index.remove(f);
    this.out.conn(toConnRecord(f, reason));
  }

  /**
   * Writes flows whose idle time or TCP close deadline has passed. Lists are ordered by the time a flow was
   * (re)appended, so the scan stops at the first head appended less than a timeout ago; a head that saw packets
   * since is re-appended instead of written. At most SWEEP_BUDGET flows per list per sweep (nfstream's idle scan budget).
   */
  private sweep(now: number): void {
    let budgetHit = false;
    for (let l = 0; l < N_LISTS; l++) {
      const idle = l === L_CLOSING ? TCP_CLOSE_DELAY_MS : this.idle[l]!;
      let n = 0;
      for (let f = this.heads[l] ?? null; f !== null && now - f.lru_ms > idle; f = this.heads[l] ?? null) {
        if (++n > SWEEP_BUDGET) { budgetHit = true; break; }
        const reason = this.due(f, now);
        if (reason !== null) this.expire(f, reason);
        else { this.unlink(f); this.link(f, l, now); }
      }
    }
    this.nextSweep = budgetHit ? now : now + SWEEP_EVERY_MS;
  }

  /** Why f should be written at `now`, or null while it lives. */
  private due(f: Flow, now: number): EndReason | null {
    const tcp = f.tcp;
    if (tcp !== null && ((tcp.close_ms !== 0 && now >= tcp.close_ms) || tcp.attemptExpired(now))) return 'fin';
    if (now - f.last_ms > this.idle[f.list === L_CLOSING ? L_TCP : f.list]!) return 'idle';
    return null;
  }

  // ---- LRU lists ----

  private link(f: Flow, l: number, now: number): void {
    f.list = l; f.lru_ms = now; f.prev = this.tails[l] ?? null; f.next = null;
    if (f.prev !== null) f.prev.next = f; else this.heads[l] = f;
    this.tails[l] = f;
  }

  private unlink(f: Flow): void {
    const l = f.list;
    if (f.prev !== null) f.prev.next = f.next; else this.heads[l] = f.next;
    if (f.next !== null) f.next.prev = f.prev; else this.tails[l] = f.prev;
    f.prev = f.next = null;
  }
}

function listOf(f: Flow): number {
  const tcp = f.tcp;
  if (tcp !== null) {
    if (tcp.close_ms !== 0) return L_CLOSING;
    if (tcp.attempt_ms !== 0 && tcp.resp.state === EpState.Inactive) return L_CLOSING;
    return L_TCP;
  }
  if (f.ip_proto === IpProto.Udp) return L_UDP;
  if (f.ip_proto === IpProto.Icmp || f.ip_proto === IpProto.Icmp6) return L_ICMP;
  return L_OTHER;
}

