/**
 * QUIC v1/v2 (and drafts 23–32): decrypts the Initial packets of both directions, reassembles their CRYPTO
 * frames and reads the ClientHello and ServerHello → one TlsRecord with transport `quic` (JA4 with the `q`
 * prefix). The client is whoever sends the first Initial; both directions' keys come from its first DCID.
 * When a key log holds the ClientHello's random, the connection's Handshake and 1-RTT packets are opened too
 * (decrypt.ts): the server's certificate fills the row's certificate columns and JA4X, and HTTP/3 goes to http.csv.
 */
import type { Packet } from '../../decode/layer.js';
import type { FlowView } from '../../flow/conn.js';
import type { FlowHook } from '../hook.js';
import type { FileExtractor } from '../http/extract.js';
import { H3Connection } from '../http/h3.js';
import type { RecordSink } from '../records.js';
import type { AppStats } from '../stats.js';
import { suiteOf } from '../tls/decrypt.js';
import { parseClientHello, parseServerHello } from '../tls/hello.js';
import { tlsRecord } from '../tls/hook.js';
import type { TlsKeyLog, TlsSecrets } from '../tls/keylog.js';
import { summarizeClient, summarizeServer, type ClientSummary, type ServerSummary } from '../tls/summary.js';
import { CryptoStream } from './crypto_stream.js';
import { QuicDecrypt } from './decrypt.js';
import { walkFrames } from './frames.js';
import { initialKeys, initialProtection, quicVersionParams, readVarint, varintLen, type QuicVersionParams } from './initial.js';
import type { PacketProtection } from './protection.js';

/** Datagrams to look at before giving up (a ClientHello rarely needs more than 3 Initials, the server's 2). */
const MAX_PACKETS = 32;

export class QuicFlowState {
  version = 0;
  params: QuicVersionParams | null = null;
  /** 0 originator, 1 responder: the side that sent the first Initial. */
  client = -1;
  dcid: Buffer | null = null;
  retried = false;
  readonly keys: [PacketProtection | null, PacketProtection | null] = [null, null];
  readonly crypto: [CryptoStream, CryptoStream] = [new CryptoStream(), new CryptoStream()];
  ch: ClientSummary | null = null;
  /** server_name of the ClientHello. */
  sni = '';
  sh: ServerSummary | null = null;
  ts_sec = 0;
  ts_nsec = 0;
  packets = 0;
  /** Initials that failed to decrypt or parse. */
  malformed = 0;
  /** The ClientHello's random (hex), the key log's key; the ServerHello's cipher suite (-1 until seen). */
  random = '';
  cipher = -1;
  /** The key log's secrets for this connection: undefined until looked up, null when it has none. */
  secrets: TlsSecrets | null | undefined = undefined;
  /** Source Connection ID lengths of the client's and the server's long headers (-1: none seen). */
  readonly scid: [client: number, server: number] = [-1, -1];
  dec: QuicDecrypt | null = null;
  h3: H3Connection | null = null;
}

/** Long header (RFC 9000 §17.2). The fixed bit is not checked: peers may grease it (RFC 9287). */
function isLongHeader(buf: Buffer, off: number, end: number): boolean {
  return end - off >= 7 && (buf[off]! & 0x80) !== 0;
}

