/**
 * HTTP/3 (RFC 9114) per transaction, from the decrypted QUIC streams of a connection (app/quic/decrypt.ts hands
 * each stream's bytes over in order). Client-initiated bidirectional streams are requests: frames (§7.1: type and
 * length varints) whose HEADERS go through the sender's QPACK decoder (qpack.ts) and whose DATA is counted, typed and
 * hashed (exchanges.ts); unidirectional streams say what they are in their first varint (§6.2): the control stream
 * (its SETTINGS give the peer's QPACK table capacity), QPACK's encoder streams (which build the tables), the decoder
 * streams and pushes (passed over). One http.csv row per request, version `3`, JA4H with version code 30.
 * Bounded: a HEADERS frame by MAX_BLOCK, other frames it reads by MAX_FRAME, blocked sections by MAX_BLOCKED. What
 * does not decode, or never unblocks, is counted in http_malformed.
 */
import type { FlowView } from '../../flow/conn.js';
import type { HttpRecord } from '../records.js';
import type { AppStats } from '../stats.js';
import { readVarint, varintLen } from '../quic/initial.js';
import { Exchanges } from './exchanges.js';
import type { FileExtractor } from './extract.js';
import { BLOCKED, QpackDecoder } from './qpack.js';

const DATA = 0x00;
const HEADERS = 0x01;
const SETTINGS = 0x04;
const SETTINGS_QPACK_MAX_TABLE_CAPACITY = 0x01;

const STREAM_CONTROL = 0x00;
const STREAM_ENCODER = 0x02;

const MAX_BLOCK = 1 << 18;
const MAX_FRAME = 1 << 14;
/** Field sections waiting for encoder-stream inserts, per direction. */
const MAX_BLOCKED = 64;
/** Streams read per connection; the ones after are passed over. */
const MAX_STREAMS = 4000;
/** Bytes of incomplete frames all the streams of a connection may hold at once; a stream that would pass it is given up. */
const MAX_HELD = 16 << 20;

type Kind = 'unknown' | 'request' | 'control' | 'encoder' | 'skip';

/** One direction of one stream: what it is and where its frame reader stands. */
class StreamReader {
  kind: Kind;
  /** Bytes of a frame header, or of a frame the reader keeps whole (HEADERS, SETTINGS), not yet complete. */
  pending: Buffer | null = null;
  /** DATA bytes (or bytes of a frame passed over) still to come in the current frame, and whether they are DATA. */
  skip = 0;
  skipData = false;

  constructor(kind: Kind) {
    this.kind = kind;
  }
}

interface Blocked {
  stream: number;
  block: Buffer;
  ts_sec: number;
  ts_nsec: number;
}

export class H3Connection {
  /** QPACK decoders of the client's and the server's field sections, each built by its sender's encoder stream. */
  private readonly qpack: [client: QpackDecoder, server: QpackDecoder] = [new QpackDecoder(), new QpackDecoder()];
  private readonly readers = new Map<string, StreamReader>();
  private readonly blocked: [Blocked[], Blocked[]] = [[], []];
  private readonly ex: Exchanges;
  /** Bytes the readers hold in `pending`. */
  private held = 0;

  constructor(private readonly stats: AppStats, flow: FlowView, extract: FileExtractor | null = null) {
    this.ex = new Exchanges(stats, flow, '3', extract);
  }

  get trans(): readonly HttpRecord[] {
    return this.ex.trans;
  }

  /** The next in-order bytes data[from, to) of stream `id` as its sender (`client` or not) sent them; `fin` ends that side. */
  streamData(client: boolean, id: number, data: Buffer, from: number, to: number, fin: boolean, ts_sec: number, ts_nsec: number): void {
    const key = `${id}${client ? 'c' : 's'}`;
    let r = this.readers.get(key);
    if (r === undefined) {
      if (this.readers.size >= MAX_STREAMS) return;
      const uni = (id & 2) !== 0;
      // Bidirectional streams opened by the client carry requests (§6.1); a server may not open one.
      r = new StreamReader(uni ? 'unknown' : (id & 1) === 0 ? 'request' : 'skip');
      this.readers.set(key, r);
    }
    let b = data.subarray(from, to);
    if (r.kind === 'unknown') {
      if (r.pending !== null) {
        b = Buffer.concat([r.pending, b]);
        this.keep(r, null);
      }
      const type = readVarint(b, 0, b.length);
      if (type < 0) {
        if (b.length > 0) this.keep(r, b);
        return;
      }
      r.kind = type === STREAM_CONTROL ? 'control' : type === STREAM_ENCODER ? 'encoder' : 'skip';
      b = b.subarray(varintLen(b, 0));
    }
    if (r.kind === 'skip') return;
    const side = client ? 0 : 1;
    if (r.kind === 'encoder') {
      this.qpack[side].encoderStream(b);
      this.unblock(side);
      return;
    }
    this.frames(client, id, r, b, ts_sec, ts_nsec);
    if (fin && r.kind === 'request') this.ex.endStream(client, id);
  }

