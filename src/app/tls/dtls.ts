/**
 * DTLS 1.0/1.2 over UDP (RFC 6347): ClientHello, ServerHello and the server's leaf certificate, reassembled from
 * handshake fragments (§4.2.3: message_seq, fragment_offset, fragment_length) → one TlsRecord with transport
 * `dtls` and JA4's `d` prefix. Only epoch 0 (cleartext) records are read. After a HelloVerifyRequest the client
 * repeats its hello with a cookie; the first complete ClientHello is the one fingerprinted.
 */
import type { Packet } from '../../decode/layer.js';
import type { FlowView } from '../../flow/conn.js';
import type { FlowHook } from '../hook.js';
import { CryptoStream } from '../quic/crypto_stream.js';
import type { RecordSink } from '../records.js';
import type { AppStats } from '../stats.js';
import { parseLeafCertificate, type LeafCert } from './cert.js';
import { parseClientHello, parseServerHello } from './hello.js';
import { tlsRecord } from './hook.js';
import { summarizeClient, summarizeServer, type ClientSummary, type ServerSummary } from './summary.js';

/** Datagrams to look at: a fragmented hello, a HelloVerifyRequest round and a certificate chain fit well within. */
const MAX_PACKETS = 24;
const REC_HANDSHAKE = 22;
const HS_CLIENT_HELLO = 1;
const HS_SERVER_HELLO = 2;
const HS_CERTIFICATE = 11;

/** One handshake message being reassembled from fragments. */
class Reassembly {
  type = -1;
  seq = -1;
  length = 0;
  stream = new CryptoStream();
}

export class DtlsFlowState {
  ch: ClientSummary | null = null;
  /** server_name of the ClientHello. */
  sni = '';
  sh: ServerSummary | null = null;
  cert: LeafCert | null = null;
  /** Side (0 originator, 1 responder) that sent the first ClientHello. */
  client = -1;
  readonly pending: [Reassembly, Reassembly] = [new Reassembly(), new Reassembly()];
  ts_sec = 0;
  ts_nsec = 0;
  packets = 0;
  malformed = 0;
}

/** DTLS record header: content type then version 0xfeff (1.0), 0xfefd (1.2) or 0xfefc (1.3). */
function isDtlsRecord(buf: Buffer, o: number, end: number): boolean {
  return end - o >= 13 && buf[o + 1] === 0xfe && buf[o + 2]! >= 0xfc;
}

export function createDtlsHook(stats: AppStats): FlowHook<DtlsFlowState> {
  return {
    name: 'dtls',
    onInit(p: Packet, flow: FlowView): DtlsFlowState | null {
      const o = p.payload_off;
      if (flow.ip_proto !== 17 || !isDtlsRecord(p.buf, o, p.payload_end) || p.buf[o] !== REC_HANDSHAKE) return null;
      flow.service = 'dtls';
      flow.service_source = 'payload';
      return new DtlsFlowState();
    },
    onPacket(p: Packet, _flow: FlowView, is_orig: boolean, s: DtlsFlowState): boolean {
      const side = is_orig ? 0 : 1;
      const { buf, payload_end: end } = p;
      let o = p.payload_off;
      while (isDtlsRecord(buf, o, end)) {
        const len = buf.readUInt16BE(o + 11);
        const body = o + 13;
        const rend = Math.min(end, body + len);
        // Epoch 0 only: later epochs are encrypted.
        if (buf[o] === REC_HANDSHAKE && buf.readUInt16BE(o + 3) === 0) fragments(s, side, p, buf, body, rend);
        o = body + len;
      }
      return (s.ch === null || s.sh === null || (s.cert === null && !s.sh.tls13)) && ++s.packets < MAX_PACKETS;
    },
    onExpire(flow: FlowView, s: DtlsFlowState, out: RecordSink): void {
      stats.tls_malformed += s.malformed;
      if (s.ch === null && s.sh === null) return;
      out.tls(tlsRecord(flow, s.ts_sec, s.ts_nsec, 'dtls', s.ch, s.sni, s.sh, s.cert));
    },
  };
}

/** Handshake fragments of one record (RFC 6347 §4.2.2: 12-byte header each). */
function fragments(s: DtlsFlowState, side: number, p: Packet, buf: Buffer, off: number, end: number): void {
  let q = off;
  while (end - q >= 12) {
    const type = buf[q]!;
    const length = buf.readUIntBE(q + 1, 3);
    const seq = buf.readUInt16BE(q + 4);
    const foff = buf.readUIntBE(q + 6, 3);
    const flen = buf.readUIntBE(q + 9, 3);
    const data = q + 12;
    if (data + flen > end) {
      s.malformed++;
      return;
    }
    if (wanted(s, side, type)) {
      const r = s.pending[side]!;
      if (r.type !== type || r.seq !== seq) {
        r.type = type;
        r.seq = seq;
        r.length = length;
        r.stream = new CryptoStream();
      }
      r.stream.write(foff, buf, data, data + flen);
      if (r.stream.contiguous() >= length) complete(s, side, p, r);
    }
    q = data + flen;
  }
}

function wanted(s: DtlsFlowState, side: number, type: number): boolean {
  if (type === HS_CLIENT_HELLO) return s.ch === null && (s.client < 0 || s.client === side);
  if (type === HS_SERVER_HELLO) return s.sh === null && s.client >= 0 && s.client !== side;
  return type === HS_CERTIFICATE && s.cert === null && s.client >= 0 && s.client !== side;
}

function complete(s: DtlsFlowState, side: number, p: Packet, r: Reassembly): void {
  const b = r.stream.buf;
  if (r.type === HS_CLIENT_HELLO) {
    const ch = parseClientHello(b, 0, r.length, true);
    if (ch === null) s.malformed++;
    else {
      s.ch = summarizeClient(ch, 'd');
      s.sni = ch.sni;
      s.client = side;
      s.ts_sec = p.ts_sec;
      s.ts_nsec = p.ts_nsec;
    }
  } else if (r.type === HS_SERVER_HELLO) {
    const sh = parseServerHello(b, 0, r.length);
    if (sh === null) s.malformed++;
    else s.sh = summarizeServer(sh, 'd');
  } else {
    s.cert = parseLeafCertificate(b, 0, r.length);
  }
  r.type = -1;
  r.stream = new CryptoStream();
}
