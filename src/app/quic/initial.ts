/**
 * QUIC Initial packet protection (RFC 9001 §5, RFC 9369 §3.3 for v2): keys from the client's first Destination
 * Connection ID; their protection (AES-128-ECB header protection, AES-128-GCM payload) is protection.ts's.
 * Runs only on Initial packets (a few per connection), so allocation here is per handshake, not per packet.
 */
import { createHmac } from 'node:crypto';
import { expandLabel as tlsExpandLabel, suiteOf } from '../tls/decrypt.js';
import { PacketProtection } from './protection.js';

export interface QuicVersionParams {
  salt: Buffer;
  /** HKDF label prefix: `quic ` (v1, drafts) or `quicv2 ` (RFC 9369 §3.3.2). */
  label: string;
  /** Long-header packet type value of Initial: 0 in v1, 1 in v2 (RFC 9369 §3.2). */
  initial_type: number;
}

const V1: QuicVersionParams = { salt: Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex'), label: 'quic ', initial_type: 0 };
const V2: QuicVersionParams = { salt: Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex'), label: 'quicv2 ', initial_type: 1 };
/** draft-ietf-quic-tls-29 … -32 §5.2. */
const DRAFT29: QuicVersionParams = { salt: Buffer.from('afbfec289993d24c9e9786f19c6111e04390a899', 'hex'), label: 'quic ', initial_type: 0 };
/** draft-ietf-quic-tls-23 … -28 §5.2. */
const DRAFT23: QuicVersionParams = { salt: Buffer.from('c3eef712c72ebb5a11a7d2432bb46365bef9f502', 'hex'), label: 'quic ', initial_type: 0 };

/** Parameters of the versions nad can decrypt, null for the others (Google QUIC, unknown drafts). */
export function quicVersionParams(version: number): QuicVersionParams | null {
  if (version === 0x00000001) return V1;
  if (version === 0x6b3343cf) return V2;
  if (version >= 0xff00001d && version <= 0xff000020) return DRAFT29;
  if (version >= 0xff000017 && version <= 0xff00001c) return DRAFT23;
  return null;
}

export interface InitialKeys {
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

/** HKDF-Expand-Label (RFC 8446 §7.1) over SHA-256, the hash of QUIC's Initial keys. */
const expandLabel = (secret: Buffer, label: string, length: number): Buffer => tlsExpandLabel('sha256', secret, label, length);

/** RFC 9001 §5.2: client or server Initial keys for a Destination Connection ID. */
export function initialKeys(params: QuicVersionParams, dcid: Buffer, server: boolean): InitialKeys {
  const initial = createHmac('sha256', params.salt).update(dcid).digest(); // HKDF-Extract
  const secret = expandLabel(initial, server ? 'server in' : 'client in', 32);
  return {
    key: expandLabel(secret, `${params.label}key`, 16),
    iv: expandLabel(secret, `${params.label}iv`, 12),
    hp: expandLabel(secret, `${params.label}hp`, 16),
  };
}

/** QUIC variable-length integer (RFC 9000 §16) at buf[o]; returns -1 when it runs past end. `varintLen` gives its size. */
export function readVarint(buf: Buffer, o: number, end: number): number {
  if (o >= end) return -1;
  const first = buf[o]!;
  const len = 1 << (first >> 6);
  if (o + len > end) return -1;
  let v = first & 0x3f;
  for (let i = 1; i < len; i++) v = v * 256 + buf[o + i]!;
  return v;
}

export function varintLen(buf: Buffer, o: number): number {
  return 1 << (buf[o]! >> 6);
}

/** Initial packets are protected with AES-128-GCM and AES-128 header protection, their secrets derived with SHA-256. */
export const INITIAL_SUITE = suiteOf(0x1301)!;

/** The packet protection of one direction's Initial packets. */
export function initialProtection(keys: InitialKeys): PacketProtection {
  return PacketProtection.fromKeys(INITIAL_SUITE, keys.key, keys.iv, keys.hp);
}

/** Decrypts one protected Initial payload. hdr_start..pn_off is the header, pkt_end ends the packet. Null if it fails. */
export function unprotect(keys: InitialKeys, buf: Buffer, hdr_start: number, pn_off: number, pkt_end: number): Buffer | null {
  return initialProtection(keys).open(buf, hdr_start, pn_off, pkt_end, true)?.plain ?? null;
}
