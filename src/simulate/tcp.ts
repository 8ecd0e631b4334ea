/**
 * One TCP connection as the office switch sees it: three-way handshake, data with correct seq/ack, ACK every second
 * segment (RFC 1122 §4.2.3.2) or delayed, slow start, and FIN or RST teardown (RFC 793).
 *
 * Times are capture times in microseconds. The capture point is beside the clients, so a client reacts to a server
 * packet within `CLIENT_REACT_US`, and a server's answer to a client packet appears one round trip later.
 */
import { synOptions, tcpFrame, TcpFlag, type MacIp } from './frames.js';
import type { CaptureLog } from './pcap.js';
import type { Rng } from './rng.js';

export type Stack = 'windows' | 'linux' | 'macos';

export interface TcpPeer extends MacIp {
  readonly port: number;
  /** TTL as the packet reaches the capture point. */
  readonly ttl: number;
  /** Office host index whose IPv4 ID counter numbers this peer's packets, or -1 (external: per-connection counter). */
  readonly ipid_host: number;
  readonly stack: Stack;
}

/** Application bytes handed to TCP: `data` is known (captured), the rest up to `size` is opaque and not captured. */
export interface Piece {
  readonly data: Buffer;
  readonly size?: number;
}

export type Side = 'c' | 's';

export interface SendOptions {
  /** Think or processing time before the first segment, µs. */
  readonly delay_us?: number;
  /** Receiver ACKs every n-th full segment (2 is RFC 1122; receivers with GRO stretch this). */
  readonly ack_every?: number;
  /** Link rate in bit/s that spaces back-to-back segments. */
  readonly rate_bps?: number;
}

const CLIENT_REACT_US = 120;
const DELAYED_ACK_US = { c: 40_000, s: 40_000 } as const;
const INITIAL_CWND = 10;
/** GRO batch limits: 44 × 1460 + 40 stays under the 65535-byte IPv4 total length. */
const GRO_MAX_SEGS = 44;
const GRO_WINDOW_US = 1000;
/** Server window scale: 1000 << 9 = 512000 bytes of receive window, enough for the office uplink. */
const SERVER_WSCALE = 9;
const WSCALE = { windows: 8, linux: 7, macos: 6 } as const;

interface SideState {
  readonly peer: TcpPeer;
  /** Next sequence number this side sends. */
  nxt: number;
  /** Next sequence number expected from the other side (the ACK field). */
  rcv: number;
  win: number;
  mss: number;
  /** Segments received but not yet acknowledged, and when the oldest arrived. */
  unacked: number;
  unacked_since: number;
  last_sent: number;
  ipid: number;
}

export class TcpSession {
  private readonly log: CaptureLog;
  private readonly rng: Rng;
  private readonly sides: { c: SideState; s: SideState };
  readonly rtt_us: number;
  /** Capture time of the latest packet of this connection. */
  t: number;
  /** Capture time of the SYN. */
  readonly start_us: number;
  /** Total payload bytes each side sent (true sizes, including what was not captured). */
  readonly bytes = { c: 0, s: 0 };
  packets = 0;

  constructor(log: CaptureLog, rng: Rng, client: TcpPeer, server: TcpPeer, t_us: number, rtt_us: number) {
    this.log = log;
    this.rng = rng;
    this.rtt_us = rtt_us;
    this.t = t_us;
    this.start_us = t_us;
    const side = (peer: TcpPeer): SideState => ({
      peer, nxt: rng.u32(), rcv: 0, win: peer.stack === 'macos' ? 65535 : 64240, mss: 1460, unacked: 0, unacked_since: 0, last_sent: t_us, ipid: rng.int(0, 0xffff),
    });
    this.sides = { c: side(client), s: side(server) };
  }

  /** Client port and server address, for the ground truth. */
  get client(): TcpPeer { return this.sides.c.peer; }
  get server(): TcpPeer { return this.sides.s.peer; }

  private emit(from: Side, at: number, flags: number, payload?: Buffer, payloadLen?: number, options?: Buffer): void {
    const me = this.sides[from];
    const other = this.sides[from === 'c' ? 's' : 'c'];
    const len = payloadLen ?? payload?.length ?? 0;
    const f = tcpFrame(me.peer, other.peer, { ttl: me.peer.ttl, id: me.ipid, df: true }, {
      sport: me.peer.port, dport: other.peer.port, seq: me.nxt, ack: flags & TcpFlag.Ack ? me.rcv : 0, flags,
      win: me.win,
      ...(options !== undefined ? { options } : {}), ...(payload !== undefined ? { payload } : {}), payload_len: len,
    });
    me.ipid = (me.ipid + 1) & 0xffff;
    this.log.add(at, f, me.peer.ipid_host);
    this.packets++;
    me.last_sent = Math.max(me.last_sent, at);
    this.t = Math.max(this.t, at);
    if (flags & TcpFlag.Ack) me.unacked = 0;
  }

