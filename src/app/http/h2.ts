/**
 * HTTP/2 (RFC 9113) per transaction, from a connection's two byte streams (decrypted TLS, app/tls/decrypt_hook.ts):
 * the client preface, then frames (§4.1); HEADERS and CONTINUATION blocks go through one HPACK decoder a direction
 * (hpack.ts); DATA is counted, typed and hashed as it passes (body.ts), never buffered. One HttpRecord per client
 * stream, as http.csv rows with version `2`: method, :authority (or Host), :path, User-Agent, Referer, the response's
 * :status and Content-Type, the DATA bytes each way (padding left out), the bodies' types and hashes, and JA4H. Server-pushed streams keep the decoders in step and make no row. Bounded: a frame that
 * is not one, or a header block that does not decode, ends the connection's reading (counted in http_malformed).
 */
import type { FlowView } from '../../flow/conn.js';
import type { HttpRecord } from '../records.js';
import type { AppStats } from '../stats.js';
import { Exchanges } from './exchanges.js';
import type { FileExtractor } from './extract.js';
import { HpackDecoder } from './hpack.js';

export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

const DATA = 0;
const HEADERS = 1;
const PUSH_PROMISE = 5;
const CONTINUATION = 9;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;

/** A frame longer than this is not read (SETTINGS_MAX_FRAME_SIZE allows 2^24 - 1; DATA, which may be that long, is skipped, not buffered). */
const MAX_BUFFERED_FRAME = 1 << 20;
/** A header block (HEADERS + CONTINUATIONs) larger than this ends the reading. */
const MAX_BLOCK = 1 << 18;

class Direction {
  readonly hpack = new HpackDecoder();
  /** Bytes of an incomplete frame header or non-DATA frame. */
  pending: Buffer | null = null;
  /** The rest of a DATA frame still to arrive: its data bytes, then its padding; the stream; whether it ends the stream. */
  skipData = 0;
  skipPad = 0;
  skipStream = 0;
  skipEnd = false;
  /** A header block waiting for its CONTINUATIONs: the stream, its fragments, and whether it is a push promise. */
  block: { stream: number; parts: Buffer[]; size: number; push: boolean; end: boolean } | null = null;
}

export class H2Connection {
  private readonly dirs: [client: Direction, server: Direction] = [new Direction(), new Direction()];
  /** Client preface bytes still expected. */
  private preface = H2_PREFACE.length;
  private readonly pushed = new Set<number>();
  private readonly ex: Exchanges;
  dead = false;

  constructor(private readonly stats: AppStats, flow: FlowView, extract: FileExtractor | null = null) {
    this.ex = new Exchanges(stats, flow, '2', extract);
  }

  /** One record per client stream, in the order the requests came. */
  get trans(): readonly HttpRecord[] {
    return this.ex.trans;
  }

