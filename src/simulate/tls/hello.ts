/**
 * Byte-exact TLS ClientHello and ServerHello records (RFC 8446 §4.1.2–4.1.3, RFC 5246 §7.4.1) and the JA3/JA3S
 * strings they are meant to produce (Salesforce JA3: GREASE values left out, fields joined by '-' and ',').
 */
import type { Rng } from '../rng.js';
import { CLIENT_PROFILES, Ext, GREASE, type ClientName, type ServerProfile } from './profiles.js';

const GREASE_VALUES = Array.from({ length: 16 }, (_, i) => (i << 12) | 0x0a00 | (i << 4) | 0x0a);
const KEY_SHARE_BYTES: Readonly<Record<number, number>> = { 29: 32, 23: 65, 24: 97, 30: 56 };

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
function u24(n: number): Buffer {
  return Buffer.from([(n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}
function vec16(body: Buffer): Buffer {
  return Buffer.concat([u16(body.length), body]);
}
function vec8(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([body.length]), body]);
}
function list16(values: readonly number[]): Buffer {
  return Buffer.concat(values.map(u16));
}
function extension(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), vec16(body)]);
}

/** A TLS record (RFC 8446 §5.1). */
export function tlsRecord(type: number, version: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u16(version), vec16(body)]);
}

function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u24(body.length), body]);
}

export interface ClientHello {
  /** The whole record (type 22), ready for TCP. */
  readonly record: Buffer;
  /** The handshake message alone, as QUIC carries it in CRYPTO frames. */
  readonly message: Buffer;
  readonly session_id: Buffer;
  /** Offered suites without GREASE, in order. */
  readonly ciphers: readonly number[];
  readonly ext_types: readonly number[];
  readonly versions: readonly number[];
  readonly alpn: readonly string[];
  /** JA3 string as tshark's tls.handshake.ja3_full shows it. */
  readonly ja3: string;
}

/** Builds the ClientHello of a profile; sni may be absent (a client connecting to a bare IP). */
export function clientHello(rng: Rng, name: ClientName, sni: string | null, quicParams?: Buffer): ClientHello {
  const p = CLIENT_PROFILES[name];
  // Chrome draws distinct GREASE values for the two GREASE extensions.
  const g = rng.shuffle(GREASE_VALUES);
  const greaseCipher = g[0]!;
  const greaseGroup = g[1]!;
  const greaseVersion = g[2]!;
  const greaseExt = [g[3]!, g[4]!];
  const sub = (v: number, grease: number): number => (v === GREASE ? grease : v);
  const ciphers = p.ciphers.map((c) => sub(c, greaseCipher));
  const groups = p.groups.map((c) => sub(c, greaseGroup));

  let order = p.extensions.filter((e) => e !== Ext.server_name || sni !== null);
  if (p.shuffle) {
    // The GREASE extensions keep their first/last places and padding stays last; everything between is shuffled.
    const middle = order.filter((e) => e !== GREASE && e !== Ext.padding);
    order = [GREASE, ...rng.shuffle(middle), GREASE, ...(order.includes(Ext.padding) ? [Ext.padding] : [])];
  }
  const body = (type: number): Buffer => {
    switch (type) {
      case Ext.server_name: {
        const host = Buffer.from(sni ?? '', 'ascii');
        return vec16(Buffer.concat([Buffer.from([0]), vec16(host)]));
      }
      case Ext.status_request: return Buffer.from([1, 0, 0, 0, 0]);
      case Ext.supported_groups: return vec16(list16(groups));
      case Ext.ec_point_formats: return vec8(Buffer.from(p.point_formats));
      case Ext.signature_algorithms: return vec16(list16(p.sigalgs));
      case Ext.alpn: return vec16(Buffer.concat(p.alpn.map((a) => vec8(Buffer.from(a, 'ascii')))));
      case Ext.application_settings: return vec16(vec8(Buffer.from(p.alpn[0] ?? 'h2', 'ascii')));
      case Ext.quic_transport_parameters: return quicParams ?? Buffer.alloc(0);
      case Ext.renegotiation_info: return Buffer.from([0]);
      case Ext.psk_key_exchange_modes: return Buffer.from([1, 1]);
      case Ext.supported_versions: return vec8(list16(p.versions.map((v) => sub(v, greaseVersion))));
      case Ext.compress_certificate: return vec8(list16(p.compress_cert ?? []));
      case Ext.record_size_limit: return u16(0x4001);
      case Ext.delegated_credentials: return vec16(list16(p.delegated_sigalgs ?? []));
      case Ext.key_share: {
        const shares = p.key_shares.map((grp) =>
          grp === GREASE
            ? Buffer.concat([u16(greaseGroup), vec16(Buffer.from([0]))])
            : Buffer.concat([u16(grp), vec16(keyShare(rng, grp))]));
        return vec16(Buffer.concat(shares));
      }
      default: return Buffer.alloc(0); // extended_master_secret, session_ticket, sct, encrypt_then_mac, post_handshake_auth
    }
  };
  let greaseSeen = 0;
  const exts: Buffer[] = [];
  const extTypes: number[] = [];
  for (const type of order) {
    if (type === Ext.padding) continue; // sized last, below
    if (type === GREASE) {
      // BoringSSL: the first GREASE extension is empty, the last carries one zero byte.
      exts.push(extension(greaseExt[greaseSeen]!, greaseSeen === 0 ? Buffer.alloc(0) : Buffer.from([0])));
      greaseSeen++;
      continue;
    }
    exts.push(extension(type, body(type)));
    extTypes.push(type);
  }
  const sessionId = p.quic === true ? Buffer.alloc(0) : rng.bytes(32);
  const fixed = Buffer.concat([
    u16(0x0303), rng.bytes(32), vec8(sessionId), vec16(list16(ciphers)), Buffer.from([1, 0]),
  ]);
  let extBlock = Buffer.concat(exts);
  // RFC 7685 as BoringSSL applies it: a hello of 256..511 bytes (handshake header included) is padded to 512.
  const unpadded = 4 + fixed.length + 2 + extBlock.length;
  if (p.pad_to_512 && order.includes(Ext.padding) && unpadded > 0xff && unpadded < 0x200) {
    let padLen = 0x200 - unpadded;
    padLen = padLen >= 5 ? padLen - 4 : 1;
    extBlock = Buffer.concat([extBlock, extension(Ext.padding, Buffer.alloc(padLen))]);
    extTypes.push(Ext.padding);
  }
  const hello = handshake(1, Buffer.concat([fixed, vec16(extBlock)]));
  const plainCiphers = ciphers.filter((c) => !GREASE_VALUES.includes(c));
  const ja3 = [
    0x0303,
    plainCiphers.join('-'),
    extTypes.join('-'),
    groups.filter((c) => !GREASE_VALUES.includes(c)).join('-'),
    p.point_formats.join('-'),
  ].join(',');
  return {
    record: tlsRecord(22, 0x0301, hello),
    message: hello,
    session_id: sessionId,
    ciphers: plainCiphers,
    ext_types: extTypes,
    versions: p.versions.filter((v) => v !== GREASE),
    alpn: p.alpn,
    ja3,
  };
}

