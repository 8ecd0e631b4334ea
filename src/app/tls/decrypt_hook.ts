/**
 * TLS decryption with a key log (`--tls-keylog`, Wireshark's tls.keylog_file, Zeek's SSL::keylog_file): for a
 * connection whose ClientHello random is in the log, both directions are reassembled by sequence number, every record
 * after the handshake is decrypted (decrypt.ts), and the application data goes to the HTTP/1.x parser as if it had
 * come in the clear, so its transactions land in http.csv with the TLS connection's uid, as Zeek logs them; HTTP/2
 * (its client preface) goes to the HTTP/2 reader (http/h2.ts) instead. Without a key log this hook is not made.
 */
import type { Packet } from '../../decode/layer.js';
import { createPacket } from '../../decode/layer.js';
import type { FlowView } from '../../flow/conn.js';
import type { FlowHook } from '../hook.js';
import { H2_PREFACE, H2Connection } from '../http/h2.js';
import type { FileExtractor } from '../http/extract.js';
import { createHttpHook, type HttpFlowState, type HttpOptions } from '../http/hook.js';
import type { RecordSink } from '../records.js';
import type { AppStats } from '../stats.js';
import { StreamBuf } from '../stream.js';
import { HS_CERTIFICATE, HS_COMPRESSED_CERTIFICATE, tls13Leaf, type LeafCert } from './cert.js';
import { RecordCipher, suiteOf } from './decrypt.js';
import { parseServerHello } from './hello.js';
import type { TlsKeyLog, TlsSecrets } from './keylog.js';

/** Bytes buffered per direction: a whole record (2^14 + 2048 + 5 at most, RFC 5246 §6.2.3) with room to spare. */
const STREAM_CAP = 64 * 1024;
/** Records that fail to authenticate in a row before a direction is given up (keys that do not fit, a lost segment). */
const MAX_FAILURES = 3;

const REC_CCS = 20;
const REC_ALERT = 21;
const REC_HANDSHAKE = 22;
const REC_APP = 23;
const HS_SERVER_HELLO = 2;
const HS_FINISHED = 20;
const HS_KEY_UPDATE = 24;
const EXT_ENCRYPT_THEN_MAC = 0x0016;

class Side {
  readonly sb = new StreamBuf(STREAM_CAP);
  cipher: RecordCipher | null = null;
  /** TLS 1.3: the application traffic cipher that follows this side's Finished. */
  next: RecordCipher | null = null;
  /** TLS <= 1.2: a ChangeCipherSpec was seen, the records after it are protected. */
  ccs = false;
  failures = 0;
  /** Records that may fail before the first opens: TLS 1.3 handshake records when the log has no handshake secret. */
  grace = 0;
  dead = false;
  /** TLS 1.3: decrypted handshake bytes of a message that spans records (bounded by STREAM_CAP). */
  hs: Buffer | null = null;
  /** Plaintext bytes handed on so far: the sequence numbers of the plaintext stream the HTTP parser reads. */
  plainSeq = 0;
}

export class TlsDecryptState {
  readonly sides: [orig: Side, resp: Side] = [new Side(), new Side()];
  readonly clientRandom: Buffer;
  readonly secrets: TlsSecrets;
  tls13 = false;
  /** Records decrypted (both directions). */
  records = 0;
  /** What the application data is: unknown until its first bytes, then HTTP/1.x, HTTP/2 or something else. */
  app: 'unknown' | 'http' | 'h2' | 'other' = 'unknown';
  http: HttpFlowState | null = null;
  h2: H2Connection | null = null;
  httpDone = false;
  /** The packet the HTTP parser reads plaintext from: made once per connection, pointed at each record. */
  readonly plain: Packet = createPacket();

  constructor(clientRandom: Buffer, secrets: TlsSecrets, readonly extract: FileExtractor | null = null) {
    this.clientRandom = clientRandom;
    this.secrets = secrets;
  }
}

export interface TlsDecryptOptions extends HttpOptions {
  tls_keys?: TlsKeyLog;
}

/**
 * TLS 1.3 leaf certificates read from decrypted handshakes, by flow uid: the decrypt hook puts them here, the TLS hook
 * (whose onExpire runs first: it comes first in the hook list) takes them into its tls.csv row.
 */
export type DecryptedCerts = Map<string, LeafCert>;

