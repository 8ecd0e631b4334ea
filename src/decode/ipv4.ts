/** IPv4 (RFC 791) with options and fragments. */
import { malformed, markIssue, truncated } from './issue.js';
import { ipProtoLayer, resetTransport } from './ipproto.js';
import { Issue, Layer } from './layer.js';
import type { Packet } from './layer.js';

/**
 * version/ihl(1) tos(1) total length(2) id(2) flags/fragment offset(2) ttl(1) protocol(1) checksum(2) src(4) dst(4).
 * Sets the innermost-IP fields and hands the transport the bytes [payload_off, payload_end), which exclude
 * Ethernet padding after the datagram.
 */
export function decodeIpv4(p: Packet): Layer {
  const o = p.off;
  const v = p.view;
  const limit = p.payload_end; // the bytes the enclosing layer gives (the record, or a tunnel's payload)
  const avail = limit - o;
  if (avail < 20) return truncated(p, Layer.Ipv4);
  const vihl = v.getUint8(o);
  const hlen = (vihl & 0x0f) * 4;
  if (vihl >> 4 !== 4 || hlen < 20) return malformed(p, Layer.Ipv4);
  if (avail < hlen) return truncated(p, Layer.Ipv4);
  let total = v.getUint16(o + 2);
  // 0 comes from captures taken before TCP segmentation offload filled it in (Wireshark: "presumed TSO")
  if (total === 0) total = avail;
  else if (total < hlen) return malformed(p, Layer.Ipv4);

  resetTransport(p);
  p.ip_version = 4;
  p.ip_off = o;
  p.src_ip_off = o + 12;
  p.dst_ip_off = o + 16;
  p.ip_len = total;
  p.ttl = v.getUint8(o + 8);
  const proto = v.getUint8(o + 9);
  p.ip_proto = proto;
  const frag = v.getUint16(o + 6);
  p.frag_off = (frag & 0x1fff) * 8;
  p.frag_mf = (frag >> 13) & 1;
  p.frag_id = v.getUint16(o + 4);

  let end = o + total;
  if (end > limit) {
    // Past the record: a snaplen cut. Past an enclosing length (PPPoE) only: that length wins, as in Wireshark.
    if (end > p.end) markIssue(p, Issue.Truncated, Layer.Ipv4, 0);
    else total = limit - o;
    end = limit;
  }
  p.off = o + hlen;
  p.payload_off = o + hlen;
  p.payload_end = end;
  p.payload_len = total - hlen;
  // A later fragment has no transport header: the flow table maps it to its first fragment by (addresses, id).
  if (p.frag_off !== 0) return Layer.End;
  return ipProtoLayer(p, proto);
}
