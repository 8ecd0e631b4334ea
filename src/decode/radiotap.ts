/** Radiotap (LINKTYPE_IEEE802_11_RADIOTAP 127, radiotap.org): version(1) pad(1) length(2) present(4)…, all
 *  little-endian, then an 802.11 frame, with the FCS after it when the Flags field says so. */
import { malformed, truncated } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';

const TSFT = 1; // present bit 0: 8-byte timestamp, 8-byte aligned
const FLAGS = 2; // present bit 1: 1 byte
const EXT = 0x80000000; // another present word follows
const FLAG_FCS = 0x10; // the frame ends with its 4-byte FCS

export function decodeRadiotap(p: Packet): Layer {
  const o = p.off;
  const v = p.view;
  if (p.payload_end - o < 8) return truncated(p, Layer.Radiotap);
  const length = v.getUint16(o + 2, true);
  if (v.getUint8(o) !== 0 || length < 8) return malformed(p, Layer.Radiotap);
  if (p.payload_end - o < length) return truncated(p, Layer.Radiotap);
  const present = v.getUint32(o + 4, true);
  let x = o + 8;
  // Extended present words: each 4 bytes, so the walk ends within the header.
  for (let word = present; (word & EXT) !== 0; x += 4) {
    if (x + 4 > o + length) return malformed(p, Layer.Radiotap);
    word = v.getUint32(x, true);
  }
  if ((present & TSFT) !== 0) x = o + ((x - o + 7) & ~7) + 8;
  if ((present & FLAGS) !== 0 && x < o + length && (v.getUint8(x) & FLAG_FCS) !== 0 && p.payload_end - o >= length + 4) {
    p.payload_end -= 4;
  }
  p.off = o + length;
  return Layer.Ieee80211;
}
