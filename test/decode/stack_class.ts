/**
 * One word per packet for the oracle comparison: the innermost IP version and the transport right after it,
 * e.g. "ip/tcp", "ipv6/icmpv6", "ip/none", "arp", "other". Computed the same way from tshark's frame.protocols
 * (the oracles' protocol_stacks) and from a decoded Packet.
 */
import { Layer } from '../../src/decode/layer.js';
import type { Packet } from '../../src/decode/layer.js';

const TSHARK_IP_EXT = new Set(['ipv6.hopopts', 'ipv6.routing', 'ipv6.fraghdr', 'ipv6.dstopts', 'ah']);

/** A new IP header resets the transport; ICMP ends the walk, because nad (like Zeek) keys ICMP errors on the
 *  ICMP message, not on the packet it quotes. */
export function tsharkClass(stack: string): string {
  let ip = '';
  let transport = 'none';
  let arp = false;
  for (const t of stack.split(':')) {
    if (t === 'ip' || t === 'ipv6') {
      ip = t;
      transport = 'none';
    } else if (t === 'tcp' || t === 'udp') {
      transport = t;
    } else if (t === 'icmp' || t === 'icmpv6') {
      transport = t;
      break;
    } else if (t === 'arp') {
      arp = true;
    } else if (TSHARK_IP_EXT.has(t)) {
      // extension headers belong to the IP header before them
    }
  }
  if (ip !== '') return `${ip}/${transport}`;
  return arp ? 'arp' : 'other';
}

export function nadClass(p: Packet): string {
  if (p.ip_version === 0) {
    for (let i = 0; i < p.n_layers; i++) if (p.layers[i] === Layer.Arp) return 'arp';
    return 'other';
  }
  let transport = 'none';
  for (let i = 0; i < p.n_layers; i++) {
    const l = p.layers[i];
    if (l === Layer.Ipv4 || l === Layer.Ipv6) transport = 'none';
    else if (l === Layer.Tcp) transport = 'tcp';
    else if (l === Layer.Udp) transport = 'udp';
    else if (l === Layer.Icmp) transport = 'icmp';
    else if (l === Layer.Icmp6) transport = 'icmpv6';
  }
  return `${p.ip_version === 4 ? 'ip' : 'ipv6'}/${transport}`;
}
