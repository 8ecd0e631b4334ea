/**
 * LAN chatter that never leaves the office: ARP (RFC 826, RFC 5227 announcements), mDNS service discovery between the
 * Macs and the printer (RFC 6762/6763) and SSDP searches from Windows (UPnP Device Architecture 1.1 §1.3).
 */
import { encodeDns, DnsFlags, type ResourceRecord } from './dns.js';
import { arpFrame, BROADCAST_MAC, ipToString, multicastMac, parseIp, type MacIp } from './frames.js';
import type { Host } from './office.js';
import type { Rng } from './rng.js';
import type { World } from './world.js';

const ZERO_MAC = Buffer.alloc(6);

/** Who-has from `asker`, is-at from `target` (when it is up). */
export function arpLookup(world: World, rng: Rng, t_us: number, asker: MacIp, target: MacIp, up = true): number {
  world.log.add(t_us, arpFrame(1, asker, { mac: ZERO_MAC, ip: target.ip }, BROADCAST_MAC));
  if (!up) return t_us;
  const t1 = t_us + rng.int(150, 2500);
  world.log.add(t1, arpFrame(2, target, asker, asker.mac));
  return t1;
}

/** RFC 5227 announcement after a host joins: sender and target IP are both its own. */
export function arpAnnounce(world: World, t_us: number, h: Host): void {
  world.log.add(t_us, arpFrame(1, h, { mac: ZERO_MAC, ip: h.ip }, BROADCAST_MAC));
}

const MDNS_GROUP = parseIp('224.0.0.251');
const MDNS_DST: MacIp = { mac: multicastMac(MDNS_GROUP), ip: MDNS_GROUP };

function mdns(world: World, rng: Rng, t_us: number, h: Host, payload: Buffer): void {
  world.udp(t_us, { mac: h.mac, ip: h.ip, ttl: 255, ipid_host: h.index }, MDNS_DST, 5353, 5353, payload, rng);
}

/** The printer's IPP service records (RFC 6763 §4, §6). */
function printerRecords(p: Host): ResourceRecord[] {
  const instance = 'HP LaserJet M404 [3C5282]._ipp._tcp.local';
  const target = `${p.name}.local`;
  return [
    { name: '_ipp._tcp.local', type: 'PTR', ttl: 4500, data: instance },
    { name: instance, type: 'SRV', ttl: 120, data: [0, 0, 631, target], flush: true },
    { name: instance, type: 'TXT', ttl: 4500, flush: true, data: ['txtvers=1', 'qtotal=1', 'rp=ipp/print', 'ty=HP LaserJet M404', 'pdl=application/pdf,image/urf,image/pwg-raster', 'Color=F', 'Duplex=T', 'UUID=2c5e1f6a-0b43-4f3e-9c1d-3c5282a1b7d0'] },
    { name: target, type: 'A', ttl: 120, data: ipToString(p.ip), flush: true },
  ];
}

/** The printer announces itself (unsolicited response). */
export function mdnsAnnounce(world: World, rng: Rng, t_us: number, printer: Host): void {
  mdns(world, rng, t_us, printer, encodeDns({ id: 0, flags: DnsFlags.mdnsResponse, questions: [], answers: printerRecords(printer) }));
}

/** A Mac browses for AirPlay, printers and its companion devices; the printer answers the IPP question. */
export function mdnsBrowse(world: World, rng: Rng, t_us: number, h: Host, printer: Host): void {
  const first = rng.chance(0.3);
  mdns(world, rng, t_us, h, encodeDns({
    id: 0, flags: 0, questions: [
      { name: '_airplay._tcp.local', type: 'PTR', unicast: first },
      { name: '_raop._tcp.local', type: 'PTR', unicast: first },
      { name: '_ipp._tcp.local', type: 'PTR', unicast: first },
      { name: '_companion-link._tcp.local', type: 'PTR', unicast: first },
    ],
  }));
  mdns(world, rng, t_us + rng.int(20_000, 120_000), printer, encodeDns({ id: 0, flags: DnsFlags.mdnsResponse, questions: [], answers: printerRecords(printer) }));
}