  /** When `from` can next act: after its own last packet, or after reacting to the other side's last packet. */
  private startTime(from: Side, delay: number): number {
    const me = this.sides[from];
    const other = this.sides[from === 'c' ? 's' : 'c'];
    const react = from === 'c' ? CLIENT_REACT_US : this.rtt_us + this.rng.int(30, 400);
    // A host needs a few µs between its own packets; reacting to the other side takes longer.
    return Math.max(me.last_sent + this.rng.int(5, 60), other.last_sent + react) + delay;
  }

  /**
   * SYN, SYN/ACK, ACK. `answer` 'none' sends the SYN and `retries` retransmissions with no reply;
   * 'rst' gets RST/ACK from a closed port. Returns true when established.
   */
  connect(answer: 'accept' | 'rst' | 'none' = 'accept', retries = 2): boolean {
    const c = this.sides.c;
    const s = this.sides.s;
    const t0 = this.t;
    const opts = synOptions(c.peer.stack, 1460, this.rng.u32());
    this.emit('c', t0, TcpFlag.Syn, undefined, 0, opts);
    if (answer === 'none') {
      // Retransmissions after 1 s, then 2 s more (RFC 6298 §5.5 backoff).
      for (let i = 1; i <= retries; i++) this.emit('c', t0 + ((1 << i) - 1) * 1_000_000 + this.rng.int(0, 40_000), TcpFlag.Syn, undefined, 0, opts);
      c.nxt++;
      return false;
    }
    c.nxt++;
    s.rcv = c.nxt;
    const t1 = t0 + this.rtt_us;
    if (answer === 'rst') {
      s.nxt = 0; // RFC 793 §3.4: the reset answering a SYN has seq 0
      s.win = 0;
      this.emit('s', t1, TcpFlag.Rst | TcpFlag.Ack);
      return false;
    }
    // SYN/ACK without timestamps: the client then sends none either (RFC 7323 §3.2).
    this.emit('s', t1, TcpFlag.Syn | TcpFlag.Ack, undefined, 0, Buffer.from([2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, SERVER_WSCALE]));
    s.nxt++;
    c.rcv = s.nxt;
    c.win = c.peer.stack === 'windows' ? 1026 : 2053;
    s.win = 1000;
    this.emit('c', t1 + CLIENT_REACT_US, TcpFlag.Ack);
    return true;
  }

  /** A scanner's half-open probe: SYN, then SYN/ACK from an open port and the scanner's RST (no handshake). */
  probe(open: boolean): void {
    const c = this.sides.c;
    const s = this.sides.s;
    c.win = 1024; // nmap's raw SYN: window 1024, MSS 1460 only
    this.emit('c', this.t, TcpFlag.Syn, undefined, 0, Buffer.from([2, 4, 0x05, 0xb4]));
    c.nxt++;
    s.rcv = c.nxt;
    const t1 = this.t + this.rtt_us;
    if (!open) {
      s.nxt = 0;
      s.win = 0;
      this.emit('s', t1, TcpFlag.Rst | TcpFlag.Ack);
      return;
    }
    this.emit('s', t1, TcpFlag.Syn | TcpFlag.Ack, undefined, 0, Buffer.from([2, 4, 0x05, 0xb4]));
    s.nxt++;
    c.win = 0;
    this.emit('c', t1 + CLIENT_REACT_US, TcpFlag.Rst);
  }

  private flushDelayedAck(side: Side, before: number): void {
    const me = this.sides[side];
    if (me.unacked === 0) return;
    const due = me.unacked_since + DELAYED_ACK_US[side] + (side === 's' ? this.rtt_us : CLIENT_REACT_US);
    if (due < before) this.emit(side, due, TcpFlag.Ack);
  }

