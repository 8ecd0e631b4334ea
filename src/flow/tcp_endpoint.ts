/**
 * Zeek's TCP endpoint state (TCP_Endpoint) and the per-connection timers, as plain per-flow objects. Sequence numbers
 * are relative to each endpoint's initial sequence number, 64-bit through a wrap counter (Zeek's seq_wraps).
 */
import { TcpFlag } from '../decode/layer.js';

export const EpState = { Inactive: 0, SynSent: 1, SynAckSent: 2, Partial: 3, Established: 4, Closed: 5, Reset: 6 } as const;

export const TWO32 = 4294967296;
/** Zeek's tcp_close_delay and tcp_attempt_delay (init-bare.zeek): 5 s each, in the table's milliseconds. */
export const TCP_CLOSE_DELAY_MS = 5000;
export const TCP_ATTEMPT_DELAY_MS = 5000;

/** a - b in 32-bit sequence space, as a signed distance (Zeek's seq_delta). */
export function seqDelta(a: number, b: number): number {
  return (a - b) | 0;
}

export class TcpEndpoint {
  readonly is_orig: boolean;
  state: number = EpState.Inactive;
  prev_state: number = EpState.Inactive;
  /** Sequence numbers stored as int32 (`| 0`, read back with `>>> 0`): a uint32 above 2^31 would be a boxed double. */
  start_seq = 0;
  last_seq = 0;
  ack_seq = 0;
  seq_wraps = 0;
  ack_wraps = 0;
  hist_last_syn = 0;
  hist_last_fin = 0;
  hist_last_rst = 0;
  fin_cnt = 0;
  /** Relative sequence number just past the FIN. */
  fin_seq = 0;
  did_close = false;
  /** Logarithmic letters (T W G): count and next threshold (1, 10, 100, …). */
  rxmt_cnt = 0;
  rxmt_thresh = 1;
  win0_cnt = 0;
  win0_thresh = 1;
  gap_cnt = 0;
  gap_thresh = 1;
  /** Reassembly in relative sequence space: delivered up to `reassem`, acked up to `trim`, one range above a hole. */
  reassem = 1;
  trim = 1;
  ooo_lo = 0;
  ooo_hi = 0;
  missed_bytes = 0;
  constructor(is_orig: boolean) {
    this.is_orig = is_orig;
  }

  setState(s: number): void {
    if (s !== this.state) { this.prev_state = this.state; this.state = s; }
  }

  /** Payload size from sequence numbers (Zeek's TCP_Endpoint::Size). */
  size(peer: TcpEndpoint): number {
    if (this.prev_state === EpState.SynSent && this.state === EpState.Reset && peer.state === EpState.Inactive && !this.noDataAcked()) return 0;
    const last64 = this.seq_wraps * TWO32 + (this.last_seq >>> 0);
    const ack64 = this.ack_wraps * TWO32 + (this.ack_seq >>> 0);
    let size = (last64 > ack64 ? last64 : ack64) - (this.start_seq >>> 0);
    if (size < 0) size = 0;
    if (size !== 0) size--; // the SYN's octet
    if (this.fin_cnt > 0 && size !== 0) size--; // the FIN's octet
    return size;
  }

  noDataAcked(): boolean {
    return this.ack_wraps === 0 && (this.ack_seq === this.start_seq || this.ack_seq === ((this.start_seq + 1) | 0));
  }

  relSeq(cur: number, last: number, wraps: number): number {
    const delta = seqDelta(cur, last);
    let w = wraps;
    if (delta < 0) { if (w > 0 && cur > last) w--; } else if (delta > 0) { if (cur < last) w++; }
    if (w === 0) return seqDelta(cur, this.start_seq);
    return w * TWO32 + cur - (this.start_seq >>> 0);
  }

  initSeqs(start: number, last: number): void {
    this.start_seq = start | 0;
    this.ack_seq = start | 0;
    this.last_seq = last | 0;
    this.seq_wraps = 0;
    this.ack_wraps = 0;
  }
}

/** Per-connection TCP state: both endpoints plus the timers that end a connection early. */
export class TcpConn {
  orig = new TcpEndpoint(true);
  resp = new TcpEndpoint(false);
  /** Zeek's is_partial: the connection did not start with a clean SYN. Gaps at its very start are not reported. */
  is_partial = false;
  first_seen = 0;
  /** Table time (ms, see table.ts) after which the connection is removed: close/reset delay. 0 = none. */
  close_ms = 0;
  /** Zeek's AttemptTimer: a SYN that got no answer is given up after tcp_attempt_delay. 0 = none. */
  attempt_ms = 0;

  /** Whether the attempt timer has fired by `now` and still applies (Zeek removes the connection then). */
  attemptExpired(now: number): boolean {
    if (this.attempt_ms === 0 || now < this.attempt_ms) return false;
    const os = this.orig.state;
    if ((os === EpState.SynSent || os === EpState.SynAckSent) && this.resp.state === EpState.Inactive) return true;
    this.attempt_ms = 0;
    return false;
  }

  /** Zeek's IsReuse: a new initial SYN on a known 5-tuple starts a new connection. */
  isReuse(flags: number, seq: number): boolean {
    if ((flags & TcpFlag.Syn) === 0) return false;
    let connOrig = this.orig;
    if ((flags & TcpFlag.Ack) !== 0) {
      if (this.orig.state !== EpState.Inactive) return false;
      connOrig = this.resp;
    }
    if (!this.orig.did_close && !this.resp.did_close) {
      if ((seq | 0) === connOrig.start_seq) return false;
      if ((flags & TcpFlag.Ack) === 0 && connOrig.state === EpState.SynAckSent && this.resp.state === EpState.Inactive && (seq | 0) === this.resp.start_seq) return false;
    }
    return true;
  }

  /** Whether the connection's last-activity time still moves (Zeek stops it once both sides have closed). */
  lastTimeMoves(): boolean {
    return !this.orig.did_close || !this.resp.did_close;
  }
}
