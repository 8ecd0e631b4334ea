/** VXLAN (RFC 7348 §5), UDP 4789: flags(1) reserved(3) VNI(3) reserved(1), then an Ethernet frame. */
import { truncated } from './issue.js';
import { Layer, Tunnel } from './layer.js';
import type { Packet } from './layer.js';

export function decodeVxlan(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 8) return truncated(p, Layer.Vxlan);
  // Without the I flag this is not VXLAN (or not ours): keep the packet as the outer UDP flow.
  if ((p.view.getUint8(o) & 0x08) === 0) return Layer.End;
  p.tunnel |= Tunnel.Vxlan;
  p.off = o + 8;
  return Layer.Ethernet;
}
