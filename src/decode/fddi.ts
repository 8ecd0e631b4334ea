/** FDDI, LINKTYPE_FDDI (10): frame control(1) dst(6) src(6), then LLC/SNAP (as on 802.3). */
import { decodeLlc } from './ethernet.js';
import { truncated, unsupported } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';

export function decodeFddi(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 13) return truncated(p, Layer.Fddi);
  const fc = p.view.getUint8(o);
  // Asynchronous LLC frames have frame control 0b0101_0rrr (0x50-0x57); SMT and MAC frames carry no IP
  if ((fc & 0xf8) !== 0x50) return unsupported(p, Layer.Fddi, fc);
  p.off = o + 13;
  return decodeLlc(p, Layer.Fddi);
}
