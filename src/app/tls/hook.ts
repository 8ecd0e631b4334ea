/**
 * TLS over TCP: ClientHello, ServerHello and (TLS <= 1.2) the server's leaf certificate → one TlsRecord per
 * connection (Zeek ssl.log). The hello may start mid-stream (STARTTLS), so each direction starts at the first
 * segment that begins a handshake record; the hook lets go once both hellos are read or after IDLE_LIMIT
 * payload packets without one.
 */
import type { Packet } from '../../decode/layer.js';
import type { FlowView } from '../../flow/conn.js';
import type { FlowHook } from '../hook.js';
import type { RecordSink, TlsRecord } from '../records.js';
import { tsString } from '../ref.js';
import type { AppStats } from '../stats.js';
import { parseLeafCertificate, type LeafCert } from './cert.js';
import { HandshakeSide, startsHandshake, type HandshakeSink } from './handshake.js';
import { parseClientHello, parseServerHello } from './hello.js';
import { summarizeClient, summarizeServer, type ClientSummary, type ServerSummary } from './summary.js';

/** Payload packets to wait for a ClientHello before giving up on a flow (STARTTLS dialogues are short). */
const IDLE_LIMIT = 24;

const HS_CLIENT_HELLO = 1;
const HS_SERVER_HELLO = 2;
const HS_CERTIFICATE = 11;
const HS_SERVER_HELLO_DONE = 14;

export class TlsFlowState implements HandshakeSink {
  /**
   * Each direction's reader; null until that side begins a handshake record, and again once the hook is done with
   * the flow: the readers are dropped then, so most die young instead of being kept (and copied by the GC) until
   * the flow expires.
   */
  orig: HandshakeSide | null = null;
  resp: HandshakeSide | null = null;
  packets = 0;
  /** Payload packets of the silent side after the other side's hello was read. */
  unanswered = 0;
  ch: ClientSummary | null = null;
  /** server_name of the first ClientHello. */
  sni = '';
  /** A second ClientHello on the same connection (after a HelloRetryRequest, RFC 8446 §4.1.4). */
  ch2: ClientSummary | null = null;
  sh: ServerSummary | null = null;
  cert: LeafCert | null = null;
  ts_sec = 0;
  ts_nsec = 0;
  malformed = 0;

  readPastChangeCipherSpec(): boolean {
    // Only a TLS 1.3 client that may still send a second ClientHello: after a HelloRetryRequest or before any
    // ServerHello was seen. Anything else after ChangeCipherSpec is encrypted.
    return this.ch !== null && this.ch2 === null && (this.sh === null || this.sh.hrr);
  }

  message(type: number, buf: Buffer, off: number, end: number): boolean {
    switch (type) {
      case HS_CLIENT_HELLO: {
        const ch = parseClientHello(buf, off, end, false);
        if (ch === null) {
          this.malformed++;
          return true;
        }
        if (this.ch === null) {
          this.ch = summarizeClient(ch, 't');
          this.sni = ch.sni;
          // Keep reading only when a retry is possible (TLS 1.3 offered); otherwise nothing later is needed.
          return !this.ch.offers_tls13;
        }
        this.ch2 = summarizeClient(ch, 't');
        return true;
      }
      case HS_SERVER_HELLO:
        if (this.sh === null) {
          const sh = parseServerHello(buf, off, end);
          if (sh === null) {
            this.malformed++;
            return true;
          }
          this.sh = summarizeServer(sh, 't');
        }
        // TLS 1.3 (RFC 8446 §4.2.1): everything after ServerHello is encrypted.
        return this.sh.tls13;
      case HS_CERTIFICATE:
        if (this.cert === null) this.cert = parseLeafCertificate(buf, off, end);
        return true;
      case HS_SERVER_HELLO_DONE:
        return true;
      default:
        return false;
    }
  }
}

/** `decrypted`: TLS 1.3 leaf certificates the decrypt hook read (with a key log), taken into the flow's row. */
export function createTlsHook(stats: AppStats, decrypted: ReadonlyMap<string, LeafCert> | null = null): FlowHook<TlsFlowState> {
  return {
    name: 'tls',
    onInit(p: Packet, flow: FlowView): TlsFlowState | null {
      if (flow.ip_proto !== 6 || !mayCarryTls(p, flow)) return null;
      // Named here already (onPacket names it again on this packet) so that the service hook, whose onInit runs
      // next, makes no per-flow state for a flow that is TLS from its first byte.
      if (startsHello(p)) {
        flow.service = 'tls';
        flow.service_source = 'payload';
      }
      return new TlsFlowState();
    },
    onPacket(p: Packet, flow: FlowView, is_orig: boolean, s: TlsFlowState): boolean {
      if (more(stats, p, flow, is_orig, s)) return true;
      s.orig = null;
      s.resp = null;
      return false;
    },
    onExpire(flow: FlowView, s: TlsFlowState, out: RecordSink): void {
      stats.tls_malformed += s.malformed;
      if (s.ch === null && s.sh === null) return;
      const r = tlsRecord(flow, s.ts_sec, s.ts_nsec, 'tcp', s.ch, s.sni, s.sh, s.cert ?? decrypted?.get(flow.uid) ?? null);
      if (s.ch2 !== null) {
        r.retry_ja3 = s.ch2.ja3;
        r.retry_ja4 = s.ch2.ja4;
      }
      out.tls(r);
    },
  };
}

