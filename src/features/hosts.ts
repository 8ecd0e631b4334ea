/**
 * Internal host names from DHCP (dhcp.csv), as NetworkMiner's host inventory names hosts: an address is named by the
 * host name (option 12, else option 81's FQDN) its client sent in the exchange that gave it the address (the ACK's
 * yiaddr, or an INFORM's ciaddr), matched by transaction id and MAC. An address two hosts held in one capture gets
 * both names, in order, so a finding never silently names the wrong one.
 */
import type { DhcpRecord } from '../app/records.js';
import { ipv4ToInt } from './address.js';
import { compareText } from './stats.js';

export interface HostEntry {
  ip: string;
  /** Every name the address was given, in order of the exchanges ('' when its client sent none). */
  names: string[];
  mac: string;
  /** Vendor class (option 60) of the client's messages, e.g. `MSFT 5.0`. */
  client_software: string;
  /** Time of the first exchange that gave it the address (`sec.nnnnnnnnn`). */
  first_seen: string;
}

export interface HostInventory {
  /** The address's host name(s), joined by ` / `; '' when DHCP did not name it. */
  nameOf(ip: string): string;
  /** Addresses with a name, sorted by address. */
  list(): HostEntry[];
}

function nameIn(r: DhcpRecord): string {
  return r.host_name !== '' ? r.host_name : r.client_fqdn;
}

/** `records` in time order (as CaptureData.dhcp is). */
export function hostInventory(records: readonly DhcpRecord[]): HostInventory {
  // What each client said, by transaction (a server's ACK rarely repeats the name).
  const said = new Map<string, { name: string; software: string }>();
  for (const r of records) {
    if (r.msg_type === 'ACK' || r.msg_type === 'OFFER' || r.msg_type === 'NAK') continue;
    const k = `${r.trans_id}|${r.mac}`;
    const prev = said.get(k);
    said.set(k, { name: nameIn(r) || prev?.name || '', software: r.client_software || prev?.software || '' });
  }
  const hosts = new Map<string, HostEntry>();
  for (const r of records) {
    const ip = r.msg_type === 'ACK' ? r.assigned_addr : r.msg_type === 'INFORM' ? r.client_addr : '';
    if (ip === '') continue;
    const client = said.get(`${r.trans_id}|${r.mac}`);
    const name = (r.msg_type === 'ACK' ? nameIn(r) : '') || client?.name || '';
    let h = hosts.get(ip);
    if (h === undefined) { h = { ip, names: [], mac: r.mac, client_software: '', first_seen: r.ts }; hosts.set(ip, h); }
    if (name !== '' && !h.names.includes(name)) h.names.push(name);
    if (r.mac !== '') h.mac = r.mac;
    if (client?.software) h.client_software = client.software;
  }
  const named = [...hosts.values()].filter((h) => h.names.length > 0);
  return {
    nameOf: (ip) => hosts.get(ip)?.names.join(' / ') ?? '',
    list: () => named.sort((a, b) => compareAddr(a.ip, b.ip)),
  };
}

/** IPv4 addresses in numeric order (192.168.0.9 before 192.168.0.10); anything else by text (DHCPv4 gives IPv4 only). */
function compareAddr(a: string, b: string): number {
  const x = ipv4ToInt(a);
  const y = ipv4ToInt(b);
  if (x !== null && y !== null) return x - y;
  return compareText(a, b);
}
