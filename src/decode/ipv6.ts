/** IPv6 (RFC 8200) with extension headers: hop-by-hop, routing (incl. SRH, RFC 8754), destination options,
 *  fragment, mobility (RFC 6275), AH (RFC 4302). ESP stops the walk: what follows is encrypted. */
import { malformed, markIssue, truncated } from './issue.js';
import { ipProtoLayer, resetTransport } from './ipproto.js';
import { Issue, Layer } from './layer.js';
import type { Packet } from './layer.js';

/** version/class/flow(4) payload length(2) next header(1) hop limit(1) src(16) dst(16), then the chain. */
export function decodeIpv6(p: Packet): Layer {
  const o = p.off;
  const v = p.view;
  const limit = p.payload_end; // the bytes the enclosing layer gives (the record, or a tunnel's payload)
  if (limit - o < 40) return truncated(p, Layer.Ipv6);
  if (v.getUint8(o) >> 4 !== 6) return malformed(p, Layer.Ipv6);
  const plen = v.getUint16(o + 4);
  let next = v.getUint8(o + 6);

  resetTransport(p);
  p.ip_version = 6;
  p.ip_off = o;
  p.src_ip_off = o + 8;
  p.dst_ip_off = o + 24;
  p.ttl = v.getUint8(o + 7);
  // Payload length 0 with a hop-by-hop header is a jumbogram (RFC 2675): its length is in an option; use the bytes.
  let end = plen === 0 && next === 0 ? limit : o + 40 + plen;
  p.ip_len = end - o;
  let claimed = end - o - 40;
  if (end > limit) {
    // Past the record: a snaplen cut. Past an enclosing length (PPPoE) only: that length wins, as in Wireshark.
    if (end > p.end) markIssue(p, Issue.Truncated, Layer.Ipv6, 0);
    else claimed = limit - o - 40;
    end = limit;
  }

  let x = o + 40;
  // Every extension header is at least 8 bytes, so the walk ends within the datagram however long the chain.
  for (;;) {
    let size: number;
    switch (next) {
      case 0: // hop-by-hop options
      case 43: // routing
      case 60: // destination options
      case 135: // mobility
        if (end - x < 2) return cutChain(p, next, x, end);
        size = (v.getUint8(x + 1) + 1) * 8;
        break;
      case 44: // fragment
        if (end - x < 8) return cutChain(p, next, x, end);
        p.frag_off = v.getUint16(x + 2) & 0xfff8;
        p.frag_mf = v.getUint8(x + 3) & 1;
        p.frag_id = v.getUint32(x + 4);
        size = 8;
        break;
      case 51: // AH: length in 4-octet units, minus 2
        if (end - x < 2) return cutChain(p, next, x, end);
        size = (v.getUint8(x + 1) + 2) * 4;
        break;
      default:
        size = 0;
    }
    if (size === 0) break;
    if (end - x < size) return cutChain(p, next, x, end);
    next = v.getUint8(x);
    x += size;
    // Data after a fragment header with a non-zero offset is not a header: stop there.
    if (p.frag_off !== 0) break;
  }
  p.ip_proto = next;
  p.off = x;
  p.payload_off = x;
  p.payload_end = end;
  p.payload_len = 40 + claimed - (x - o);
  if (p.frag_off !== 0) return Layer.End;
  return ipProtoLayer(p, next);
}

/** An extension header runs past the datagram: keep the addresses, name the header as the protocol. Past the
 *  captured bytes of a datagram the capture cut, that is a cut; past the datagram's own length, damage. */
function cutChain(p: Packet, next: number, x: number, end: number): Layer {
  p.ip_proto = next;
  p.off = x;
  p.payload_off = x;
  p.payload_end = end;
  return p.ip_off + p.ip_len > p.end ? truncated(p, Layer.Ipv6) : malformed(p, Layer.Ipv6);
}
