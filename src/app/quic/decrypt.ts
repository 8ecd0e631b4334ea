/**
 * QUIC decryption with a key log (RFC 9001 §5; the same NSS labels as TLS 1.3: the handshake and traffic secrets of
 * the ClientHello's random): Handshake packets give the server's certificate (its CRYPTO frames: Certificate, or an
 * RFC 8879 CompressedCertificate), 1-RTT packets (short headers, key updates followed) give the streams, reassembled
 * by offset and handed over in order to a sink (HTTP/3, http/h3.ts). 0-RTT packets are not opened (the key log's
 * early secret is not read). Made only for a connection whose secrets the key log has; bounded per stream
 * (MAX_STREAM_PENDING) and per connection (MAX_STREAMS, MAX_CONNECTION_PENDING).
 */
import { tls13Leaf, HS_CERTIFICATE, HS_COMPRESSED_CERTIFICATE, type LeafCert } from '../tls/cert.js';
import type { Suite } from '../tls/decrypt.js';
import type { TlsSecrets } from '../tls/keylog.js';
import { CryptoStream } from './crypto_stream.js';
import { walkFrames, type FrameVisitor } from './frames.js';
import { PacketProtection } from './protection.js';

/** Where a connection's stream bytes go, in order per stream and sender. */
export interface QuicStreamSink {
  streamData(client: boolean, id: number, data: Buffer, from: number, to: number, fin: boolean, ts_sec: number, ts_nsec: number): void;
}

/** Out-of-order bytes a stream may hold while it waits for a gap to fill. */
const MAX_STREAM_PENDING = 1 << 20;
const MAX_PENDING_CHUNKS = 256;
/** Out-of-order bytes all the streams of a connection may hold at once (4000 streams × 1 MiB would be 4 GiB). */
const MAX_CONNECTION_PENDING = 16 << 20;
const MAX_STREAMS = 4000;
/** Packets in a row that fail to open before a direction is given up (keys that do not fit). */
const MAX_FAILURES = 16;

/** One sender's side of one stream: the next offset to hand over and the chunks that came ahead of it. */
class StreamAssembler {
  next = 0;
  fin = -1;
  done = false;
  lost = false;
  pending: { at: number; data: Buffer }[] = [];
  pendingBytes = 0;
}

class Side {
  handshake: PacketProtection | null = null;
  app: PacketProtection | null = null;
  readonly crypto = new CryptoStream();
  /** Handshake CRYPTO bytes already walked for messages. */
  read = 0;
  failures = 0;
  /** Lengths of the connection IDs this side gave the peer (its long headers' SCID, its NEW_CONNECTION_ID frames). */
  readonly cidLengths: number[] = [];
}

export class QuicDecrypt implements FrameVisitor {
  readonly sides: [client: Side, server: Side] = [new Side(), new Side()];
  private readonly reassembly: StreamReassembly;
  /** The server's leaf certificate, from the Handshake packets. */
  cert: LeafCert | null = null;
  /** The server's Certificate message went by (read or not): its Handshake CRYPTO bytes are no longer kept. */
  private certSeen = false;
  /** Packets opened and packets that failed, both directions. */
  opened = 0;
  failed = 0;
  // The packet being walked, for the visitor callbacks.
  private client = true;
  private space: 'handshake' | 'app' = 'handshake';
  private ts_sec = 0;
  private ts_nsec = 0;

  constructor(suite: Suite, secrets: TlsSecrets, label: string, sink: QuicStreamSink) {
    this.reassembly = new StreamReassembly((client, id, data, from, to, fin) => sink.streamData(client, id, data, from, to, fin, this.ts_sec, this.ts_nsec));
    const make = (secret: Uint8Array | undefined): PacketProtection | null => (secret === undefined ? null : PacketProtection.fromSecret(suite, secret, label));
    const [c, s] = this.sides;
    c.handshake = make(secrets.client_handshake);
    s.handshake = make(secrets.server_handshake);
    c.app = make(secrets.client_traffic);
    s.app = make(secrets.server_traffic);
  }

  /** A long header's Source Connection ID length: what the peer's short headers will carry. */
  sourceCid(client: boolean, length: number): void {
    const l = this.sides[client ? 0 : 1].cidLengths;
    if (!l.includes(length)) l.push(length);
  }

  /** A Handshake packet buf[start, end), its packet number at pn_off. */
  handshakePacket(client: boolean, buf: Buffer, start: number, pnOff: number, end: number, ts_sec: number, ts_nsec: number): void {
    const side = this.sides[client ? 0 : 1];
    if (side.handshake === null || side.failures >= MAX_FAILURES) return;
    const opened = side.handshake.open(buf, start, pnOff, end, true);
    this.walk(client, side, 'handshake', opened?.plain ?? null, ts_sec, ts_nsec);
  }

  /** A short-header (1-RTT) packet buf[start, end); its Destination Connection ID is one the peer gave. */
  shortPacket(client: boolean, buf: Buffer, start: number, end: number, ts_sec: number, ts_nsec: number): void {
    const side = this.sides[client ? 0 : 1];
    if (side.app === null || side.failures >= MAX_FAILURES) return;
    const lengths = this.sides[client ? 1 : 0].cidLengths;
    let plain: Buffer | null = null;
    for (const len of lengths.length === 0 ? [0, 8, 20] : lengths) {
      plain = side.app.open(buf, start, start + 1 + len, end, false)?.plain ?? null;
      if (plain !== null) break;
    }
    this.walk(client, side, 'app', plain, ts_sec, ts_nsec);
  }

