/** Decode issues tallied by kind, count and first offset (the idea behind Zeek's weird.log), for summary.json. */
import type { WarningTally } from '../capture/types.js';
import { ARCNET_FRAGMENT } from './arcnet.js';
import { etherTypeName } from './ethertype.js';
import { Issue, Layer } from './layer.js';
import type { Packet } from './layer.js';
import { linkTypeName } from './linktype.js';

/** One kind of decode issue: Issue.*, the layer it happened in and its detail number (see Packet.issue_detail). */
export interface IssueTally {
  issue: number;
  layer: number;
  detail: number;
  count: number;
  /** file_offset of the first packet with this issue. */
  first_offset: number;
}

export interface DecodeStats {
  /** Packets tallied. */
  packets: number;
  /** Packets that carried any issue. */
  packets_with_issue: number;
  /** Keyed by issue, layer and detail packed in one number (no string per packet). */
  issues: Map<number, IssueTally>;
}

export function createDecodeStats(): DecodeStats {
  return { packets: 0, packets_with_issue: 0, issues: new Map() };
}

/** Counts one decoded packet. Allocates only the first time a kind of issue appears. */
export function tallyDecode(stats: DecodeStats, p: Packet): void {
  stats.packets++;
  if (p.issue === Issue.None) return;
  stats.packets_with_issue++;
  // Which details matter: the unsupported thing's number; truncation and damage are per layer only.
  const detail = p.issue === Issue.Unsupported ? p.issue_detail >>> 0 : 0;
  const key = (p.issue * 256 + p.issue_layer) * 2 ** 32 + detail;
  const seen = stats.issues.get(key);
  if (seen !== undefined) {
    seen.count++;
    return;
  }
  stats.issues.set(key, { issue: p.issue, layer: p.issue_layer, detail, count: 1, first_offset: p.file_offset });
}

const LAYER_NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (const [name, id] of Object.entries(Layer)) names[id] = name;
  return names;
})();

/** Layer.Tcp → "Tcp". */
export function layerName(layer: number): string {
  return LAYER_NAMES[layer] ?? `layer ${layer}`;
}

/** The tallies as summary.json warnings, most frequent first, e.g.
 *  `unsupported_linktype_160: { count: 3, message: "linktype 160 (USER13) not decoded: 3 packets" }`. */
export function decodeWarnings(stats: DecodeStats): Record<string, WarningTally> {
  const out: Record<string, WarningTally> = {};
  const tallies = [...stats.issues.values()].sort((a, b) => b.count - a.count || a.first_offset - b.first_offset);
  for (const t of tallies) {
    const { key, what } = describe(t);
    out[key] = { count: t.count, first_offset: t.first_offset, message: `${what}: ${t.count} packet${t.count === 1 ? '' : 's'}` };
  }
  return out;
}

function describe(t: IssueTally): { key: string; what: string } {
  const layer = layerName(t.layer);
  const lower = layer.toLowerCase();
  switch (t.issue) {
    case Issue.Truncated:
      return { key: `truncated_${lower}`, what: `${layer}: cut short (snaplen or damage), decoded as far as the bytes go` };
    case Issue.Malformed:
      if (t.layer === Layer.Raw) {
        return { key: 'malformed_raw', what: 'Raw: the link type names one IP version, the packet has the other (decoded as what it is)' };
      }
      return { key: `malformed_${lower}`, what: `${layer}: header malformed, decoding stopped there` };
    case Issue.LayerLimit:
      return { key: 'layer_limit', what: 'more nested layers than nad decodes, decoding stopped' };
    case Issue.Unsupported:
      if (t.layer === Layer.Unknown) {
        return { key: `unsupported_linktype_${t.detail}`, what: `linktype ${t.detail} (${linkTypeName(t.detail)}) not decoded` };
      }
      return { key: `unsupported_${lower}_${hex(t.detail)}`, what: `${layer}: ${unsupportedWhat(t.layer, t.detail)} not decoded` };
    default:
      return { key: `issue_${t.issue}_${lower}`, what: `${layer}: issue ${t.issue}` };
  }
}

function unsupportedWhat(layer: number, detail: number): string {
  switch (layer) {
    case Layer.Ppp:
      return `PPP protocol ${hex(detail)}${PPP_NAMES[detail] === undefined ? '' : ` (${PPP_NAMES[detail]})`}`;
    case Layer.Null:
    case Layer.Loop:
    case Layer.Nflog:
    case Layer.Ipnet:
    case Layer.Pflog:
      return `address family ${detail}`;
    case Layer.Arcnet:
    case Layer.ArcnetLinux:
      return detail === ARCNET_FRAGMENT ? 'ARCNET fragment after the first (not reassembled)' : `ARCNET protocol type ${hex(detail)}`;
    case Layer.Mpls:
      return `MPLS payload starting with nibble ${detail}`;
    case Layer.Erspan:
      return `ERSPAN version field ${detail}`;
    case Layer.Pktap:
    case Layer.Ppi:
      return `inner linktype ${detail} (${linkTypeName(detail)})`;
    default: {
      if (layer === Layer.Ieee80211 && detail >= 0x10000) {
        if ((detail & 0x100) !== 0) return 'protected (encrypted) data frame';
        const kind = ['management', 'control', 'data'][(detail >> 4) & 0xf] ?? 'extension';
        return `${kind} frame, type/subtype 0x${(detail & 0xff).toString(16).padStart(2, '0')}`;
      }
      if (detail < 0x0600) {
        if (layer === Layer.Sll || layer === Layer.Sll2) return `Linux protocol ${hex(detail)}`;
        if (layer === Layer.Ethernet || layer === Layer.Vlan || layer === Layer.Ieee80211 || layer === Layer.Fddi) {
          return '802.3/LLC frame (no ethertype)';
        }
        return `protocol type ${hex(detail)}`;
      }
      const name = etherTypeName(detail);
      return `ethertype ${hex(detail)}${name === '' ? '' : ` (${name})`}`;
    }
  }
}

/** PPP's own control protocols (RFC 1661, 1332, 5072, 1334, 1994, 1962): expected on any PPP link, no IP in them. */
const PPP_NAMES: Readonly<Record<number, string>> = {
  0xc021: 'LCP', 0x8021: 'IPCP', 0x8057: 'IPV6CP', 0xc023: 'PAP', 0xc223: 'CHAP', 0x80fd: 'CCP',
};

function hex(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}
