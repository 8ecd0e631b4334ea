/**
 * VXLAN (RFC 7348 §5), UDP 4789: flags(1) reserved(3) VNI(3) reserved(1), then an Ethernet frame.
 * VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe §3.2), UDP 4790: flags R R Ver(2) I P B O, reserved(2), next protocol(1),
 * VNI(3), reserved(1); with P set the next protocol names the payload (1 IPv4, 2 IPv6, 3 Ethernet, 5 MPLS), else it is
 * Ethernet as in VXLAN.
 */
import { EtherType, etherTypeLayer } from './ethertype.js';
import { truncated } from './issue.js';
import { Layer, Tunnel } from './layer.js';
import type { Packet } from './layer.js';
import { UdpPort } from './udp.js';

/** VXLAN-GPE next protocol → the ethertype that names the same payload. */
const GPE_NEXT: Readonly<Record<number, number>> = { 1: EtherType.Ipv4, 2: EtherType.Ipv6, 3: EtherType.Teb, 5: EtherType.MplsUnicast };

/**
 * The port alone does not make VXLAN. Without the I flag, or with an inner frame whose ethertype is not IP, VLAN or
 * ARP (or, for GPE, a version other than 0 or a next protocol nad does not follow), the packet stays the outer UDP
 * flow, with no issue: random UDP payloads on these ports must not be counted as broken tunnels.
 * The header is GPE's on destination port 4790.
 */
export function decodeVxlan(p: Packet): Layer {
  const o = p.off;
  const v = p.view;
  if (p.payload_end - o < 8) return truncated(p, Layer.Vxlan);
  const flags = v.getUint8(o);
  if ((flags & 0x08) === 0) return Layer.End;
  const gpe = p.dst_port === UdpPort.VxlanGpe;
  let type: number = EtherType.Teb;
  if (gpe) {
    if ((flags & 0x30) !== 0) return Layer.End; // version 0 only
    if ((flags & 0x04) !== 0) {
      const next = GPE_NEXT[v.getUint8(o + 3)];
      if (next === undefined) return Layer.End; // NSH and unassigned values: not followed
      type = next;
    }
  }
  if (type === EtherType.Teb && p.payload_end - o >= 22) {
    const inner = v.getUint16(o + 20);
    if (inner !== 0x0800 && inner !== 0x86dd && inner !== 0x8100 && inner !== 0x88a8 && inner !== 0x0806) return Layer.End;
  }
  p.tunnel |= Tunnel.Vxlan;
  p.off = o + 8;
  return etherTypeLayer(p, type, Layer.Vxlan);
}