  /** Sends application bytes from one side; the other side ACKs. Returns the capture time of the last data segment. */
  send(from: Side, pieces: readonly Piece[], o: SendOptions = {}): number {
    const me = this.sides[from];
    const to: Side = from === 'c' ? 's' : 'c';
    const peer = this.sides[to];
    const start = this.startTime(from, o.delay_us ?? 0);
    this.flushDelayedAck(from, start);
    const segs = segment(pieces, me.mss);
    const ackEvery = o.ack_every ?? 2;
    const serUs = ((me.mss + 54) * 8 * 1e6) / (o.rate_bps ?? 100e6);
    const ackDelay = to === 's' ? this.rtt_us : CLIENT_REACT_US;
    const times: number[] = [];
    const maxCwnd = Math.floor((peer.win * 2 ** (to === 's' ? SERVER_WSCALE : WSCALE[peer.peer.stack])) / me.mss) - 1;
    let cwnd = Math.min(INITIAL_CWND, maxCwnd);
    let at = start;
    for (let i = 0; i < segs.length; i++) {
      if (i > 0) at += serUs;
      const gate = i - Math.floor(cwnd);
      if (gate >= 0) at = Math.max(at, times[gate]! + this.rtt_us + CLIENT_REACT_US);
      cwnd = Math.min(cwnd + 1, maxCwnd);
      times.push(at);
    }
    // The capture point is a Linux gateway with GRO: back-to-back segments of one flow reach tcpdump as one large
    // frame (up to 64 KiB of IP). Receivers with GRO/RSC acknowledge each such batch (stretch ACKs).
    for (let i = 0; i < segs.length; ) {
      let j = i + 1;
      let len = segs[i]!.len;
      while (j < segs.length && j - i < GRO_MAX_SEGS && times[j]! - times[i]! <= GRO_WINDOW_US) len += segs[j++]!.len;
      const captured: Buffer[] = [];
      for (let k = i; k < j; k++) {
        const seg = segs[k]!;
        captured.push(seg.captured);
        if (seg.captured.length < seg.len) break;
      }
      const frameAt = times[j - 1]!;
      this.emit(from, frameAt, TcpFlag.Ack | (j === segs.length ? TcpFlag.Psh : 0), Buffer.concat(captured), len);
      me.nxt = (me.nxt + len) >>> 0;
      this.bytes[from] += len;
      peer.rcv = me.nxt;
      if (peer.unacked === 0) peer.unacked_since = frameAt;
      peer.unacked += j - i;
      if (peer.unacked >= ackEvery) this.emit(to, frameAt + ackDelay, TcpFlag.Ack);
      at = frameAt;
      i = j;
    }
    return at;
  }

  /** Lets time pass with no packets (a user reading the page, a keep-alive connection idling). */
  idle(us: number): void {
    this.flushDelayedAck('c', this.t + us);
    this.flushDelayedAck('s', this.t + us);
    this.sides.c.last_sent = Math.max(this.sides.c.last_sent, this.t + us);
    this.sides.s.last_sent = Math.max(this.sides.s.last_sent, this.t + us);
    this.t += us;
  }

  /** FIN/ACK from `from`, FIN/ACK back, last ACK; or a single RST/ACK (browsers abort idle connections that way). */
  close(from: Side, how: 'fin' | 'rst' = 'fin', delay_us = 0): void {
    const to: Side = from === 'c' ? 's' : 'c';
    const me = this.sides[from];
    const peer = this.sides[to];
    const start = this.startTime(from, delay_us);
    this.flushDelayedAck(from, start);
    this.flushDelayedAck(to, start);
    if (how === 'rst') {
      this.emit(from, start, TcpFlag.Rst | TcpFlag.Ack);
      return;
    }
    this.emit(from, start, TcpFlag.Fin | TcpFlag.Ack);
    me.nxt = (me.nxt + 1) >>> 0;
    peer.rcv = me.nxt;
    const react = to === 's' ? this.rtt_us : CLIENT_REACT_US;
    this.emit(to, start + react, TcpFlag.Fin | TcpFlag.Ack);
    peer.nxt = (peer.nxt + 1) >>> 0;
    me.rcv = peer.nxt;
    const back = from === 's' ? this.rtt_us : CLIENT_REACT_US;
    this.emit(from, start + react + back, TcpFlag.Ack);
  }
}

interface Segment {
  readonly captured: Buffer;
  readonly len: number;
}

/**
 * Cuts the byte stream into MSS-sized segments, as a socket with Nagle does. Each segment keeps its known bytes up to
 * the first opaque one; a segment that starts inside an opaque record is captured without payload, so no reader
 * mistakes ciphertext for a record header.
 */
function segment(pieces: readonly Piece[], mss: number): Segment[] {
  const out: Segment[] = [];
  let known: Buffer[] = [];
  let len = 0;
  let open = true;
  for (const p of pieces) {
    const size = p.size ?? p.data.length;
    for (let off = 0; off < size; ) {
      const take = Math.min(mss - len, size - off);
      if (open) {
        const knownEnd = Math.min(p.data.length, off + take);
        if (knownEnd > off) known.push(p.data.subarray(off, knownEnd));
        if (knownEnd < off + take) open = false;
      }
      off += take;
      len += take;
      if (len === mss) {
        out.push({ captured: Buffer.concat(known), len });
        known = [];
        len = 0;
        open = true;
      }
    }
  }
  if (len > 0) out.push({ captured: Buffer.concat(known), len });
  return out;
}