/** `keys`: a key log whose connections are decrypted past their Initials (none: Initials only, as without it). */
export function createQuicHook(stats: AppStats, keys?: TlsKeyLog, extract: FileExtractor | null = null): FlowHook<QuicFlowState> {
  return {
    name: 'quic',
    onInit(p: Packet, flow: FlowView): QuicFlowState | null {
      if (flow.ip_proto !== 17 || !isLongHeader(p.buf, p.payload_off, p.payload_end)) return null;
      const version = p.buf.readUInt32BE(p.payload_off + 1);
      return quicVersionParams(version) === null ? null : new QuicFlowState();
    },
    onPacket(p: Packet, flow: FlowView, is_orig: boolean, s: QuicFlowState): boolean {
      s.packets++;
      const dir = is_orig ? 0 : 1;
      let o = p.payload_off;
      const end = p.payload_end;
      // Coalesced packets (RFC 9000 §12.2): walk every long-header packet in the datagram.
      while (isLongHeader(p.buf, o, end)) {
        const next = longPacket(p, flow, s, dir, o, end);
        // The ServerHello may share its datagram with the first Handshake packets: the keys are ready for them.
        if (keys !== undefined && s.dec === null) startDecrypt(stats, flow, keys, s, extract);
        if (next <= o) break;
        o = next;
      }
      // A short header (1-RTT) ends the datagram (RFC 9000 §12.2); zero bytes after a long header are padding.
      if (s.dec !== null && o < end && (p.buf[o]! & 0x80) === 0 && !zeros(p.buf, o, end)) s.dec.shortPacket(dir === s.client, p.buf, o, end, p.ts_sec, p.ts_nsec);
      const hellos = s.ch !== null && s.sh !== null;
      if (hellos) {
        s.crypto[0].release();
        s.crypto[1].release();
      }
      if (s.dec !== null) return s.dec.alive;
      return !hellos && s.packets < MAX_PACKETS;
    },
    onExpire(flow: FlowView, s: QuicFlowState, out: RecordSink): void {
      stats.quic_malformed += s.malformed;
      if (s.dec !== null) {
        if (s.dec.opened > 0) stats.quic_decrypted++;
        stats.quic_decrypt_failed += s.dec.failed;
      }
      if (s.ch !== null || s.sh !== null) {
        const v = `0x${s.version.toString(16).padStart(8, '0')}`;
        out.tls(tlsRecord(flow, s.ts_sec, s.ts_nsec, 'quic', s.ch, s.sni, s.sh, s.dec?.cert ?? null, v));
      }
      if (s.h3 !== null) {
        s.h3.finish();
        if (s.h3.trans.length > 0) stats.quic_decrypted_h3++;
        for (const r of s.h3.trans) out.http(r);
      }
    },
  };
}

