/**
 * Zeek's TCP endpoint state machine, history letters and conn_state, re-implemented from the documented behaviour of
 * Zeek's TCPSessionAdapter / TCP_Endpoint / TCP_Reassembler and the `conn_state` function of
 * base/protocols/conn/main.zeek, checked against Zeek's btest baselines (test/flow/zeek_conn.test.ts).
 *
 * What is left out (and why it rarely changes a conn.log row): checksum validation (`C`/`c`, Zeek's -C is the
 * assumption), window scaling (only a zero window matters for `W`), the SYN/SYN-ACK reversal flip (nad flips a
 * first SYN-ACK when the flow is created), and full reassembly: content gaps (`G`, missed_bytes) come from one
 * out-of-order range per direction instead of Zeek's block list.
 * Runs per TCP packet: numbers only, no allocation.
 */
import { TcpFlag } from '../decode/layer.js';
import { EpState, seqDelta, TCP_ATTEMPT_DELAY_MS, TCP_CLOSE_DELAY_MS, type TcpConn, type TcpEndpoint, TWO32 } from './tcp_endpoint.js';

const TOO_LARGE_SEQ_DELTA = 1048576;

/** History bits (Zeek's HIST_*), orig in the low 16 bits, resp shifted by 16. */
const H_SYN = 0x1, H_FIN = 0x2, H_RST = 0x4, H_FIN_RST = 0x8, H_DATA = 0x10, H_ACK = 0x20, H_MULTI = 0x40;

/** A connection's history string and the letters already recorded (Zeek's Connection::CheckHistory). */
export interface ConnHistory {
  history: string;
  hist_seen: number;
}

/** Records `code` (upper case) once per direction: returns true when it had been seen already. */
export function checkHistory(h: ConnHistory, is_orig: boolean, mask: number, code: string): boolean {
  const m = is_orig ? mask : mask << 16;
  if ((h.hist_seen & m) !== 0) return true;
  h.hist_seen |= m;
  h.history += is_orig ? code : code.toLowerCase();
  return false;
}

function scaled(h: ConnHistory, code: string, cnt: number, thresh: number): number {
  // Returns the new threshold; a letter is added at the 1st, 10th, 100th … occurrence (Zeek's ScaledHistoryEntry).
  if (cnt === thresh) { h.history += code; return thresh * 10; }
  return thresh;
}

function updateHistory(h: ConnHistory, flags: number, e: TcpEndpoint, rel_seq: number, len: number): void {
  const syn = (flags & TcpFlag.Syn) !== 0, fin = (flags & TcpFlag.Fin) !== 0, rst = (flags & TcpFlag.Rst) !== 0;
  const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  const o = e.is_orig;
  if (bits > 1) {
    if (fin && rst) checkHistory(h, o, H_FIN_RST, 'I');
    else checkHistory(h, o, H_MULTI, 'Q');
  } else if (bits === 1) {
    // S/H, F and R repeat when the sequence number changes (a new SYN, FIN or RST rather than a retransmission).
    if (syn) {
      const code = (flags & TcpFlag.Ack) !== 0 ? 'H' : 'S';
      if (checkHistory(h, o, H_SYN, code) && rel_seq !== e.hist_last_syn) h.history += o ? code : code.toLowerCase();
      e.hist_last_syn = rel_seq;
    }
    if (fin) {
      if (checkHistory(h, o, H_FIN, 'F') && rel_seq + len !== e.hist_last_fin) h.history += o ? 'F' : 'f';
      e.hist_last_fin = rel_seq + len;
    }
    if (rst) {
      if (checkHistory(h, o, H_RST, 'R') && rel_seq !== e.hist_last_rst) h.history += o ? 'R' : 'r';
      e.hist_last_rst = rel_seq;
    }
  } else if (len > 0) checkHistory(h, o, H_DATA, 'D');
  else if ((flags & TcpFlag.Ack) !== 0) checkHistory(h, o, H_ACK, 'A');
}

function isClean(x: TcpEndpoint): boolean {
  return x.state === EpState.Established || (x.state === EpState.Closed && x.prev_state === EpState.Established);
}