  private frames(client: boolean, id: number, r: StreamReader, data: Buffer, ts_sec: number, ts_nsec: number): void {
    let b = data;
    if (r.skip > 0) {
      const n = Math.min(r.skip, b.length);
      if (r.skipData) this.ex.data(client, id, b, 0, n);
      r.skip -= n;
      b = b.subarray(n);
    }
    if (r.pending !== null) {
      b = Buffer.concat([r.pending, b]);
      this.keep(r, null);
    }
    let o = 0;
    while (o < b.length && r.kind !== 'skip') {
      const type = readVarint(b, o, b.length);
      const lenAt = type < 0 ? -1 : o + varintLen(b, o);
      const len = lenAt < 0 ? -1 : readVarint(b, lenAt, b.length);
      if (len < 0) break; // the frame header is not all here yet
      const payload = lenAt + varintLen(b, lenAt);
      const keep = type === HEADERS || (type === SETTINGS && r.kind === 'control');
      if (!keep) {
        // DATA (streamed into the body), and every frame nad does not read (§9: unknown types are passed over).
        const have = Math.min(len, b.length - payload);
        const isData = type === DATA && r.kind === 'request';
        if (isData) this.ex.data(client, id, b, payload, payload + have);
        o = payload + have;
        if (have < len) {
          r.skip = len - have;
          r.skipData = isData;
        }
        continue;
      }
      if (len > (type === HEADERS ? MAX_BLOCK : MAX_FRAME)) {
        this.stats.http_malformed++;
        r.kind = 'skip';
        return;
      }
      if (b.length - payload < len) break;
      const frame = b.subarray(payload, payload + len);
      if (type === SETTINGS) this.settings(client, frame);
      else if (r.kind === 'request') this.section(client ? 0 : 1, { stream: id, block: frame, ts_sec, ts_nsec });
      o = payload + len;
    }
    if (o < b.length && r.kind !== 'skip') this.keep(r, b.subarray(o));
  }

  /** Sets (a copy of `b`) or clears a reader's incomplete bytes, within the connection's MAX_HELD. */
  private keep(r: StreamReader, b: Buffer | null): void {
    if (r.pending !== null) this.held -= r.pending.length;
    r.pending = null;
    if (b === null) return;
    if (this.held + b.length > MAX_HELD) {
      this.stats.http_malformed++;
      r.kind = 'skip';
      return;
    }
    r.pending = Buffer.from(b);
    this.held += b.length;
  }

  /** §7.2.4: the sender's SETTINGS; its QPACK table capacity is what the other side's encoder may use. */
  private settings(client: boolean, b: Buffer): void {
    let o = 0;
    while (o < b.length) {
      const id = readVarint(b, o, b.length);
      if (id < 0) return;
      o += varintLen(b, o);
      const value = readVarint(b, o, b.length);
      if (value < 0) return;
      o += varintLen(b, o);
      if (id === SETTINGS_QPACK_MAX_TABLE_CAPACITY) this.qpack[client ? 1 : 0].maxCapacity = value;
    }
  }

  /** A HEADERS frame's field section from one side: a request, or a response; kept aside while it is blocked. */
  private section(side: number, s: Blocked): void {
    const fields = this.qpack[side]!.decode(s.block, 0, s.block.length);
    if (fields === BLOCKED) {
      const list = this.blocked[side]!;
      if (list.length >= MAX_BLOCKED) this.stats.http_malformed++;
      else list.push({ ...s, block: Buffer.from(s.block) });
      return;
    }
    if (fields === null) {
      this.stats.http_malformed++;
      return;
    }
    if (side === 0) this.ex.request(s.stream, fields, s.ts_sec, s.ts_nsec);
    else this.ex.response(s.stream, fields);
  }

  /** New inserts on one side's encoder stream: the sections they unblock decode now, in the order they came. */
  private unblock(side: number): void {
    const list = this.blocked[side]!;
    if (list.length === 0) return;
    this.blocked[side] = [];
    for (const s of list) this.section(side, s);
  }

  /** The connection ended: bodies still open are typed, not hashed; sections still blocked never decoded. */
  finish(): void {
    this.stats.http_malformed += this.blocked[0].length + this.blocked[1].length;
    this.blocked[0] = [];
    this.blocked[1] = [];
    this.ex.finish();
  }
}
