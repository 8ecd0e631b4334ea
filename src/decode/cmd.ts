/** Cisco MetaData (ethertype 0x8909) carrying a TrustSec SGT, as Wireshark's CMD dissector reads it. */
import { etherTypeLayer } from './ethertype.js';
import { truncated } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';

/**
 * On Ethernet: version(1)=1 length(1) option(2) SGT(2) ethertype(2). Inside GRE (tcpdump's various_gre.pcap,
 * read the same way by tshark 4.0) the ethertype comes first: ethertype(2) version(1) length(1) option(2) SGT(2).
 * The version byte tells the two apart.
 */
export function decodeCiscoMeta(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 8) return truncated(p, Layer.CiscoMeta);
  const typeAt = p.view.getUint8(o) === 1 ? o + 6 : o;
  p.off = o + 8;
  return etherTypeLayer(p, p.view.getUint16(typeAt), Layer.CiscoMeta);
}