/** Zeek counts a gap (letter G, missed_bytes) only while both sides are established or closing cleanly. */
function gap(h: ConnHistory, e: TcpEndpoint, peer: TcpEndpoint, len: number): void {
  if (!isClean(e) || !isClean(peer)) return;
  e.gap_cnt++;
  e.gap_thresh = scaled(h, e.is_orig ? 'G' : 'g', e.gap_cnt, e.gap_thresh);
  e.missed_bytes += len;
}

/** The peer acknowledged `seq` (relative) of e's data: bytes below it that never arrived are a content gap. */
function ackReceived(c: TcpConn, h: ConnHistory, e: TcpEndpoint, peer: TcpEndpoint, ack: number): void {
  let seq = ack;
  if (e.fin_cnt > 0 && seq >= e.fin_seq) seq = e.fin_seq - 1;
  if (seq <= e.trim) return;
  e.trim = seq;
  if (seq <= e.reassem) return;
  if (seq <= 2 && c.is_partial) return;
  if (e.ooo_hi > e.ooo_lo && e.ooo_lo < seq) {
    if (e.ooo_lo > e.reassem) gap(h, e, peer, e.ooo_lo - e.reassem);
    if (e.ooo_hi > e.reassem) e.reassem = e.ooo_hi;
    e.ooo_lo = e.ooo_hi = 0;
  }
  if (seq > e.reassem) { gap(h, e, peer, seq - e.reassem); e.reassem = seq; }
}

/** Payload [seq, seq+len) of e was captured in full. */
function dataSent(e: TcpEndpoint, rel_data_seq: number, len: number): void {
  let seq = rel_data_seq;
  const upper = seq + len;
  const acked = e.ack_wraps * TWO32 + (e.ack_seq >>> 0) - (e.start_seq >>> 0);
  if (seq < acked) { if (upper <= acked) return; seq = acked; }
  if (upper <= e.reassem) return;
  if (seq <= e.reassem) {
    e.reassem = upper;
    if (e.ooo_hi > e.ooo_lo && e.ooo_lo <= e.reassem) {
      if (e.ooo_hi > e.reassem) e.reassem = e.ooo_hi;
      e.ooo_lo = e.ooo_hi = 0;
    }
  } else if (e.ooo_hi === e.ooo_lo) { e.ooo_lo = seq; e.ooo_hi = upper; }
  else { if (seq < e.ooo_lo) e.ooo_lo = seq; if (upper > e.ooo_hi) e.ooo_hi = upper; }
}

function initEndpoint(e: TcpEndpoint, flags: number, seq: number, last: number): void {
  const syn = (flags & TcpFlag.Syn) !== 0;
  switch (e.state) {
    case EpState.Inactive:
      // A partial connection is numbered as though a SYN had been seen, so relative numbers stay consistent.
      if (syn) e.initSeqs(seq, last);
      else e.initSeqs(seq - 1, seq);
      break;
    case EpState.SynSent:
    case EpState.SynAckSent:
      if (syn && (seq | 0) !== e.start_seq) e.initSeqs(seq, last);
      break;
    case EpState.Established:
    case EpState.Partial:
      if (syn) e.initSeqs(seq, last);
      break;
    case EpState.Reset:
      if (syn && e.prev_state === EpState.Inactive) e.initSeqs(seq, last);
      break;
    default:
      break;
  }
}

function updateLastSeq(h: ConnHistory, e: TcpEndpoint, last: number, flags: number, len: number): number {
  const delta = seqDelta(last, e.last_seq);
  if ((flags & (TcpFlag.Syn | TcpFlag.Rst)) !== 0 && (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA)) {
    // Out-of-window SYN/RST sequence numbers are not trusted.
  } else if ((flags & TcpFlag.Fin) !== 0 && e.last_seq === ((e.start_seq + 1) | 0)) {
    // Only SYN and FIN seen (e.g. > 2 GB connections): take the FIN's number even if it looks older.
    if (last < e.last_seq >>> 0 && delta > 0) e.seq_wraps++;
    e.last_seq = last | 0;
  } else if (e.state === EpState.Reset) {
    // After a RST no sequence number is trusted.
  } else if (delta > 0) {
    if (last < e.last_seq >>> 0) e.seq_wraps++;
    e.last_seq = last | 0;
  } else if (len > 0) {
    e.rxmt_cnt++;
    e.rxmt_thresh = scaled(h, e.is_orig ? 'T' : 't', e.rxmt_cnt, e.rxmt_thresh);
  }
  return delta;
}

