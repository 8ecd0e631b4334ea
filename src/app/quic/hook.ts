/**
 * QUIC v1/v2 (and drafts 23–32): decrypts the Initial packets of both directions, reassembles their CRYPTO
 * frames and reads the ClientHello and ServerHello → one TlsRecord with transport `quic` (JA4 with the `q`
 * prefix). The client is whoever sends the first Initial; both directions' keys come from its first DCID.
 */
import type { Packet } from '../../decode/layer.js';
import type { FlowView } from '../../flow/conn.js';
import type { FlowHook } from '../hook.js';
import type { RecordSink } from '../records.js';
import type { AppStats } from '../stats.js';
import { parseClientHello, parseServerHello } from '../tls/hello.js';
import { tlsRecord } from '../tls/hook.js';
import { summarizeClient, summarizeServer, type ClientSummary, type ServerSummary } from '../tls/summary.js';
import { CryptoStream } from './crypto_stream.js';
import { initialKeys, quicVersionParams, readVarint, unprotect, varintLen, type InitialKeys, type QuicVersionParams } from './initial.js';

/** Datagrams to look at before giving up (a ClientHello rarely needs more than 3 Initials, the server's 2). */
const MAX_PACKETS = 32;

export class QuicFlowState {
  version = 0;
  params: QuicVersionParams | null = null;
  /** 0 originator, 1 responder: the side that sent the first Initial. */
  client = -1;
  dcid: Buffer | null = null;
  retried = false;
  readonly keys: [InitialKeys | null, InitialKeys | null] = [null, null];
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
}

/** Long header (RFC 9000 §17.2). The fixed bit is not checked: peers may grease it (RFC 9287). */
function isLongHeader(buf: Buffer, off: number, end: number): boolean {
  return end - off >= 7 && (buf[off]! & 0x80) !== 0;
}

export function createQuicHook(stats: AppStats): FlowHook<QuicFlowState> {
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
        const next = initialPacket(p, flow, s, dir, o, end);
        if (next <= o) break;
        o = next;
      }
      if ((s.ch === null || s.sh === null) && s.packets < MAX_PACKETS) return true;
      s.crypto[0].release();
      s.crypto[1].release();
      return false;
    },
    onExpire(flow: FlowView, s: QuicFlowState, out: RecordSink): void {
      stats.quic_malformed += s.malformed;
      if (s.ch === null && s.sh === null) return;
      const v = `0x${s.version.toString(16).padStart(8, '0')}`;
      out.tls(tlsRecord(flow, s.ts_sec, s.ts_nsec, 'quic', s.ch, s.sni, s.sh, null, v));
    },
  };
}

/** Handles one long-header packet at o; returns where the next one starts, or end/-1 when it cannot tell. */
function initialPacket(p: Packet, flow: FlowView, s: QuicFlowState, dir: number, start: number, end: number): number {
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
  if (!isInitial) return pktEnd;
  if (s.client < 0) {
    s.client = dir;
    s.version = version;
    s.params = params;
  }
  const fromClient = dir === s.client;
  if (fromClient && (s.dcid === null || (s.retried && !s.dcid.equals(dcid)))) {
    // The first client DCID sets both directions' keys (RFC 9001 §5.2); they change only after a Retry,
    // not when the client moves to the server's chosen connection ID.
    s.retried = false;
    s.dcid = Buffer.from(dcid);
    s.keys[0] = initialKeys(params, s.dcid, false);
    s.keys[1] = initialKeys(params, s.dcid, true);
  }
  const keys = s.keys[fromClient ? 0 : 1];
  if (keys === null) return pktEnd;
  const plain = unprotect(keys, buf, start, o, pktEnd);
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
  let o = 0;
  const end = b.length;
  while (o < end) {
    const t = b[o]!;
    o++;
    if (t === 0x00 || t === 0x01) continue;
    if (t === 0x06) {
      const at = readVarint(b, o, end);
      if (at < 0) return;
      o += varintLen(b, o);
      const n = readVarint(b, o, end);
      if (n < 0) return;
      o += varintLen(b, o);
      if (o + n > end) return;
      cs.write(at, b, o, o + n);
      o += n;
    } else if (t === 0x02 || t === 0x03) {
      // ACK: largest, delay, range count, first range, then (gap, length) per range, ECN counts for 0x03.
      const fields: number[] = [];
      for (let i = 0; i < 4; i++) {
        const v = readVarint(b, o, end);
        if (v < 0) return;
        fields.push(v);
        o += varintLen(b, o);
      }
      const more = 2 * Math.min(fields[2]!, 1024) + (t === 0x03 ? 3 : 0);
      for (let i = 0; i < more; i++) {
        if (readVarint(b, o, end) < 0) return;
        o += varintLen(b, o);
      }
    } else {
      return; // CONNECTION_CLOSE or something an Initial may not hold: stop reading this packet
    }
  }
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
      s.ch = summarizeClient(ch, 'q');
      s.sni = ch.sni;
    }
  } else if (side === 1 && type === 2 && s.sh === null) {
    const sh = parseServerHello(cs.buf, 4, 4 + len);
    if (sh === null) s.malformed++;
    else s.sh = summarizeServer(sh, 'q');
  }
}
