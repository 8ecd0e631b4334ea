/** Recording decode issues on the Packet: errors are data, never exceptions (STYLE.md §3). */
import { Issue, Layer } from './layer.js';
import type { Packet } from './layer.js';

/** Records an issue unless an earlier one is already recorded (the first cause is the useful one). */
export function markIssue(p: Packet, issue: Issue, layer: Layer, detail: number): void {
  if (p.issue !== Issue.None) return;
  p.issue = issue;
  p.issue_layer = layer;
  p.issue_detail = detail;
}

/** Marks a snaplen cut or a header cut short and stops decoding. */
export function truncated(p: Packet, layer: Layer): Layer {
  markIssue(p, Issue.Truncated, layer, 0);
  return Layer.End;
}

/** Marks a header that cannot be right (a length below its minimum, a bad version) and stops decoding. */
export function malformed(p: Packet, layer: Layer): Layer {
  markIssue(p, Issue.Malformed, layer, 0);
  return Layer.End;
}

/** Marks a protocol nad does not decode (detail: its ethertype, PPP protocol, address family…) and stops. */
export function unsupported(p: Packet, layer: Layer, detail: number): Layer {
  markIssue(p, Issue.Unsupported, layer, detail);
  return Layer.End;
}
