/**
 * The frames of one decrypted QUIC packet (RFC 9000 §19; DATAGRAM RFC 9221; ACK_FREQUENCY and IMMEDIATE_ACK of
 * draft-ietf-quic-ack-frequency): CRYPTO and STREAM data go to the visitor, NEW_CONNECTION_ID's length too (it
 * says how long the short headers' connection IDs are); the others are stepped over. An unknown frame type or a
 * field running past the packet ends the walk (its length cannot be known), and the walk says so.
 */
import { readVarint, varintLen } from './initial.js';

export interface FrameVisitor {
  crypto(offset: number, data: Buffer, from: number, to: number): void;
  stream(id: number, offset: number, data: Buffer, from: number, to: number, fin: boolean): void;
  newConnectionId(length: number): void;
}

/** Varint fields after the type, for the frames that are nothing else. */
const FIXED: ReadonlyMap<number, number> = new Map([
  [0x04, 3], // RESET_STREAM: id, error, final size
  [0x05, 2], // STOP_SENDING: id, error
  [0x10, 1], // MAX_DATA
  [0x11, 2], // MAX_STREAM_DATA
  [0x12, 1], // MAX_STREAMS (bidi)
  [0x13, 1], // MAX_STREAMS (uni)
  [0x14, 1], // DATA_BLOCKED
  [0x15, 2], // STREAM_DATA_BLOCKED
  [0x16, 1], // STREAMS_BLOCKED (bidi)
  [0x17, 1], // STREAMS_BLOCKED (uni)
  [0x19, 1], // RETIRE_CONNECTION_ID
  [0x1e, 0], // HANDSHAKE_DONE
  [0x1f, 0], // IMMEDIATE_ACK
  [0xaf, 4], // ACK_FREQUENCY: sequence, threshold, max ack delay, reordering threshold
]);

/** Walks b[0, end); true when every frame was understood. */
export function walkFrames(b: Buffer, end: number, v: FrameVisitor): boolean {
  let o = 0;
  // One varint read: its value, with o moved past it; -1 (and the walk ends) when it runs past the end.
  const next = (): number => {
    const x = readVarint(b, o, end);
    if (x >= 0) o += varintLen(b, o);
    return x;
  };
  while (o < end) {
    const t = next();
    if (t < 0) return false;
    if (t === 0x00 || t === 0x01) continue; // PADDING, PING
    if (t === 0x02 || t === 0x03) {
      // ACK: largest, delay, range count, first range, then (gap, length) per range, ECN counts for 0x03.
      if (next() < 0 || next() < 0) return false;
      const ranges = next();
      if (ranges < 0 || next() < 0) return false;
      const more = 2 * Math.min(ranges, 1 << 16) + (t === 0x03 ? 3 : 0);
      for (let i = 0; i < more; i++) if (next() < 0) return false;
      if (ranges > 1 << 16) return false;
    } else if (t === 0x06) {
      const at = next();
      const n = next();
      if (at < 0 || n < 0 || o + n > end) return false;
      v.crypto(at, b, o, o + n);
      o += n;
    } else if (t === 0x07) {
      const n = next(); // NEW_TOKEN
      if (n < 0 || o + n > end) return false;
      o += n;
    } else if (t >= 0x08 && t <= 0x0f) {
      const id = next();
      const at = t & 0x04 ? next() : 0;
      const n = t & 0x02 ? next() : end - o;
      if (id < 0 || at < 0 || n < 0 || o + n > end) return false;
      v.stream(id, at, b, o, o + n, (t & 0x01) !== 0);
      o += n;
    } else if (t === 0x18) {
      // NEW_CONNECTION_ID: sequence, retire prior to, length (1 byte), the ID, a 16-byte reset token.
      if (next() < 0 || next() < 0 || o >= end) return false;
      const len = b[o]!;
      if (len < 1 || len > 20 || o + 1 + len + 16 > end) return false;
      v.newConnectionId(len);
      o += 1 + len + 16;
    } else if (t === 0x1a || t === 0x1b) {
      o += 8; // PATH_CHALLENGE, PATH_RESPONSE
      if (o > end) return false;
    } else if (t === 0x1c || t === 0x1d) {
      // CONNECTION_CLOSE: error, (transport: frame type), reason length, reason.
      if (next() < 0 || (t === 0x1c && next() < 0)) return false;
      const n = next();
      if (n < 0 || o + n > end) return false;
      o += n;
    } else if (t === 0x30 || t === 0x31) {
      const n = t === 0x31 ? next() : end - o; // DATAGRAM
      if (n < 0 || o + n > end) return false;
      o += n;
    } else {
      const fields = FIXED.get(t);
      if (fields === undefined) return false;
      for (let i = 0; i < fields; i++) if (next() < 0) return false;
    }
  }
  return true;
}