function keyShare(rng: Rng, group: number): Buffer {
  const n = KEY_SHARE_BYTES[group] ?? 32;
  const key = rng.bytes(n);
  if (group === 23 || group === 24) key[0] = 4; // uncompressed point (SEC 1 §2.3.3)
  return key;
}

export interface ServerHello {
  /** ServerHello record, plus ChangeCipherSpec for TLS 1.3 (middlebox compatibility, RFC 8446 §D.4). */
  readonly record: Buffer;
  readonly version: 0x0303 | 0x0304;
  readonly cipher: number;
  /** ALPN protocol chosen (TLS 1.2 carries it in the ServerHello; 1.3 hides it in EncryptedExtensions). */
  readonly alpn: string | null;
  /** JA3S string as tshark's tls.handshake.ja3s_full shows it. */
  readonly ja3s: string;
}

export function serverHello(rng: Rng, server: ServerProfile, ch: ClientHello): ServerHello {
  const tls13 = server.tls13 && ch.versions.includes(0x0304);
  const cipher = server.ciphers.find((c) => ch.ciphers.includes(c) && (tls13 ? c >> 8 === 0x13 : c >> 8 !== 0x13));
  if (cipher === undefined) throw new Error(`no common cipher between ${server.name} and the client`);
  const alpn = ch.alpn[0] ?? null;
  const exts: Buffer[] = [];
  const types: number[] = [];
  const offered = (t: number): boolean => ch.ext_types.includes(t);
  for (const t of tls13 ? server.ext13 : server.ext12) {
    let body: Buffer;
    if (t === Ext.supported_versions) body = u16(0x0304);
    else if (t === Ext.key_share) body = Buffer.concat([u16(29), vec16(rng.bytes(32))]);
    else if (!offered(t)) continue;
    else if (t === Ext.renegotiation_info) body = Buffer.from([0]);
    else if (t === Ext.ec_point_formats) body = vec8(Buffer.from([0]));
    else if (t === Ext.alpn) {
      if (alpn === null) continue;
      body = vec16(vec8(Buffer.from(alpn, 'ascii')));
    } else body = Buffer.alloc(0);
    exts.push(extension(t, body));
    types.push(t);
  }
  // A TLS 1.3 server echoes the client's session id; a 1.2 server issues its own (or none with tickets).
  const sessionId = tls13 ? ch.session_id : rng.bytes(32);
  const hello = handshake(2, Buffer.concat([
    u16(0x0303), rng.bytes(32), vec8(sessionId), u16(cipher), Buffer.from([0]), vec16(Buffer.concat(exts)),
  ]));
  let record = tlsRecord(22, 0x0303, hello);
  if (tls13) record = Buffer.concat([record, tlsRecord(20, 0x0303, Buffer.from([1]))]);
  return {
    record,
    version: tls13 ? 0x0304 : 0x0303,
    cipher,
    alpn: tls13 ? null : types.includes(Ext.alpn) ? alpn : null,
    ja3s: [0x0303, cipher, types.join('-')].join(','),
  };
}
