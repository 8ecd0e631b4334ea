/**
 * QUIC packet protection (RFC 9001 §5): the keys of one packet number space and direction from a TLS secret
 * (HKDF-Expand-Label `quic key`, `quic iv`, `quic hp`; `quicv2 …` for version 2, RFC 9369 §3.3.2), header
 * protection (§5.4: AES-ECB or ChaCha20 over a 16-byte sample), packet number recovery (RFC 9000 Appendix A.3) and the
 * AEAD open of the payload (§5.3), for long and short headers. 1-RTT keys follow key updates (§6: `quic ku`, the
 * Key Phase bit). Made per connection and space; runs only on packets whose keys the capture or a key log gave.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { expandLabel, hashLen, type Suite } from '../tls/decrypt.js';

/** What opening a packet gives: the plaintext payload, the full packet number and the Key Phase bit (short headers). */
export interface OpenedPacket {
  plain: Buffer;
  pn: number;
  key_phase: number;
}

interface Aead {
  key: Buffer;
  iv: Buffer;
}

export class PacketProtection {
  /** 1-RTT: the secret of the current key phase (null: Initial keys, which never update) and the keys of the next. */
  private secret: Uint8Array | null;
  private next: { secret: Uint8Array; aead: Aead } | null = null;
  private previous: Aead | null = null;
  private phase = 0;
  /** Largest packet number opened so far (-1: none), the base of packet number recovery. */
  largest = -1;

  private constructor(private readonly suite: Suite, private readonly label: string, private readonly hp: Buffer, private aead: Aead, secret: Uint8Array | null) {
    this.secret = secret;
  }

  /** The keys of a TLS secret (handshake or application traffic, RFC 9001 §5.1); `label` is `quic ` or `quicv2 `. */
  static fromSecret(suite: Suite, secret: Uint8Array, label: string): PacketProtection {
    const hp = expandLabel(suite.prf, secret, `${label}hp`, suite.key_len);
    return new PacketProtection(suite, label, hp, keysOf(suite, secret, label), secret);
  }

  /** Keys already derived (Initial packets, initial.ts). */
  static fromKeys(suite: Suite, key: Buffer, iv: Buffer, hp: Buffer): PacketProtection {
    return new PacketProtection(suite, '', hp, { key, iv }, null);
  }

  /** §5.4.3 / §5.4.4: the 5-byte mask from the sample. */
  private mask(sample: Buffer): Buffer {
    if (this.suite.bulk === 'chacha20-poly1305') {
      // The sample's first 4 bytes are the block counter (little-endian), the other 12 the nonce: node's 16-byte IV.
      return createCipheriv('chacha20', this.hp, sample).update(Buffer.alloc(5));
    }
    const ecb = this.suite.key_len === 32 ? 'aes-256-ecb' : 'aes-128-ecb';
    return createCipheriv(ecb, this.hp, null).update(sample);
  }

  /**
   * Opens the packet buf[hdr_start, pkt_end) whose (protected) packet number starts at pn_off; `long` selects the
   * header protection mask of long headers (4 bits) or short ones (5, with the Key Phase bit). Null when it does not
   * authenticate: other keys, a damaged packet, or one this side cannot open.
   */
  open(buf: Buffer, hdr_start: number, pn_off: number, pkt_end: number, long: boolean): OpenedPacket | null {
    // §5.4.2: the sample starts 4 bytes after the packet number's start.
    if (pn_off + 4 + 16 > pkt_end) return null;
    const mask = this.mask(buf.subarray(pn_off + 4, pn_off + 20));
    const b0 = buf[hdr_start]! ^ (mask[0]! & (long ? 0x0f : 0x1f));
    const pnLen = (b0 & 3) + 1;
    const payload = pn_off + pnLen;
    if (payload + 16 > pkt_end) return null;
    const header = Buffer.from(buf.subarray(hdr_start, payload));
    header[0] = b0;
    let truncated = 0;
    for (let i = 0; i < pnLen; i++) {
      const byte = buf[pn_off + i]! ^ mask[1 + i]!;
      header[pn_off - hdr_start + i] = byte;
      truncated = truncated * 256 + byte;
    }
    const pn = decodePacketNumber(this.largest, truncated, pnLen * 8);
    const keyPhase = long ? 0 : (b0 >> 2) & 1;
    const ct = buf.subarray(payload, pkt_end - 16);
    const tag = buf.subarray(pkt_end - 16, pkt_end);
    let plain: Buffer | null = null;
    if (long || keyPhase === this.phase) plain = this.openWith(this.aead, pn, header, ct, tag);
    else {
      // §6.2: the peer flipped the Key Phase bit: the next generation of keys.
      if (this.next === null && this.secret !== null) {
        const secret = expandLabel(this.suite.prf, this.secret, `${this.label}ku`, hashLen(this.suite.prf));
        this.next = { secret, aead: keysOf(this.suite, secret, this.label) };
      }
      if (this.next !== null) plain = this.openWith(this.next.aead, pn, header, ct, tag);
      if (plain !== null && this.next !== null) {
        this.previous = this.aead;
        this.aead = this.next.aead;
        this.secret = this.next.secret;
        this.next = null;
        this.phase = keyPhase;
      } else if (this.previous !== null) plain = this.openWith(this.previous, pn, header, ct, tag); // the phase before an update, reordered after it
    }
    if (plain === null) return null;
    if (pn > this.largest) this.largest = pn;
    return { plain, pn, key_phase: keyPhase };
  }

  private openWith(k: Aead, pn: number, header: Buffer, ct: Buffer, tag: Buffer): Buffer | null {
    // §5.3: nonce = iv XOR the packet number, left-padded to 12 bytes.
    const nonce = Buffer.from(k.iv);
    let rest = pn;
    for (let i = 11; i >= 4 && rest > 0; i--) {
      nonce[i]! ^= rest % 256;
      rest = Math.floor(rest / 256);
    }
    try {
      const d = createDecipheriv(this.suite.bulk as 'aes-128-gcm', k.key, nonce, { authTagLength: 16 });
      d.setAAD(header, { plaintextLength: ct.length });
      d.setAuthTag(tag);
      return Buffer.concat([d.update(ct), d.final()]);
    } catch {
      return null;
    }
  }
}

function keysOf(suite: Suite, secret: Uint8Array, label: string): Aead {
  return { key: expandLabel(suite.prf, secret, `${label}key`, suite.key_len), iv: expandLabel(suite.prf, secret, `${label}iv`, 12) };
}

/** RFC 9000 Appendix A.3: the full packet number nearest to largest + 1 whose low `bits` bits are `truncated`. */
export function decodePacketNumber(largest: number, truncated: number, bits: number): number {
  const expected = largest + 1;
  const win = 2 ** bits;
  const hwin = win / 2;
  const candidate = Math.floor(expected / win) * win + truncated;
  if (candidate <= expected - hwin && candidate < 2 ** 62 - win) return candidate + win;
  if (candidate > expected + hwin && candidate >= win) return candidate - win;
  return candidate;
}
