/** TCP (RFC 9293 §3.1): ports(4) seq(4) ack(4) data offset/flags(2) window(2) checksum(2) urgent(2) options. */
import { malformed, markIssue, truncated } from './issue.js';
import { Issue, Layer } from './layer.js';
import type { Packet } from './layer.js';

/** Reads within the IP payload [p.off, p.payload_end); a header cut by the snaplen keeps what it got (ports first). */
export function decodeTcp(p: Packet): Layer {
  const o = p.off;
  const v = p.view;
  const end = p.payload_end;
  if (end - o < 4) return truncated(p, Layer.Tcp);
  p.src_port = v.getUint16(o);
  p.dst_port = v.getUint16(o + 2);
  if (end - o < 20) return truncated(p, Layer.Tcp);
  p.tcp_seq = v.getUint32(o + 4);
  p.tcp_ack = v.getUint32(o + 8);
  const doff = (v.getUint8(o + 12) >> 4) * 4;
  p.tcp_flags = v.getUint8(o + 13);
  p.tcp_win = v.getUint16(o + 14);
  const claimed = p.payload_len - doff;
  if (doff < 20 || claimed < 0) {
    // a data offset below the minimum, or past the segment the IP header claims: damage, not a cut
    p.payload_len = 0;
    p.payload_off = p.payload_end;
    return malformed(p, Layer.Tcp);
  }
  p.payload_len = claimed;
  let start = o + doff;
  if (start > end) {
    start = end; // options cut by the snaplen
    markIssue(p, Issue.Truncated, Layer.Tcp, 0);
  }
  p.off = start;
  p.payload_off = start;
  return Layer.End;
}
