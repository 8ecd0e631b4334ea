/** Ethertype → next layer, shared by every header that names its payload by ethertype
 *  (Ethernet, 802.1Q, Linux SLL/SLL2, GRE, Geneve, Cisco HDLC). */
import { unsupported } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';

/** IEEE registry values nad follows. */
export const EtherType = {
  Ipv4: 0x0800,
  Arp: 0x0806,
  Rarp: 0x8035,
  Vlan: 0x8100,
  QinQ: 0x88a8,
  Ipv6: 0x86dd,
  MplsUnicast: 0x8847,
  MplsMulticast: 0x8848,
  PppoeSession: 0x8864,
  /** Transparent Ethernet bridging (GRE, Geneve). */
  Teb: 0x6558,
  CiscoMeta: 0x8909,
} as const;

/** The layer that decodes `type`; unknown ethertypes are recorded as Issue.Unsupported on `from`. */
export function etherTypeLayer(p: Packet, type: number, from: Layer): Layer {
  switch (type) {
    case EtherType.Ipv4:
      return Layer.Ipv4;
    case EtherType.Ipv6:
      return Layer.Ipv6;
    case EtherType.Vlan:
    case EtherType.QinQ:
    case 0x9100: // pre-standard QinQ tags still seen on old switches
    case 0x9200:
    case 0x9300:
      return Layer.Vlan;
    case EtherType.MplsUnicast:
    case EtherType.MplsMulticast:
      return Layer.Mpls;
    case EtherType.PppoeSession:
      return Layer.Pppoe;
    case EtherType.Arp:
    case EtherType.Rarp: // same packet format (RFC 903)
      return Layer.Arp;
    case EtherType.Teb:
      return Layer.Ethernet;
    case EtherType.CiscoMeta:
      return Layer.CiscoMeta;
    default:
      return unsupported(p, from, type);
  }
}

/** Names for warnings: the ethertypes most often met in captures that nad does not decode. */
export function etherTypeName(type: number): string {
  switch (type) {
    case 0x2000: return 'CDP';
    case 0x8035: return 'RARP, or SLARP in Cisco HDLC';
    case 0x8863: return 'PPPoE discovery';
    case 0x8864: return 'PPPoE session';
    case 0x888e: return 'EAPOL';
    case 0x88cc: return 'LLDP';
    case 0x8809: return 'slow protocols (LACP)';
    case 0x88f7: return 'PTP';
    case 0x8906: return 'FCoE';
    case 0x8914: return 'FIP';
    case 0x88e5: return 'MACsec';
    case 0x9000: return 'Ethernet loopback';
    case 0x890d: return '802.11 encapsulation';
    case 0x8137: return 'IPX';
    case 0x0842: return 'Wake-on-LAN';
    case 0x88b5: case 0x88b6: return 'local experimental';
    default: return '';
  }
}