/** The hook, or null when no key log was given (then nothing on the packet path changes). */
export function createTlsDecryptHook(stats: AppStats, opts: TlsDecryptOptions, certs: DecryptedCerts, extract: FileExtractor | null = null): FlowHook<TlsDecryptState> | null {
  const keys = opts.tls_keys;
  if (keys === undefined || keys.size === 0) return null;
  const http = createHttpHook(stats, opts, extract);
  return {
    name: 'tls-decrypt',
    onInit(p: Packet, flow: FlowView): TlsDecryptState | null {
      if (flow.ip_proto !== 6) return null;
      const { buf, payload_off: o, payload_end: end } = p;
      // A record holding a ClientHello: type 22, version 3.x, handshake type 1; the random follows the body's version.
      if (end - o < 43 || buf[o] !== REC_HANDSHAKE || buf[o + 1] !== 3 || buf[o + 5] !== 1) return null;
      const random = buf.subarray(o + 11, o + 43);
      const secrets = keys.get(random.toString('hex'));
      if (secrets === undefined) return null;
      return new TlsDecryptState(Buffer.from(random), secrets, extract);
    },
    onPacket(p: Packet, flow: FlowView, is_orig: boolean, s: TlsDecryptState): boolean {
      const side = s.sides[is_orig ? 0 : 1];
      if (!side.dead && side.sb.push(p)) pump(stats, http, certs, p, flow, s, side, is_orig);
      side.sb.keep();
      return !s.httpDone && !(s.sides[0].dead && s.sides[1].dead);
    },
    onExpire(flow: FlowView, s: TlsDecryptState, out: RecordSink): void {
      certs.delete(flow.uid); // the TLS hook took it, if it kept a row for the flow
      if (s.records > 0) stats.tls_decrypted++;
      if (s.app === 'h2') stats.tls_decrypted_h2++;
      if (s.http !== null) http.onExpire(flow, s.http, out);
      if (s.h2 !== null) {
        s.h2.finish();
        for (const r of s.h2.trans) out.http(r);
      }
    },
  };
}

/** Walks every complete record now buffered on one side. */
function pump(stats: AppStats, http: FlowHook<HttpFlowState>, certs: DecryptedCerts, p: Packet, flow: FlowView, s: TlsDecryptState, side: Side, isOrig: boolean): void {
  const sb = side.sb;
  while (!side.dead && sb.len >= 5) {
    const b = sb.data;
    const o = sb.start;
    const type = b[o]!;
    const version = b.readUInt16BE(o + 1);
    const len = b.readUInt16BE(o + 3);
    if (type < REC_CCS || type > 24 || b[o + 1] !== 3) {
      side.dead = true; // not a record boundary: the stream lost its framing
      return;
    }
    if (sb.len < 5 + len) {
      if (sb.overflow) side.dead = true;
      return;
    }
    const frag = b.subarray(o + 5, o + 5 + len);
    record(stats, http, certs, p, flow, s, side, isOrig, type, version, frag);
    sb.consume(5 + len);
  }
}

function record(
  stats: AppStats, http: FlowHook<HttpFlowState>, certs: DecryptedCerts, p: Packet, flow: FlowView, s: TlsDecryptState, side: Side, isOrig: boolean,
  type: number, version: number, frag: Buffer,
): void {
  const encrypted = s.tls13 ? type === REC_APP && side.cipher !== null : side.ccs;
  if (!encrypted) {
    if (type === REC_CCS && !s.tls13) side.ccs = true;
    else if (type === REC_HANDSHAKE && !isOrig && frag.length >= 4 && frag[0] === HS_SERVER_HELLO) serverHello(s, frag);
    return;
  }
  if (side.cipher === null) {
    side.dead = true; // protected records, but no keys for them (a suite nad does not decrypt, or no ServerHello seen)
    return;
  }
  let plain = side.cipher.decrypt(type, version, frag);
  if (plain === null && side.next !== null) {
    // TLS 1.3: this side's Finished went by unseen (no handshake secret in the log): the traffic keys take over.
    const next = side.next.decrypt(type, version, frag);
    if (next !== null) {
      side.cipher = side.next;
      side.next = null;
      plain = next;
    }
  }
  if (plain === null) {
    // TLS 1.3 with traffic secrets only: the handshake records before them cannot open, and are not failures.
    if (side.grace > 0) {
      side.grace--;
      return;
    }
    stats.tls_decrypt_failed++;
    if (++side.failures >= MAX_FAILURES) side.dead = true;
    return;
  }
  side.failures = 0;
  side.grace = 0;
  s.records++;
  if (plain.type === REC_HANDSHAKE) {
    if (s.tls13) handshake13(side, plain.data, isOrig ? null : (cert) => certs.set(flow.uid, cert));
    return;
  }
  if (plain.type === REC_APP && plain.data.length > 0) application(stats, http, p, flow, s, side, isOrig, plain.data);
  else if (plain.type === REC_ALERT) side.dead = plain.data.length >= 2 && plain.data[1] === 0; // close_notify
}

