/** VXLAN (RFC 7348 §5), UDP 4789: flags(1) reserved(3) VNI(3) reserved(1), then an Ethernet frame. */
import { truncated } from './issue.js';
import { Layer, Tunnel } from './layer.js';
import type { Packet } from './layer.js';

/**
 * Port 4789 alone does not make VXLAN. Without the I flag, or with an inner frame whose ethertype is not IP, VLAN
 * or ARP, the packet stays the outer UDP flow, with no issue: random UDP payloads on that port must not be
 * counted as broken tunnels.
 */
export function decodeVxlan(p: Packet): Layer {
  const o = p.off;
  const v = p.view;
  if (p.payload_end - o < 8) return truncated(p, Layer.Vxlan);
  if ((v.getUint8(o) & 0x08) === 0) return Layer.End;
  if (p.payload_end - o >= 22) {
    const inner = v.getUint16(o + 20);
    if (inner !== 0x0800 && inner !== 0x86dd && inner !== 0x8100 && inner !== 0x88a8 && inner !== 0x0806) return Layer.End;
  }
  p.tunnel |= Tunnel.Vxlan;
  p.off = o + 8;
  return Layer.Ethernet;
}
