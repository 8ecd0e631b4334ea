/** Linux "cooked" capture v1, LINKTYPE_LINUX_SLL (113): pkttype(2) hatype(2) halen(2) addr(8) protocol(2). */
import { decodeLlc } from './ethernet.js';
import { etherTypeLayer } from './ethertype.js';
import { truncated, unsupported } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';

export function decodeSll(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 16) return truncated(p, Layer.Sll);
  p.off = o + 16;
  return sllProtocolLayer(p, p.view.getUint16(o + 14), Layer.Sll);
}

/** The protocol field is an ethertype, or below 0x0600 one of Linux's pseudo-protocols (ETH_P_802_2 = 4: LLC). */
export function sllProtocolLayer(p: Packet, protocol: number, from: Layer): Layer {
  if (protocol >= 0x0600) return etherTypeLayer(p, protocol, from);
  if (protocol === 0x0004) return decodeLlc(p, from);
  return unsupported(p, from, protocol);
}