  /** The next bytes of one direction, in order; ts is the time of the packet they completed in. */
  push(client: boolean, data: Buffer, ts_sec: number, ts_nsec: number): void {
    if (this.dead) return;
    let b = data;
    if (client && this.preface > 0) {
      const n = Math.min(this.preface, b.length);
      const at = H2_PREFACE.length - this.preface;
      if (b.compare(H2_PREFACE, at, at + n, 0, n) !== 0) return this.fail();
      this.preface -= n;
      b = b.subarray(n);
    }
    const d = this.dirs[client ? 0 : 1];
    if (d.skipData + d.skipPad > 0) {
      const n = Math.min(d.skipData, b.length);
      this.ex.data(client, d.skipStream, b, 0, n);
      d.skipData -= n;
      const pad = Math.min(d.skipPad, b.length - n);
      d.skipPad -= pad;
      b = b.subarray(n + pad);
      if (d.skipData + d.skipPad === 0 && d.skipEnd) this.ex.endStream(client, d.skipStream);
    }
    if (d.pending !== null) {
      b = Buffer.concat([d.pending, b]);
      d.pending = null;
    }
    let o = 0;
    while (!this.dead && b.length - o >= 9) {
      const len = b.readUIntBE(o, 3);
      const type = b[o + 3]!;
      const flags = b[o + 4]!;
      const stream = b.readUInt32BE(o + 5) & 0x7fffffff;
      if (type === DATA) {
        // §6.1: [pad length] data [padding]. The pad length byte must be here to know where the data ends.
        const padded = (flags & PADDED) !== 0;
        if (padded && b.length - o < 10) break;
        const pad = padded ? b[o + 9]! : 0;
        const dataLen = len - (padded ? 1 : 0) - pad;
        if (dataLen < 0) return this.fail();
        const from = o + 9 + (padded ? 1 : 0);
        const have = Math.min(dataLen, b.length - from);
        this.ex.data(client, stream, b, from, from + have);
        const padHave = Math.min(pad, b.length - from - have);
        o = from + have + padHave;
        const end = (flags & END_STREAM) !== 0;
        if (have < dataLen || padHave < pad) {
          d.skipData = dataLen - have;
          d.skipPad = pad - padHave;
          d.skipStream = stream;
          d.skipEnd = end;
        } else if (end) this.ex.endStream(client, stream);
        continue;
      }
      if (len > MAX_BUFFERED_FRAME) return this.fail();
      if (b.length - o < 9 + len) break;
      this.frame(client, d, type, flags, stream, b.subarray(o + 9, o + 9 + len), ts_sec, ts_nsec);
      o += 9 + len;
    }
    if (!this.dead && o < b.length) d.pending = Buffer.from(b.subarray(o));
  }

  private fail(): void {
    this.stats.http_malformed++;
    this.dead = true;
    this.dirs[0].pending = this.dirs[1].pending = null;
  }

  /** The connection ended: bodies still open are typed, not hashed (they were not seen whole). */
  finish(): void {
    this.ex.finish();
  }

  private frame(client: boolean, d: Direction, type: number, flags: number, stream: number, payload: Buffer, ts_sec: number, ts_nsec: number): void {
    if (d.block !== null) {
      // §6.10: nothing but the block's CONTINUATIONs may come between HEADERS and END_HEADERS.
      if (type !== CONTINUATION || stream !== d.block.stream) return this.fail();
      d.block.parts.push(payload);
      d.block.size += payload.length;
      if (d.block.size > MAX_BLOCK) return this.fail();
      if (flags & END_HEADERS) {
        const { parts, push, end } = d.block;
        d.block = null;
        this.headerBlock(client, d, stream, Buffer.concat(parts), push, ts_sec, ts_nsec);
        if (end) this.ex.endStream(client, stream);
      }
      return;
    }
    if (type !== HEADERS && type !== PUSH_PROMISE) return; // SETTINGS, WINDOW_UPDATE, PING, PRIORITY, RST_STREAM, GOAWAY, extensions
    let o = 0;
    let end = payload.length;
    if (flags & PADDED) {
      if (end < 1) return this.fail();
      end -= payload[0]!;
      o = 1;
    }
    let target = stream;
    if (type === PUSH_PROMISE) {
      if (end - o < 4) return this.fail();
      target = payload.readUInt32BE(o) & 0x7fffffff;
      this.pushed.add(target);
      o += 4;
    } else if (flags & PRIORITY) o += 5;
    if (o > end) return this.fail();
    const fragment = payload.subarray(o, end);
    // A HEADERS frame with END_STREAM (trailers, or a message without a body) closes its side of the stream.
    const closes = type === HEADERS && (flags & END_STREAM) !== 0;
    if (flags & END_HEADERS) {
      this.headerBlock(client, d, target, fragment, type === PUSH_PROMISE, ts_sec, ts_nsec);
      if (closes) this.ex.endStream(client, target);
    } else d.block = { stream: target, parts: [Buffer.from(fragment)], size: fragment.length, push: type === PUSH_PROMISE, end: closes };
  }

  private headerBlock(client: boolean, d: Direction, stream: number, block: Buffer, push: boolean, ts_sec: number, ts_nsec: number): void {
    const fields = d.hpack.decode(block, 0, block.length);
    if (fields === null) return this.fail();
    if (push || this.pushed.has(stream)) return;
    if (client) this.ex.request(stream, fields, ts_sec, ts_nsec);
    else this.ex.response(stream, fields);
  }
}