const SSDP_GROUP = parseIp('239.255.255.250');

/** Windows looks for media renderers and routers; the printer answers with its description URL. */
export function ssdpSearch(world: World, rng: Rng, t_us: number, h: Host, printer: Host): void {
  const sport = rng.int(49152, 65535);
  const search = Buffer.from('M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\n' +
    'ST: upnp:rootdevice\r\n\r\n', 'latin1');
  const dst: MacIp = { mac: multicastMac(SSDP_GROUP), ip: SSDP_GROUP };
  world.udp(t_us, { mac: h.mac, ip: h.ip, ttl: 1, ipid_host: h.index }, dst, sport, 1900, search, rng);
  world.udp(t_us + 1_000_000 + rng.int(0, 30_000), { mac: h.mac, ip: h.ip, ttl: 1, ipid_host: h.index }, dst, sport, 1900, search, rng);
  const reply = Buffer.from(`HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: http://${ipToString(printer.ip)}:80/DevMgmt/DiscoveryTree.xml\r\n` +
    'SERVER: HP-ChaiSOE/1.0 UPnP/1.0 HP LaserJet M404\r\nST: upnp:rootdevice\r\nUSN: uuid:2c5e1f6a-0b43-4f3e-9c1d-3c5282a1b7d0::upnp:rootdevice\r\n\r\n', 'latin1');
  world.udp(t_us + rng.int(5_000, 900_000), { mac: printer.mac, ip: printer.ip, ttl: 64, ipid_host: printer.index }, h, 1900, sport, reply, rng);
}

/**
 * A laptop rejoining the LAN asks for its previous lease (DHCP INIT-REBOOT, RFC 2131 §3.2, options RFC 2132) and the
 * gateway acknowledges it.
 */
export function dhcpRejoin(world: World, rng: Rng, t_us: number, h: Host, subnetMask: number): void {
  const gw = world.office.gateway;
  const xid = rng.u32();
  const windows = h.os === 'windows';
  const bootp = (op: 1 | 2, yiaddr: number, options: readonly (readonly [number, Buffer])[]): Buffer => {
    const b = Buffer.alloc(240);
    b[0] = op;
    b[1] = 1;
    b[2] = 6;
    b.writeUInt32BE(xid, 4);
    b.writeUInt32BE(yiaddr >>> 0, 16);
    h.mac.copy(b, 28);
    b.writeUInt32BE(0x63825363, 236); // magic cookie
    const opts = options.map(([code, value]) => Buffer.concat([Buffer.from([code, value.length]), value]));
    return Buffer.concat([b, ...opts, Buffer.from([255])]);
  };
  const ip4 = (ip: number): Buffer => Buffer.from([ip >>> 24, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff]);
  const u32 = (n: number): Buffer => ip4(n);
  const request = bootp(1, 0, [
    [53, Buffer.from([3])], [61, Buffer.concat([Buffer.from([1]), h.mac])], [50, ip4(h.ip)], [12, Buffer.from(h.name, 'ascii')],
    ...(windows ? [[60, Buffer.from('MSFT 5.0', 'ascii')] as const] : []),
    [55, Buffer.from(windows ? [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252] : [1, 121, 3, 6, 15, 108, 114, 119, 252])],
  ]);
  const anyHost: MacIp = { mac: h.mac, ip: 0 };
  world.udp(t_us, { ...anyHost, ttl: windows ? 128 : 64, ipid_host: h.index }, { mac: BROADCAST_MAC, ip: 0xffffffff }, 68, 67, request, rng);
  const ack = bootp(2, h.ip, [
    [53, Buffer.from([5])], [54, ip4(gw.ip)], [51, u32(86400)], [58, u32(43200)], [59, u32(75600)], [1, ip4(subnetMask)],
    [28, ip4(((gw.ip & subnetMask) | ~subnetMask) >>> 0)], [3, ip4(gw.ip)], [6, ip4(gw.ip)], [15, Buffer.from('lan', 'ascii')],
  ]);
  world.udp(t_us + rng.int(800, 4000), world.gateway, h, 67, 68, ack, rng);
}