function updateAckSeq(e: TcpEndpoint, ack: number): void {
  const delta = seqDelta(ack, e.ack_seq);
  if (ack === 0 && delta > TOO_LARGE_SEQ_DELTA) return; // more likely a broken ack than a wrap landing on 0
  if (delta > 0) {
    if (ack < e.ack_seq >>> 0) e.ack_wraps++;
    e.ack_seq = ack | 0;
  }
}

function connectionClosed(c: TcpConn, e: TcpEndpoint, peer: TcpEndpoint, last_ms: number): void {
  if (e.did_close) return;
  e.did_close = true;
  if (e.state === EpState.Reset || peer.did_close || peer.state === EpState.Inactive) {
    // Zeek cancels the other timers and removes the connection tcp_close_delay after its last activity.
    c.attempt_ms = 0;
    if (c.close_ms === 0) c.close_ms = Math.max(1, last_ms + TCP_CLOSE_DELAY_MS);
  }
}

/** Returns do_close (bit 0). */
function stateMachine(c: TcpConn, e: TcpEndpoint, peer: TcpEndpoint, flags: number, len: number, delta_last: number, is_orig: boolean, t: number): boolean {
  const syn = (flags & TcpFlag.Syn) !== 0, fin = (flags & TcpFlag.Fin) !== 0, rst = (flags & TcpFlag.Rst) !== 0, ack = (flags & TcpFlag.Ack) !== 0;
  let doClose = false;
  switch (e.state) {
    case EpState.Inactive:
      if (syn) {
        if (is_orig) {
          e.setState(ack ? EpState.SynAckSent : EpState.SynSent);
          const at = Math.max(1, t + TCP_ATTEMPT_DELAY_MS);
          if (c.attempt_ms === 0 || at < c.attempt_ms) c.attempt_ms = at;
        } else {
          if (peer.state === EpState.SynSent) peer.setState(EpState.Established);
          e.setState(EpState.Established);
        }
      }
      if (fin) { e.setState(EpState.Closed); doClose = true; }
      if (rst) { e.setState(EpState.Reset); doClose = true; }
      if (e.state === EpState.Inactive) {
        if (!is_orig && len === 0 && c.orig.state === EpState.SynSent) {
          // Some stacks ack the SYN before answering it: not a partial connection yet.
        } else if (ack && peer.state === EpState.Established) {
          // SYN-ACK seen without the SYN, now a pure ACK: the handshake happened, the SYN was missed.
          e.setState(EpState.Established);
          c.is_partial = false;
        } else e.setState(EpState.Partial);
      }
      break;
    case EpState.SynSent:
    case EpState.SynAckSent:
      if (fin) { e.setState(EpState.Closed); doClose = true; }
      if (rst) { e.setState(EpState.Reset); doClose = true; }
      break;
    case EpState.Established:
    case EpState.Partial:
      if (syn && e.state === EpState.Partial && peer.state === EpState.Inactive && !ack) e.setState(EpState.SynSent);
      if (fin && !rst) {
        e.setState(EpState.Closed);
        // FIN after the peer's FIN+RST: the RST was a normal close.
        if (peer.state === EpState.Reset && peer.prev_state === EpState.Closed) peer.setState(EpState.Closed);
        doClose = true;
      }
      if (rst) { e.setState(EpState.Reset); doClose = true; }
      break;
    case EpState.Closed:
      if (fin && delta_last > 0) { /* FIN advanced last seq: a weird in Zeek, no state change */ }
      if (rst && peer.state !== EpState.Closed) {
        e.setState(EpState.Reset);
        if (!e.did_close) doClose = true;
      }
      break;
    default:
      break;
  }
  return doClose;
}

/**
 * One TCP packet of a connection (Zeek's TCPSessionAdapter::Process, minus checksums and analyzers).
 * `len` is the payload length the headers claim, `captured` the payload bytes present; `t` the packet's time and
 * `last_ms` the connection's last-activity time after it, both in the table's milliseconds.
 */