function zeros(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * With a key log: once both hellos are read and the log has the ClientHello's random, the Handshake and 1-RTT
 * packets that follow are opened (TLS 1.3 suites only: QUIC has no other).
 */
function startDecrypt(stats: AppStats, flow: FlowView, keys: TlsKeyLog, s: QuicFlowState, extract: FileExtractor | null): void {
  if (s.secrets === undefined && s.random !== '') s.secrets = keys.get(s.random) ?? null;
  if (s.secrets === null || s.secrets === undefined || s.cipher < 0 || s.params === null) return;
  const suite = suiteOf(s.cipher);
  if (suite === null || !suite.tls13) {
    s.secrets = null;
    return;
  }
  s.h3 = new H3Connection(stats, flow, extract);
  s.dec = new QuicDecrypt(suite, s.secrets, s.params.label, s.h3);
  if (s.scid[0] >= 0) s.dec.sourceCid(true, s.scid[0]);
  if (s.scid[1] >= 0) s.dec.sourceCid(false, s.scid[1]);
}

/** Handles one long-header packet at o; returns where the next one starts, or end/-1 when it cannot tell. */
function longPacket(p: Packet, flow: FlowView, s: QuicFlowState, dir: number, start: number, end: number): number {
  const buf = p.buf;
  const version = buf.readUInt32BE(start + 1);
  const params = quicVersionParams(version);
  if (params === null) return -1;
  let o = start + 5;
  const dlen = buf[o]!;
  if (dlen > 20 || o + 1 + dlen >= end) return -1;
  const dcid = buf.subarray(o + 1, o + 1 + dlen);
  o += 1 + dlen;
  const slen = buf[o]!;
  if (slen > 20 || o + 1 + slen >= end) return -1;
  o += 1 + slen;
  const type = (buf[start]! >> 4) & 3;
  const isInitial = type === params.initial_type;
  const isHandshake = type === (params.initial_type + 2) % 4;
  if (isInitial) {
    const tlen = readVarint(buf, o, end);
    if (tlen < 0) return -1;
    o += varintLen(buf, o) + tlen;
  } else if (type === (params.initial_type + 3) % 4) {
    // Retry (RFC 9000 §17.2.5): the client's next Initial goes to a new DCID, which sets new keys. No length field.
    s.retried = true;
    return -1;
  }
  const len = readVarint(buf, o, end);
  if (len < 0) return -1;
  o += varintLen(buf, o);
  const pktEnd = o + len;
  if (pktEnd > end) return -1;
  if (!isInitial) {
    if (isHandshake && s.client >= 0) {
      const fromClient = dir === s.client;
      if (s.scid[fromClient ? 0 : 1] < 0) s.scid[fromClient ? 0 : 1] = slen;
      s.dec?.sourceCid(fromClient, slen);
      s.dec?.handshakePacket(fromClient, buf, start, o, pktEnd, p.ts_sec, p.ts_nsec);
    }
    return pktEnd;
  }
  if (s.client < 0) {
    s.client = dir;
    s.version = version;
    s.params = params;
  }
  const fromClient = dir === s.client;
  if (s.scid[fromClient ? 0 : 1] < 0) s.scid[fromClient ? 0 : 1] = slen;
  if (fromClient && (s.dcid === null || (s.retried && !s.dcid.equals(dcid)))) {
    // The first client DCID sets both directions' keys (RFC 9001 §5.2); they change only after a Retry,
    // not when the client moves to the server's chosen connection ID.
    s.retried = false;
    s.dcid = Buffer.from(dcid);
    s.keys[0] = initialProtection(initialKeys(params, s.dcid, false));
    s.keys[1] = initialProtection(initialKeys(params, s.dcid, true));
  }
  const keys = s.keys[fromClient ? 0 : 1];
  if (keys === null) return pktEnd;
  const plain = keys.open(buf, start, o, pktEnd, true)?.plain ?? null;
  if (plain === null) {
    s.malformed++;
    return pktEnd;
  }
  if (fromClient && s.ch === null && s.ts_sec === 0) {
    s.ts_sec = p.ts_sec;
    s.ts_nsec = p.ts_nsec;
    flow.service = 'quic';
    flow.service_source = 'payload';
  }
  readInitialFrames(s, fromClient ? 0 : 1, plain);
  return pktEnd;
}

/** Initial packets carry PADDING, PING, ACK, CRYPTO and CONNECTION_CLOSE only (RFC 9000 §17.2.2). Exported for the fuzz test. */
export function readInitialFrames(s: QuicFlowState, side: number, b: Buffer): void {
  const cs = s.crypto[side]!;
  walkFrames(b, b.length, {
    crypto: (at, data, from, to) => cs.write(at, data, from, to),
    stream: () => {},
    newConnectionId: () => {},
  });
  helloFromCrypto(s, side);
}

function helloFromCrypto(s: QuicFlowState, side: number): void {
  const cs = s.crypto[side]!;
  const have = cs.contiguous();
  if (have < 4) return;
  const type = cs.buf[0]!;
  const len = cs.buf.readUIntBE(1, 3);
  if (have < 4 + len) return;
  if (side === 0 && type === 1 && s.ch === null) {
    const ch = parseClientHello(cs.buf, 4, 4 + len, false);
    if (ch === null) s.malformed++;
    else {
      if (len >= 34) s.random = cs.buf.toString('hex', 6, 38); // after the legacy version: the key log's key
      s.ch = summarizeClient(ch, 'q');
      s.sni = ch.sni;
    }
  } else if (side === 1 && type === 2 && s.sh === null) {
    const sh = parseServerHello(cs.buf, 4, 4 + len);
    if (sh === null) s.malformed++;
    else {
      s.sh = summarizeServer(sh, 'q');
      s.cipher = sh.cipher;
    }
  }
}
