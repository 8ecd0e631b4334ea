/**
 * DHCPv4 messages (RFC 2131 §2: the BOOTP header, the magic cookie, then options as RFC 2132 defines them), read with
 * every length checked against the datagram: a short or hostile message gives null or stops at the bad option, never
 * a throw and never a loop (each option advances the cursor by at least one byte).
 */
import { addrToString } from '../../flow/key.js';

/** DHCP message types (RFC 2132 §9.6, RFC 3203, RFC 4388, RFC 6926). */
const MSG_TYPES = ['', 'DISCOVER', 'OFFER', 'REQUEST', 'DECLINE', 'ACK', 'NAK', 'RELEASE', 'INFORM', 'FORCERENEW',
  'LEASEQUERY', 'LEASEUNASSIGNED', 'LEASEUNKNOWN', 'LEASEACTIVE', 'BULKLEASEQUERY', 'LEASEQUERYDONE',
  'ACTIVELEASEQUERY', 'LEASEQUERYSTATUS', 'TLS'];

export function dhcpMessageTypeName(t: number): string {
  return MSG_TYPES[t] ?? String(t);
}

export interface DhcpMessage {
  /** 1 BOOTREQUEST (client), 2 BOOTREPLY (server). */
  op: number;
  xid: number;
  /** ciaddr, yiaddr as dotted quads ('' for 0.0.0.0). */
  ciaddr: string;
  yiaddr: string;
  /** Client hardware address (chaddr) as aa:bb:…, '' unless Ethernet (htype 1, hlen 6). */
  mac: string;
  /** Option 53, 0 when absent (plain BOOTP). */
  msg_type: number;
  /** Option 12. */
  host_name: string;
  /** Option 81's domain name (RFC 4702: DNS wire format when the E flag is set, else ASCII). */
  client_fqdn: string;
  /** Option 15. */
  domain: string;
  /** Option 50. */
  requested_addr: string;
  /** Option 54. */
  server_id: string;
  /** Option 51, seconds; null when absent. */
  lease_time: number | null;
  /** Option 60. */
  vendor_class: string;
  /** Option 55: the option codes asked for, in order (a DHCP fingerprint, as Fingerbank reads it). */
  param_list: number[];
  /** Option 3 (routers) and option 6 (DNS servers), in order: what a server tells its clients to trust. */
  routers: string[];
  dns_servers: string[];
  /** False when an option ran past the datagram (what came before it is kept). */
  complete: boolean;
}

const HEADER = 236;
const COOKIE = 0x63825363;
const TEXT = new TextDecoder('utf-8', { fatal: false });

/** ciaddr/yiaddr/option addresses: the dotted quad as flows.csv writes it, '' for 0.0.0.0 (unset). */
function quad(buf: Buffer, view: DataView, at: number): string {
  return view.getUint32(at) === 0 ? '' : addrToString(buf, at, 4);
}

/** A list of IPv4 addresses (options 3, 6): whole 4-byte entries only, 0.0.0.0 kept as written. */
function quads(buf: Buffer, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i + 4 <= to; i += 4) out.push(addrToString(buf, i, 4));
  return out;
}

function text(buf: Buffer, from: number, to: number): string {
  // Trailing NULs are common (C strings); they are not part of the name.
  let end = to;
  while (end > from && buf[end - 1] === 0) end--;
  return TEXT.decode(buf.subarray(from, end));
}

/** RFC 1035 §3.1 labels without compression (RFC 4702 §2.3 forbids it here); '' when malformed. */
function wireName(buf: Buffer, from: number, to: number): string {
  const labels: string[] = [];
  let i = from;
  while (i < to) {
    const n = buf[i]!;
    if (n === 0) break;
    if (n > 63 || i + 1 + n > to) return '';
    labels.push(TEXT.decode(buf.subarray(i + 1, i + 1 + n)));
    i += 1 + n;
  }
  return labels.join('.');
}

/** Parses one UDP payload buf[off, end); null when it is not a DHCP message (too short, no magic cookie). */
export function parseDhcp(buf: Buffer, view: DataView, off: number, end: number): DhcpMessage | null {
  if (end - off < HEADER + 4 || view.getUint32(off + HEADER) !== COOKIE) return null;
  const op = buf[off]!;
  if (op !== 1 && op !== 2) return null;
  const htype = buf[off + 1]!;
  const hlen = buf[off + 2]!;
  let mac = '';
  if (htype === 1 && hlen === 6) {
    const parts: string[] = [];
    for (let i = 0; i < 6; i++) parts.push(buf[off + 28 + i]!.toString(16).padStart(2, '0'));
    mac = parts.join(':');
  }
  const m: DhcpMessage = {
    op, xid: view.getUint32(off + 4), ciaddr: quad(buf, view, off + 12), yiaddr: quad(buf, view, off + 16), mac, msg_type: 0,
    host_name: '', client_fqdn: '', domain: '', requested_addr: '', server_id: '', lease_time: null, vendor_class: '',
    param_list: [], routers: [], dns_servers: [], complete: true,
  };
  let i = off + HEADER + 4;
  while (i < end) {
    const code = buf[i]!;
    if (code === 255) break;
    if (code === 0) { i++; continue; }
    if (i + 2 > end) { m.complete = false; break; }
    const len = buf[i + 1]!;
    const from = i + 2;
    const to = from + len;
    if (to > end) { m.complete = false; break; }
    switch (code) {
      case 53: if (len >= 1) m.msg_type = buf[from]!; break;
      case 12: m.host_name = text(buf, from, to); break;
      case 15: m.domain = text(buf, from, to); break;
      case 50: if (len === 4) m.requested_addr = quad(buf, view, from); break;
      case 54: if (len === 4) m.server_id = quad(buf, view, from); break;
      case 51: if (len === 4) m.lease_time = view.getUint32(from); break;
      case 60: m.vendor_class = text(buf, from, to); break;
      case 55: m.param_list = [...buf.subarray(from, to)]; break;
      case 3: m.routers = quads(buf, from, to); break;
      case 6: m.dns_servers = quads(buf, from, to); break;
      case 81:
        // flags, RCODE1, RCODE2, then the name; the E bit (0x04) says it is in DNS wire format.
        if (len > 3) m.client_fqdn = (buf[from]! & 0x04) !== 0 ? wireName(buf, from + 3, to) : text(buf, from + 3, to);
        break;
      default: break;
    }
    i = to;
  }
  return m;
}