export function tcpPacket(
  c: TcpConn, h: ConnHistory, is_orig: boolean, flags: number, seq_in: number, ack_in: number, win: number,
  len: number, captured: number, t: number, last_ms: number,
): void {
  const e = is_orig ? c.orig : c.resp;
  const peer = is_orig ? c.resp : c.orig;
  const seq = seq_in >>> 0, ackNo = ack_in >>> 0;
  const syn = (flags & TcpFlag.Syn) !== 0, rst = (flags & TcpFlag.Rst) !== 0, ack = (flags & TcpFlag.Ack) !== 0;
  // Zeek's SetPartialStatus: partial unless the originator's first packet is a bare SYN and the responder's has SYN.
  if (is_orig) { if ((c.first_seen & 1) === 0) c.is_partial = !syn || ack; }
  else if ((c.first_seen & 2) === 0 && !c.is_partial) c.is_partial = !syn;
  let segLen = len + (syn ? 1 : 0) + ((flags & TcpFlag.Fin) !== 0 ? 1 : 0);
  if (rst) segLen -= len; // data on a RST is not part of the stream
  const onePast = (seq + segLen) >>> 0;
  initEndpoint(e, flags, seq, onePast);
  const relSeq = e.relSeq(seq, e.last_seq >>> 0, e.seq_wraps);
  const underflow = relSeq < 0;
  updateHistory(h, flags, e, relSeq, len);
  // Zero window (W/w): not on or after a RST, nor after the peer's FIN.
  if (win === 0 && !rst && peer.state !== EpState.Closed && e.state !== EpState.Reset) {
    e.win0_cnt++;
    e.win0_thresh = scaled(h, e.is_orig ? 'W' : 'w', e.win0_cnt, e.win0_thresh);
  }
  if ((flags & TcpFlag.Fin) !== 0) { e.fin_cnt++; e.fin_seq = relSeq + segLen; }
  let relAck = 0;
  if (ack) {
    if (peer.state === EpState.Inactive) {
      relAck = 1;
      peer.initSeqs(ackNo - 1, ackNo - 1);
    } else {
      relAck = peer.relSeq(ackNo, peer.ack_seq >>> 0, peer.ack_wraps);
      if (relAck < 0) relAck = 0;
      else if (!rst) updateAckSeq(peer, ackNo); // acks on a RST are not trusted
    }
  }
  const deltaLast = updateLastSeq(h, e, onePast, flags, len);
  const doClose = stateMachine(c, e, peer, flags, len, deltaLast, is_orig, t);
  if (ack) ackReceived(c, h, peer, e, relAck);
  c.first_seen |= is_orig ? 1 : 2;
  if (len > 0 && captured >= len && !rst && !underflow) dataSent(e, syn ? relSeq + 1 : relSeq, len);
  if (doClose) connectionClosed(c, e, peer, last_ms);
}

/** Zeek's conn_state for a TCP connection (base/protocols/conn/main.zeek, function conn_state). */
export function tcpConnState(c: TcpConn, history: string): string {
  const os = c.orig.state, rs = c.resp.state;
  const oInactive = os === EpState.Inactive || os === EpState.Partial;
  const rInactive = rs === EpState.Inactive || rs === EpState.Partial;
  if (rs === EpState.Reset) {
    if (os === EpState.SynSent || os === EpState.SynAckSent || (os === EpState.Reset && c.orig.size(c.resp) === 0 && c.resp.size(c.orig) === 0)) return 'REJ';
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (os === EpState.Reset) {
    if (rInactive) return RSTOS0_HISTORY.test(history) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === EpState.Closed && os === EpState.Closed) return 'SF';
  if (os === EpState.Closed) return rInactive ? 'SH' : 'S2';
  if (rs === EpState.Closed) return oInactive ? 'SHR' : 'S3';
  if (os === EpState.SynSent && rs === EpState.Inactive) return 'S0';
  if (os === EpState.Established && rs === EpState.Established) return 'S1';
  return 'OTH';
}

/** Zeek: originator SYN, then an originator RST with no originator H A F G I Q between (responder letters allowed). */
const RSTOS0_HISTORY = /^\^?S[^HAFGIQ]*R/;

