/** Linux NFLOG, LINKTYPE_NFLOG (239): family(1) version(1) resource id(2), then netlink TLVs until NFULA_PAYLOAD. */
import { truncated, unsupported } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';

/** NFULA_PAYLOAD: the logged packet, starting at its IP header. */
const NFULA_PAYLOAD = 9;

export function decodeNflog(p: Packet): Layer {
  const o = p.off;
  const v = p.view;
  if (p.payload_end - o < 4) return truncated(p, Layer.Nflog);
  const family = v.getUint8(o);
  let x = o + 4;
  // TLV length and type are in the capturing host's byte order. Decide once, from the first TLV: little-endian
  // unless its length only makes sense big-endian.
  let little = true;
  if (p.payload_end - x >= 4) {
    const le = v.getUint16(x, true);
    if (le < 4 || le > p.payload_end - x) little = false;
  }
  // Each TLV is at least 4 bytes, so the walk ends at the record's end.
  while (p.payload_end - x >= 4) {
    const length = v.getUint16(x, little);
    const type = v.getUint16(x + 2, little) & 0x7fff; // high bits: NLA_F_NESTED / NLA_F_NET_BYTEORDER
    if (length < 4) return truncated(p, Layer.Nflog);
    if (type === NFULA_PAYLOAD) {
      p.off = x + 4;
      if (family === 2) return Layer.Ipv4;
      if (family === 10) return Layer.Ipv6;
      return unsupported(p, Layer.Nflog, family);
    }
    x += (length + 3) & ~3; // padded to 4 (NFA_ALIGN)
  }
  // No payload TLV: the rule logged metadata only; a TLV cut in the middle is a snaplen cut.
  return x === p.payload_end ? Layer.End : truncated(p, Layer.Nflog);
}
