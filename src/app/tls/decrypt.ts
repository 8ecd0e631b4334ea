/**
 * TLS record decryption from key-log secrets: the key schedules of TLS 1.0–1.2 (RFC 2246 §6.3, RFC 5246 §5–6.3:
 * master secret → PRF key block) and TLS 1.3 (RFC 8446 §7.1–7.3: traffic secret → HKDF-Expand-Label key and iv),
 * and the record protection of AES-GCM (RFC 5288), ChaCha20-Poly1305 (RFC 7905), AES-CBC with HMAC (RFC 5246
 * §6.2.3.2, encrypt-then-MAC RFC 7366) and TLS 1.3's AEAD records (§5.2). Everything goes through node:crypto.
 * Runs only on connections whose secrets the user gave (--tls-keylog), so a buffer a record is fine here.
 */
import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';

export type Hash = 'sha256' | 'sha384' | 'sha1';
type Bulk = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305' | 'aes-128-cbc' | 'aes-256-cbc';

export interface Suite {
  bulk: Bulk;
  key_len: number;
  /** TLS <= 1.2: the PRF's hash (TLS 1.2) and the record MAC's (CBC suites); TLS 1.3: the HKDF hash. */
  prf: Hash;
  mac: Hash | null;
  tls13: boolean;
}

const gcm128 = (prf: Hash, tls13 = false): Suite => ({ bulk: 'aes-128-gcm', key_len: 16, prf, mac: null, tls13 });
const gcm256 = (tls13 = false): Suite => ({ bulk: 'aes-256-gcm', key_len: 32, prf: 'sha384', mac: null, tls13 });
const chacha = (tls13 = false): Suite => ({ bulk: 'chacha20-poly1305', key_len: 32, prf: 'sha256', mac: null, tls13 });
const cbc = (key_len: 16 | 32, mac: Hash, prf: Hash = 'sha256'): Suite => ({ bulk: key_len === 16 ? 'aes-128-cbc' : 'aes-256-cbc', key_len, prf, mac, tls13: false });

/** The cipher suites nad decrypts, by IANA value (RSA, DHE and ECDHE key exchange alike: the key log skips it). */
const SUITES: ReadonlyMap<number, Suite> = new Map([
  [0x1301, gcm128('sha256', true)],
  [0x1302, gcm256(true)],
  [0x1303, chacha(true)],
  ...[0x009c, 0x009e, 0xc02b, 0xc02f].map((v) => [v, gcm128('sha256')] as const),
  ...[0x009d, 0x009f, 0xc02c, 0xc030].map((v) => [v, gcm256()] as const),
  ...[0xcca8, 0xcca9, 0xccaa].map((v) => [v, chacha()] as const),
  ...[0x002f, 0x0033, 0xc009, 0xc013].map((v) => [v, cbc(16, 'sha1')] as const),
  ...[0x0035, 0x0039, 0xc00a, 0xc014].map((v) => [v, cbc(32, 'sha1')] as const),
  ...[0x003c, 0x0067, 0xc023, 0xc027].map((v) => [v, cbc(16, 'sha256')] as const),
  ...[0x003d, 0x006b].map((v) => [v, cbc(32, 'sha256')] as const),
  ...[0xc024, 0xc028].map((v) => [v, cbc(32, 'sha384', 'sha384')] as const),
]);

export function suiteOf(cipher: number): Suite | null {
  return SUITES.get(cipher) ?? null;
}

const HASH_LEN: Readonly<Record<Hash, number>> = { sha1: 20, sha256: 32, sha384: 48 };

/** A hash's output length in bytes. */
export function hashLen(hash: Hash): number {
  return HASH_LEN[hash];
}

