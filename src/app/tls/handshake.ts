/**
 * One direction of a TLS connection up to the end of its cleartext handshake: TCP bytes (StreamBuf, by sequence
 * number) → records (RFC 8446 §5.1) → handshake messages (§4), which may span records. Bounded: at most
 * HELLO_CAP bytes buffered per direction, so a 300 KB certificate chain is dropped, not buffered.
 */
import { StreamBuf } from '../stream.js';

/** Buffer cap per direction; ClientHellos with post-quantum key shares reach ~1.8 KB, certificate chains 5–15 KB. */
export const HELLO_CAP = 64 * 1024;

const EMPTY = Buffer.alloc(0);
const REC_CHANGE_CIPHER_SPEC = 20;
const REC_ALERT = 21;
const REC_HANDSHAKE = 22;
const REC_APPLICATION_DATA = 23;
const REC_HEARTBEAT = 24;

/** Receives complete handshake messages: body is buf[off, end). Returns true when this direction needs no more. */
export interface HandshakeSink {
  message(type: number, buf: Buffer, off: number, end: number): boolean;
  /** A ChangeCipherSpec record arrived: true to read on (TLS 1.3 middlebox compatibility, RFC 8446 §D.4). */
  readPastChangeCipherSpec(): boolean;
}

export class HandshakeSide {
  readonly stream = new StreamBuf(HELLO_CAP);
  /** Handshake-layer bytes gathered from consecutive handshake records. */
  private hs: Buffer = EMPTY;
  private hsLen = 0;
  done = false;
  /** Records or messages that did not parse (counted, the side then stops). */
  malformed = 0;

  /** Walks every complete record now buffered; the caller then calls stream.keep(). */
  pump(sink: HandshakeSink): void {
    const sb = this.stream;
    while (!this.done && sb.len >= 5) {
      const b = sb.data;
      const o = sb.start;
      const type = b[o]!;
      const len = b.readUInt16BE(o + 3);
      if (type < REC_CHANGE_CIPHER_SPEC || type > REC_HEARTBEAT || b[o + 1] !== 3) {
        this.malformed++;
        this.finish();
        return;
      }
      if (type !== REC_HANDSHAKE) {
        // ChangeCipherSpec, encrypted data or an alert: nothing cleartext follows that we need.
        if (type === REC_APPLICATION_DATA || type === REC_ALERT) this.finish();
        else if (type === REC_CHANGE_CIPHER_SPEC && !sink.readPastChangeCipherSpec()) this.finish();
        else sb.consumeOrSkip(5 + len);
        continue;
      }
      if (sb.len < 5 + len) {
        if (5 + len > HELLO_CAP || sb.overflow) this.finish();
        return;
      }
      sb.consume(5 + len);
      if (this.hsLen === 0) {
        // Usual case: whole messages inside one record, read in place; only a split message's head is copied.
        const used = this.messagesIn(sink, b, o + 5, o + 5 + len);
        if (!this.done && used < o + 5 + len && !this.appendHandshake(b, used, o + 5 + len)) this.finish();
      } else if (!this.appendHandshake(b, o + 5, o + 5 + len)) {
        this.finish();
      } else {
        this.messages(sink);
      }
    }
    if (sb.overflow) this.finish();
  }

  finish(): void {
    this.done = true;
    this.stream.release();
    this.hs = EMPTY;
    this.hsLen = 0;
  }

  private appendHandshake(src: Buffer, off: number, end: number): boolean {
    const need = this.hsLen + (end - off);
    if (need > HELLO_CAP) return false;
    if (need > this.hs.length) {
      const grown = Buffer.allocUnsafe(Math.min(HELLO_CAP, Math.max(need, this.hs.length * 2, 2048)));
      this.hs.copy(grown, 0, 0, this.hsLen);
      this.hs = grown;
    }
    src.copy(this.hs, this.hsLen, off, end);
    this.hsLen = need;
    return true;
  }

  /** Hands every complete message in buf[off, end) to the sink; returns where the unread rest starts. */
  private messagesIn(sink: HandshakeSink, buf: Buffer, off: number, end: number): number {
    let o = off;
    while (!this.done && end - o >= 4) {
      const type = buf[o]!;
      const len = buf.readUIntBE(o + 1, 3);
      if (end - o - 4 < len) break;
      if (sink.message(type, buf, o + 4, o + 4 + len)) {
        this.finish();
        return end;
      }
      o += 4 + len;
    }
    return o;
  }

  private messages(sink: HandshakeSink): void {
    const o = this.messagesIn(sink, this.hs, 0, this.hsLen);
    if (o > 0 && !this.done) {
      this.hs.copy(this.hs, 0, o, this.hsLen);
      this.hsLen -= o;
    }
  }
}

/** Does the payload start a TLS handshake record holding `msg` (1 ClientHello, 2 ServerHello)? RFC 8446 §5.1. */
export function startsHandshake(buf: Buffer, off: number, end: number, msg: number): boolean {
  return end - off >= 6 && buf[off] === REC_HANDSHAKE && buf[off + 1] === 3 && buf[off + 2]! <= 4 && buf[off + 5] === msg;
}
