/**
 * A TLS connection over a TcpSession: the cleartext handshake byte-exact (ClientHello, ServerHello, TLS 1.2's
 * ServerHelloDone and ClientKeyExchange), everything encrypted as opaque records whose 5-byte headers are captured and
 * whose bodies mostly are not (see tcp.ts), so a long session costs a few dozen bytes per packet in the file.
 */
import type { Rng } from '../rng.js';
import type { Piece, TcpSession } from '../tcp.js';
import { clientHello, serverHello, tlsRecord } from './hello.js';
import type { ClientName, ServerProfile } from './profiles.js';

/** Ciphertext bytes kept after each record header, so a reader sees the start of the record. */
const PEEK = 8;
const MAX_PLAINTEXT = 16384;

/** An opaque record of `len` body bytes. */
function sealed(rng: Rng, type: number, len: number): Piece {
  const head = Buffer.from([type, 3, 3, len >> 8, len & 0xff]);
  return { data: Buffer.concat([head, rng.bytes(Math.min(PEEK, len))]), size: 5 + len };
}

/** Application data of `bytes` plaintext bytes as records of at most 16 KiB (+ AEAD overhead). */
function appData(rng: Rng, bytes: number, overhead: number): Piece[] {
  const out: Piece[] = [];
  for (let left = Math.max(1, Math.round(bytes)); left > 0; left -= MAX_PLAINTEXT) {
    out.push(sealed(rng, 23, Math.min(left, MAX_PLAINTEXT) + overhead));
  }
  return out;
}

export interface TlsExchange {
  /** Plaintext bytes of the request (HTTP headers + body). */
  readonly req_bytes: number;
  readonly resp_bytes: number;
  /** Client think time before this request, µs (0 for the first). */
  readonly think_us?: number;
  /** Server processing time, µs. */
  readonly server_us?: number;
}

export interface TlsResult {
  readonly ja3: string;
  readonly ja3s: string;
  readonly version: 'TLSv1.2' | 'TLSv1.3';
  readonly sni: string | null;
}

export interface TlsOptions {
  readonly client: ClientName;
  readonly server: ServerProfile;
  readonly sni: string | null;
  readonly exchanges: readonly TlsExchange[];
  /** How the client ends: close_notify + FIN (polite), FIN alone, RST (browser dropping an idle socket), or left open. */
  readonly end: 'notify' | 'fin' | 'rst' | 'open';
  /** Receiver ACK stride for bulk transfers. */
  readonly ack_every?: number;
  readonly rate_bps?: number;
}

/** Runs handshake, exchanges and teardown on an established TcpSession. */
export function runTls(tcp: TcpSession, rng: Rng, o: TlsOptions): TlsResult {
  const ch = clientHello(rng, o.client, o.sni);
  const sh = serverHello(rng, o.server, ch);
  const tls13 = sh.version === 0x0304;
  const overhead = tls13 ? 17 : 24; // 1.3: content type + 16-byte tag; 1.2 GCM: 8-byte explicit nonce + tag
  const bulk = { ...(o.ack_every !== undefined ? { ack_every: o.ack_every } : {}), ...(o.rate_bps !== undefined ? { rate_bps: o.rate_bps } : {}) };
  tcp.send('c', [{ data: ch.record }], { delay_us: rng.int(100, 900) });
  const first = o.exchanges[0];
  if (tls13) {
    // EncryptedExtensions + Certificate + CertificateVerify + Finished, in one record as BoringSSL/OpenSSL send them.
    tcp.send('s', [{ data: sh.record }, sealed(rng, 23, o.server.cert_bytes + 300)], { delay_us: rng.int(200, 2000) });
    const fin = [{ data: tlsRecord(20, 0x0303, Buffer.from([1])) }, sealed(rng, 23, 53)];
    tcp.send('c', first ? [...fin, ...appData(rng, first.req_bytes, overhead)] : fin, { delay_us: rng.int(300, 3000), ...bulk });
    // Two NewSessionTickets arrive before the response.
    const tickets = [sealed(rng, 23, 250), sealed(rng, 23, 250)];
    tcp.send('s', first ? [...tickets, ...appData(rng, first.resp_bytes, overhead)] : tickets, { delay_us: first?.server_us ?? 1000, ...bulk });
  } else {
    const done = tlsRecord(22, 0x0303, Buffer.from([14, 0, 0, 0]));
    tcp.send('s', [{ data: sh.record }, sealed(rng, 22, o.server.cert_bytes), sealed(rng, 22, 300), { data: done }], { delay_us: rng.int(200, 2000) });
    const cke = tlsRecord(22, 0x0303, Buffer.concat([Buffer.from([16, 0, 0, 33, 32]), rng.bytes(32)]));
    tcp.send('c', [{ data: cke }, { data: tlsRecord(20, 0x0303, Buffer.from([1])) }, sealed(rng, 22, 40)], { delay_us: rng.int(300, 3000) });
    const ticket = ch.ext_types.includes(35) ? [sealed(rng, 22, 202)] : [];
    tcp.send('s', [...ticket, { data: tlsRecord(20, 0x0303, Buffer.from([1])) }, sealed(rng, 22, 40)], { delay_us: rng.int(100, 800) });
    if (first) {
      tcp.send('c', appData(rng, first.req_bytes, overhead), { delay_us: rng.int(100, 500), ...bulk });
      tcp.send('s', appData(rng, first.resp_bytes, overhead), { delay_us: first.server_us ?? 1000, ...bulk });
    }
  }
  for (const x of o.exchanges.slice(1)) {
    tcp.send('c', appData(rng, x.req_bytes, overhead), { delay_us: x.think_us ?? 0, ...bulk });
    tcp.send('s', appData(rng, x.resp_bytes, overhead), { delay_us: x.server_us ?? 1000, ...bulk });
  }
  if (o.end === 'notify') {
    tcp.send('c', [tls13 ? sealed(rng, 23, 19) : sealed(rng, 21, 26)], { delay_us: rng.int(1_000_000, 20_000_000) });
    tcp.close('c', 'fin', 0);
  } else if (o.end === 'fin') tcp.close('c', 'fin', rng.int(1_000_000, 60_000_000));
  else if (o.end === 'rst') tcp.close('c', 'rst', rng.int(5_000_000, 120_000_000));
  return {
    ja3: ch.ja3, ja3s: sh.ja3s, version: tls13 ? 'TLSv1.3' : 'TLSv1.2', sni: o.sni,
  };
}