  /** Whether anything more can be opened. */
  get alive(): boolean {
    return this.sides.some((s) => (s.handshake !== null || s.app !== null) && s.failures < MAX_FAILURES);
  }

  private walk(client: boolean, side: Side, space: 'handshake' | 'app', plain: Buffer | null, ts_sec: number, ts_nsec: number): void {
    if (plain === null) {
      this.failed++;
      side.failures++;
      return;
    }
    side.failures = 0;
    this.opened++;
    this.client = client;
    this.space = space;
    this.ts_sec = ts_sec;
    this.ts_nsec = ts_nsec;
    walkFrames(plain, plain.length, this);
    if (space === 'handshake' && !client && !this.certSeen) this.messages(side);
  }

  /** Handshake CRYPTO bytes: only the server's, up to its Certificate, are read (the client's Finished is not). */
  crypto(offset: number, data: Buffer, from: number, to: number): void {
    if (this.space === 'handshake' && !this.client && !this.certSeen) this.sides[1].crypto.write(offset, data, from, to);
  }

  newConnectionId(length: number): void {
    this.sourceCid(this.client, length);
  }

  /** The server's handshake messages read so far: EncryptedExtensions, Certificate (or compressed), … */
  private messages(side: Side): void {
    const cs = side.crypto;
    const have = cs.contiguous();
    while (side.read + 4 <= have) {
      const type = cs.buf[side.read]!;
      const len = cs.buf.readUIntBE(side.read + 1, 3);
      if (side.read + 4 + len > have) return;
      if (type === HS_CERTIFICATE || type === HS_COMPRESSED_CERTIFICATE) {
        this.cert = tls13Leaf(type, cs.buf, side.read + 4, side.read + 4 + len);
        this.certSeen = true;
        cs.release();
        return;
      }
      side.read += 4 + len;
    }
  }

  stream(id: number, offset: number, data: Buffer, from: number, to: number, fin: boolean): void {
    if (this.space === 'app') this.reassembly.push(this.client, id, offset, data, from, to, fin);
  }

  /** Streams whose bytes ran past the reorder bounds: what came after the gap was not read. */
  get lostStreams(): number {
    return this.reassembly.lost;
  }
}

/**
 * STREAM frames → each stream's bytes in order (RFC 9000 §2.2): what repeats bytes already handed over is cut to the
 * new part; what comes ahead of a gap waits (within MAX_STREAM_PENDING and MAX_PENDING_CHUNKS, else the stream is
 * lost from there); the FIN's final size ends the stream. Exported for its property test.
 */
export class StreamReassembly {
  private readonly streams = new Map<string, StreamAssembler>();
  /** Bytes held ahead of gaps by every stream. */
  private held = 0;
  lost = 0;

  constructor(private readonly out: (client: boolean, id: number, data: Buffer, from: number, to: number, fin: boolean) => void) {}

  push(client: boolean, id: number, offset: number, data: Buffer, from: number, to: number, fin: boolean): void {
    const key = `${id}${client ? 'c' : 's'}`;
    let a = this.streams.get(key);
    if (a === undefined) {
      if (this.streams.size >= MAX_STREAMS) return;
      a = new StreamAssembler();
      this.streams.set(key, a);
    }
    if (a.done || a.lost) return;
    if (fin) a.fin = offset + (to - from);
    if (offset > a.next) {
      // Ahead of a gap: kept until the gap fills, within bounds.
      if (a.pending.length >= MAX_PENDING_CHUNKS || a.pendingBytes + (to - from) > MAX_STREAM_PENDING || this.held + (to - from) > MAX_CONNECTION_PENDING) {
        a.lost = true;
        this.held -= a.pendingBytes;
        a.pending = [];
        a.pendingBytes = 0;
        this.lost++;
        return;
      }
      a.pending.push({ at: offset, data: data.subarray(from, to) });
      a.pendingBytes += to - from;
      this.held += to - from;
      return;
    }
    this.deliver(client, id, a, offset, data, from, to);
    // Chunks that the new bytes reached.
    for (let i = 0; i < a.pending.length && !a.done; ) {
      const p = a.pending[i]!;
      if (p.at > a.next) {
        i++;
        continue;
      }
      a.pending.splice(i, 1);
      a.pendingBytes -= p.data.length;
      this.held -= p.data.length;
      this.deliver(client, id, a, p.at, p.data, 0, p.data.length);
      i = 0;
    }
  }

  /** Hands over the part of data[from, to) (at stream offset `at` <= next) past what was already handed over. */
  private deliver(client: boolean, id: number, a: StreamAssembler, at: number, data: Buffer, from: number, to: number): void {
    const start = from + (a.next - at);
    if (start > to || (start === to && a.fin !== a.next)) return;
    a.next = at + (to - from);
    const fin = a.fin >= 0 && a.next >= a.fin;
    if (fin) {
      a.done = true;
      this.held -= a.pendingBytes;
      a.pending = [];
      a.pendingBytes = 0;
    }
    this.out(client, id, data, start, to, fin);
  }
}