/** P_hash (RFC 5246 §5): HMAC chained until `length` bytes. */
function pHash(hash: 'md5' | Hash, secret: Uint8Array, seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  let total = 0;
  let a: Buffer = seed;
  while (total < length) {
    a = createHmac(hash, secret).update(a).digest();
    const block = createHmac(hash, secret).update(a).update(seed).digest();
    out.push(block);
    total += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** The TLS PRF: P_<hash> for TLS 1.2; for TLS 1.0/1.1, P_MD5 over the secret's first half XOR P_SHA1 over its second. */
export function prf(version: number, hash: Hash, secret: Uint8Array, label: string, seed: Buffer, length: number): Buffer {
  const s = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  if (version >= 0x0303) return pHash(hash, secret, s, length);
  const half = Math.ceil(secret.length / 2);
  const md5 = pHash('md5', secret.subarray(0, half), s, length);
  const sha1 = pHash('sha1', secret.subarray(secret.length - half), s, length);
  for (let i = 0; i < length; i++) md5[i]! ^= sha1[i]!;
  return md5;
}

/** HKDF-Expand-Label (RFC 8446 §7.1) with an empty context. */
export function expandLabel(hash: Hash, secret: Uint8Array, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.alloc(2 + 1 + full.length + 1);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  full.copy(info, 3);
  const out: Buffer[] = [];
  let prev = Buffer.alloc(0);
  for (let i = 1, total = 0; total < length; i++) {
    prev = createHmac(hash, secret).update(prev).update(info).update(Buffer.of(i)).digest();
    out.push(prev);
    total += prev.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** A decrypted record: its real content type (TLS 1.3's inner type) and the plaintext. */
export interface Plain {
  type: number;
  data: Buffer;
}

/** One direction's record protection: keys, IV and the record sequence number. */
export class RecordCipher {
  private seq = 0n;
  private key: Buffer;
  private iv: Buffer;
  private readonly macKey: Buffer;
  /** TLS 1.3: the traffic secret, for KeyUpdate (RFC 8446 §7.2). */
  private secret: Uint8Array | null;

  private constructor(readonly suite: Suite, readonly version: number, key: Buffer, iv: Buffer, macKey: Buffer, secret: Uint8Array | null, readonly etm: boolean) {
    this.key = key;
    this.iv = iv;
    this.macKey = macKey;
    this.secret = secret;
  }

  /** TLS 1.3: the keys of one traffic secret (handshake or application). */
  static tls13(suite: Suite, secret: Uint8Array): RecordCipher {
    const key = expandLabel(suite.prf, secret, 'key', suite.key_len);
    const iv = expandLabel(suite.prf, secret, 'iv', 12);
    return new RecordCipher(suite, 0x0304, key, iv, Buffer.alloc(0), secret, false);
  }

  /**
   * TLS <= 1.2: both directions' ciphers from the master secret (RFC 5246 §6.3: key_block = PRF(master, "key
   * expansion", server_random + client_random), cut into MAC keys, write keys and IVs, client's first).
   */
  static tls12(suite: Suite, version: number, master: Uint8Array, clientRandom: Buffer, serverRandom: Buffer, etm: boolean): [client: RecordCipher, server: RecordCipher] {
    const macLen = suite.mac === null ? 0 : HASH_LEN[suite.mac];
    // AEAD: a 4-byte implicit salt (GCM, RFC 5288 §3) or a 12-byte IV (ChaCha20, RFC 7905 §2); CBC before TLS 1.1: the first IV.
    const ivLen = suite.bulk === 'chacha20-poly1305' ? 12 : suite.mac === null ? 4 : version <= 0x0301 ? 16 : 0;
    const block = prf(version, suite.prf, master, 'key expansion', Buffer.concat([serverRandom, clientRandom]), 2 * (macLen + suite.key_len + ivLen));
    let o = 0;
    const take = (n: number): Buffer => block.subarray(o, (o += n));
    const cMac = take(macLen);
    const sMac = take(macLen);
    const cKey = take(suite.key_len);
    const sKey = take(suite.key_len);
    const cIv = take(ivLen);
    const sIv = take(ivLen);
    return [new RecordCipher(suite, version, cKey, cIv, cMac, null, etm), new RecordCipher(suite, version, sKey, sIv, sMac, null, etm)];
  }

  /** Decrypts one record's fragment; null when it does not authenticate (wrong keys, a lost record, damage). */
  decrypt(type: number, version: number, frag: Buffer): Plain | null {
    let out: Plain | null;
    try {
      out = this.suite.tls13 ? this.open13(frag, version) : this.suite.mac === null ? this.open12(type, version, frag) : this.openCbc(type, version, frag);
    } catch {
      out = null;
    }
    if (out !== null) this.seq++;
    return out;
  }

  /** TLS 1.3 KeyUpdate: the next traffic secret and its keys; the sequence number starts again at 0. */
  update(): void {
    if (this.secret === null) return;
    const next = expandLabel(this.suite.prf, this.secret, 'traffic upd', HASH_LEN[this.suite.prf]);
    this.secret = next;
    this.key = expandLabel(this.suite.prf, next, 'key', this.suite.key_len);
    this.iv = expandLabel(this.suite.prf, next, 'iv', 12);
    this.seq = 0n;
  }

  /** The per-record nonce of RFC 8446 §5.3 and RFC 7905: the IV XOR the sequence number, left-padded. */
  private xorNonce(): Buffer {
    const nonce = Buffer.from(this.iv);
    const s = Buffer.alloc(8);
    s.writeBigUInt64BE(this.seq);
    for (let i = 0; i < 8; i++) nonce[4 + i]! ^= s[i]!;
    return nonce;
  }

  private aad(type: number, version: number, len: number): Buffer {
    const a = Buffer.alloc(13);
    a.writeBigUInt64BE(this.seq, 0);
    a[8] = type;
    a.writeUInt16BE(version, 9);
    a.writeUInt16BE(len, 11);
    return a;
  }

  private aead(nonce: Buffer, aad: Buffer, ct: Buffer, tag: Buffer): Buffer {
    const d = createDecipheriv(this.suite.bulk as 'aes-128-gcm', this.key, nonce, { authTagLength: 16 });
    d.setAAD(aad, { plaintextLength: ct.length });
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ct), d.final()]);
  }

  private open13(frag: Buffer, version: number): Plain | null {
    if (frag.length < 17) return null;
    const header = Buffer.alloc(5);
    header[0] = 23;
    header.writeUInt16BE(version, 1);
    header.writeUInt16BE(frag.length, 3);
    const inner = this.aead(this.xorNonce(), header, frag.subarray(0, frag.length - 16), frag.subarray(frag.length - 16));
    // TLSInnerPlaintext: content, the real type, zero padding (§5.4).
    let end = inner.length;
    while (end > 0 && inner[end - 1] === 0) end--;
    if (end === 0) return null;
    return { type: inner[end - 1]!, data: inner.subarray(0, end - 1) };
  }

  private open12(type: number, version: number, frag: Buffer): Plain | null {
    const chacha = this.suite.bulk === 'chacha20-poly1305';
    const explicit = chacha ? 0 : 8;
    if (frag.length < explicit + 16) return null;
    const nonce = chacha ? this.xorNonce() : Buffer.concat([this.iv, frag.subarray(0, 8)]);
    const ct = frag.subarray(explicit, frag.length - 16);
    return { type, data: this.aead(nonce, this.aad(type, version, ct.length), ct, frag.subarray(frag.length - 16)) };
  }

  /** CBC with HMAC: MAC-then-encrypt, or encrypt-then-MAC when the ServerHello agreed to it (RFC 7366). */
  private openCbc(type: number, version: number, frag: Buffer): Plain | null {
    const mac = this.suite.mac!;
    const macLen = HASH_LEN[mac];
    let ct = frag;
    if (this.etm) {
      if (frag.length < macLen + 16) return null;
      ct = frag.subarray(0, frag.length - macLen);
      const want = createHmac(mac, this.macKey).update(this.aad(type, version, ct.length)).update(ct).digest();
      if (!timingSafeEqual(want, frag.subarray(frag.length - macLen))) return null;
    }
    // TLS 1.1+: an explicit IV leads each record; TLS 1.0: the IV is the previous record's last ciphertext block.
    const explicitIv = version >= 0x0302;
    if (ct.length % 16 !== 0 || ct.length < (explicitIv ? 32 : 16)) return null;
    const iv = explicitIv ? ct.subarray(0, 16) : this.iv;
    const body = explicitIv ? ct.subarray(16) : ct;
    const d = createDecipheriv(this.suite.bulk, this.key, iv);
    d.setAutoPadding(false);
    const plain = Buffer.concat([d.update(body), d.final()]);
    if (!explicitIv) this.iv = Buffer.from(body.subarray(body.length - 16));
    const pad = plain[plain.length - 1]!;
    const end = plain.length - pad - 1 - (this.etm ? 0 : macLen);
    if (end < 0) return null;
    for (let i = plain.length - pad - 1; i < plain.length; i++) if (plain[i] !== pad) return null;
    const data = plain.subarray(0, end);
    if (!this.etm) {
      const want = createHmac(mac, this.macKey).update(this.aad(type, version, data.length)).update(data).digest();
      if (!timingSafeEqual(want, plain.subarray(end, end + macLen))) return null;
    }
    return { type, data };
  }
}