/** The ServerHello fixes the version, the suite and (CBC) encrypt-then-MAC: the record ciphers are made here. */
function serverHello(s: TlsDecryptState, frag: Buffer): void {
  const bodyLen = frag.readUIntBE(1, 3);
  const sh = parseServerHello(frag, 4, Math.min(frag.length, 4 + bodyLen));
  if (sh === null || sh.hrr) return;
  const suite = suiteOf(sh.cipher);
  if (suite === null) return;
  const [orig, resp] = s.sides;
  const sec = s.secrets;
  if (sh.selected_version === 0x0304 && suite.tls13) {
    s.tls13 = true;
    const traffic = (secret: Uint8Array | undefined): RecordCipher | null => (secret === undefined ? null : RecordCipher.tls13(suite, secret));
    orig.cipher = traffic(sec.client_handshake) ?? traffic(sec.client_traffic);
    orig.next = sec.client_handshake === undefined ? null : traffic(sec.client_traffic);
    resp.cipher = traffic(sec.server_handshake) ?? traffic(sec.server_traffic);
    resp.next = sec.server_handshake === undefined ? null : traffic(sec.server_traffic);
    if (sec.client_handshake === undefined) orig.grace = 4; // Certificate, CertificateVerify, Finished
    if (sec.server_handshake === undefined) resp.grace = 8; // EncryptedExtensions … Finished, in one record or several
    return;
  }
  if (suite.tls13 || sec.master === undefined) return;
  const serverRandom = frag.subarray(6, 38);
  const etm = suite.mac !== null && sh.extensions.includes(EXT_ENCRYPT_THEN_MAC);
  const [c, sv] = RecordCipher.tls12(suite, sh.version, sec.master, s.clientRandom, serverRandom, etm);
  orig.cipher = c;
  resp.cipher = sv;
}

/**
 * TLS 1.3 handshake messages under protection: Finished hands over to the traffic keys, KeyUpdate renews them, and
 * the server's Certificate or CompressedCertificate (cert.ts tls13Leaf) gives the leaf.
 * A message may span records: its bytes wait in side.hs.
 */
function handshake13(side: Side, data: Buffer, onCert: ((cert: LeafCert) => void) | null): void {
  let b = data;
  if (side.hs !== null) {
    b = Buffer.concat([side.hs, data]);
    side.hs = null;
  }
  let o = 0;
  while (o + 4 <= b.length) {
    const t = b[o]!;
    const len = b.readUIntBE(o + 1, 3);
    if (o + 4 + len > b.length) break;
    if (t === HS_FINISHED && side.next !== null) {
      side.cipher = side.next;
      side.next = null;
    } else if (t === HS_KEY_UPDATE && side.next === null) side.cipher?.update();
    else if ((t === HS_CERTIFICATE || t === HS_COMPRESSED_CERTIFICATE) && onCert !== null) {
      const cert = tls13Leaf(t, b, o + 4, o + 4 + len);
      if (cert !== null) onCert(cert);
    }
    o += 4 + len;
  }
  if (o < b.length && b.length - o <= STREAM_CAP) side.hs = Buffer.from(b.subarray(o));
}

/** A SETTINGS frame header (RFC 9113 §6.5: type 4 on stream 0, a length that is a multiple of 6, ACK flag clear). */
function startsSettings(b: Buffer): boolean {
  return b.length >= 9 && b[3] === 4 && (b[4]! & 1) === 0 && b.readUInt32BE(5) === 0 && b.readUIntBE(0, 3) % 6 === 0;
}

/** Application data → the HTTP/1.x parser, through a packet that points at the plaintext; or the HTTP/2 reader. */
function application(stats: AppStats, http: FlowHook<HttpFlowState>, p: Packet, flow: FlowView, s: TlsDecryptState, side: Side, isOrig: boolean, data: Buffer): void {
  if (s.app === 'unknown') {
    // HTTP/2: the client's preface, or the server's SETTINGS first (a TLS 1.3 server may send it before the client's
    // preface arrives). An HTTP/1.x server never speaks first: anything else it sends before a request is not HTTP.
    const h2 = isOrig ? data.length >= 3 && data.compare(H2_PREFACE, 0, 3, 0, 3) === 0 : startsSettings(data);
    if (h2) {
      s.app = 'h2';
      s.h2 = new H2Connection(stats, flow, s.extract);
    } else if (!isOrig) return;
  }
  if (s.h2 !== null) {
    s.h2.push(isOrig, data, p.ts_sec, p.ts_nsec);
    if (s.h2.dead) s.httpDone = true;
    return;
  }
  const q = s.plain;
  q.buf = data;
  q.payload_off = 0;
  q.payload_end = data.length;
  q.payload_len = data.length;
  q.tcp_seq = side.plainSeq >>> 0;
  q.ts_sec = p.ts_sec;
  q.ts_nsec = p.ts_nsec;
  side.plainSeq += data.length;
  if (s.app === 'unknown') {
    // The HTTP hook names the flow's service as it takes it; the flow stays what the TLS hook found (tls).
    const service = flow.service;
    const source = flow.service_source;
    s.http = http.onInit(q, flow, isOrig);
    flow.service = service;
    flow.service_source = source;
    s.app = s.http === null ? 'other' : 'http';
    if (s.http === null) {
      s.httpDone = true;
      return;
    }
  }
  if (s.http === null || s.httpDone) return;
  if (!http.onPacket(q, flow, isOrig, s.http)) s.httpDone = true;
}
