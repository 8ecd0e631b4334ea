/** Raw IP: LINKTYPE_RAW (101; 12 and 14 in files from some BSDs), LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229). */
import { markIssue, malformed, truncated } from './issue.js';
import { Issue, Layer } from './layer.js';
import type { Packet } from './layer.js';

/** The version nibble chooses; a packet whose version contradicts LINKTYPE_IPV4/IPV6 is decoded anyway and marked. */
export function decodeRaw(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 1) return truncated(p, Layer.Raw);
  const version = p.view.getUint8(o) >> 4;
  if ((p.linktype === 228 && version !== 4) || (p.linktype === 229 && version !== 6)) {
    markIssue(p, Issue.Malformed, Layer.Raw, p.linktype);
  }
  if (version === 4) return Layer.Ipv4;
  if (version === 6) return Layer.Ipv6;
  return malformed(p, Layer.Raw);
}