/** Reads one payload packet of the flow; false once the hook needs no more of them. */
function more(stats: AppStats, p: Packet, flow: FlowView, is_orig: boolean, s: TlsFlowState): boolean {
  let side = is_orig ? s.orig : s.resp;
  s.packets++;
  if (side === null) {
    // A direction opens with its hello: the ClientHello, or a ServerHello (the client's may be missing).
    if (!startsHello(p)) {
      // The answer to a hello is the peer's next payload: once the other side is done, three misses end it.
      const other = is_orig ? s.resp : s.orig;
      return other !== null && other.done ? ++s.unanswered < 3 : s.packets < IDLE_LIMIT;
    }
    side = new HandshakeSide();
    if (is_orig) s.orig = side;
    else s.resp = side;
    if (s.ts_sec === 0 || p.buf[p.payload_off + 5] === 1) {
      s.ts_sec = p.ts_sec;
      s.ts_nsec = p.ts_nsec;
    }
    flow.service = 'tls';
    flow.service_source = 'payload';
  }
  if (side.done) return !bothDone(s) && s.packets < IDLE_LIMIT;
  if (side.stream.push(p)) side.pump(s);
  side.stream.keep();
  stats.tls_malformed += side.malformed;
  side.malformed = 0;
  return !bothDone(s) && s.packets < 2 * IDLE_LIMIT;
}

/** Ports whose protocols upgrade to TLS mid-stream (STARTTLS, RFC 3207, 2595, 4511, 6120; FTP AUTH TLS, RFC 4217). */
const STARTTLS_PORTS: ReadonlySet<number> = new Set([21, 25, 110, 143, 389, 587, 5222, 5269]);

/**
 * Should the hook watch this flow? A hello (either side's, the capture may miss the client), a STARTTLS port,
 * or a proxy handshake first: HTTP CONNECT (RFC 9110 §9.3.6) or SOCKS 4/5 (RFC 1928). Checking every TCP flow
 * for IDLE_LIMIT packets cost more than all TLS parsing on the 4 M-packet bench capture.
 */
function mayCarryTls(p: Packet, flow: FlowView): boolean {
  const { buf, payload_off: o, payload_end: end } = p;
  if (startsHello(p)) return true;
  if (STARTTLS_PORTS.has(flow.resp_p) || STARTTLS_PORTS.has(flow.orig_p)) return true;
  const b0 = buf[o];
  if ((b0 === 4 || b0 === 5) && end - o >= 3) return true;
  return end - o >= 8 && buf.compare(CONNECT, 0, 8, o, o + 8) === 0;
}

const CONNECT = Buffer.from('CONNECT ', 'latin1');

/** The payload starts a handshake record holding a ClientHello or a ServerHello (the client's may be missing). */
function startsHello(p: Packet): boolean {
  const { buf, payload_off: o, payload_end: end } = p;
  return startsHandshake(buf, o, end, 1) || startsHandshake(buf, o, end, 2);
}

function bothDone(s: TlsFlowState): boolean {
  const a = s.orig;
  const b = s.resp;
  return a !== null && a.done && b !== null && b.done;
}

/** Builds the record shared by TLS over TCP, DTLS and QUIC. */
export function tlsRecord(
  flow: FlowView,
  ts_sec: number,
  ts_nsec: number,
  transport: TlsRecord['transport'],
  ch: ClientSummary | null,
  sni: string,
  sh: ServerSummary | null,
  cert: LeafCert | null,
  quic_version = '',
): TlsRecord {
  return {
    ts: tsString(ts_sec, ts_nsec),
    uid: flow.uid,
    community_id: flow.community_id,
    orig_h: flow.orig_h,
    orig_p: flow.orig_p,
    resp_h: flow.resp_h,
    resp_p: flow.resp_p,
    transport,
    version: sh?.version ?? '',
    cipher: sh?.cipher ?? '',
    server_name: sni,
    alpn: ch?.alpn ?? [],
    ja3: ch?.ja3 ?? '',
    ja3s: sh?.ja3s ?? '',
    ja4: ch?.ja4 ?? '',
    ja4s: sh?.ja4s ?? '',
    subject: cert?.subject ?? '',
    issuer: cert?.issuer ?? '',
    not_valid_before: cert?.not_valid_before ?? '',
    not_valid_after: cert?.not_valid_after ?? '',
    cert_sha1: cert?.cert_sha1 ?? '',
    quic_version,
    ja4x: cert?.ja4x ?? '',
  };
}
