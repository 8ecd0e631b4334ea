/**
 * Service identification for flows.csv's `service`: by payload signature on the first payload packets of
 * each direction; by well-known port only as a fallback, marked `service_source: 'port'`. The protocol hooks
 * (dns, tls, quic, http, ssh) set the service themselves when they parse a message; this hook covers the rest
 * (smb, rdp, smtp, ftp, ntp, …) and runs after them.
 */
import type { Packet } from '../decode/layer.js';
import type { FlowView } from '../flow/conn.js';
import type { FlowHook } from './hook.js';

/** Payload packets to look at before settling for the port. */
const MAX_PACKETS = 4;

const TCP_PORTS: ReadonlyMap<number, string> = new Map([
  [21, 'ftp'], [22, 'ssh'], [23, 'telnet'], [25, 'smtp'], [53, 'dns'], [80, 'http'], [110, 'pop3'], [139, 'smb'],
  [143, 'imap'], [389, 'ldap'], [443, 'tls'], [445, 'smb'], [465, 'tls'], [587, 'smtp'], [993, 'tls'], [995, 'tls'],
  [1433, 'mssql'], [3306, 'mysql'], [3389, 'rdp'], [5060, 'sip'], [5432, 'postgresql'], [8080, 'http'], [8443, 'tls'],
]);
const UDP_PORTS: ReadonlyMap<number, string> = new Map([
  [53, 'dns'], [67, 'dhcp'], [68, 'dhcp'], [69, 'tftp'], [123, 'ntp'], [137, 'netbios-ns'], [161, 'snmp'],
  [162, 'snmp'], [443, 'quic'], [500, 'ike'], [514, 'syslog'], [1900, 'ssdp'], [4500, 'ike'], [5060, 'sip'],
  [5353, 'mdns'], [5355, 'llmnr'],
]);

/** The well-known service of a flow's ports, '' when neither port is known (the responder's port wins). */
export function serviceByPort(ip_proto: number, resp_p: number, orig_p: number): string {
  const table = ip_proto === 6 ? TCP_PORTS : ip_proto === 17 ? UDP_PORTS : null;
  if (table === null) return '';
  return table.get(resp_p) ?? table.get(orig_p) ?? '';
}

function startsWith(buf: Buffer, o: number, end: number, text: string): boolean {
  if (end - o < text.length) return false;
  for (let i = 0; i < text.length; i++) if (buf[o + i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * ` sip:` within buf[o, end): a SIP request line (RFC 3261 §7.1). Compared in place: this runs on the first payload
 * packets of every UDP flow, where a string per packet was most of the hook's allocation.
 */
function hasSipUri(buf: Buffer, o: number, end: number): boolean {
  for (let i = o; i + 5 <= end; i++) {
    if (buf[i] === 0x20 && buf[i + 1] === 0x73 && buf[i + 2] === 0x69 && buf[i + 3] === 0x70 && buf[i + 4] === 0x3a) return true;
  }
  return false;
}

/** A `220 ` greeting names its protocol more often than not; the port breaks the tie. */
function greeting(buf: Buffer, o: number, end: number, port: number): string {
  const line = buf.toString('latin1', o, Math.min(end, o + 128)).toUpperCase();
  if (line.includes('FTP')) return 'ftp';
  if (line.includes('SMTP') || line.includes('MAIL') || line.includes('POSTFIX')) return 'smtp';
  return port === 21 ? 'ftp' : 'smtp';
}

/** Service named by a payload's first bytes, '' when nothing matches. Cheap tests first. */
export function serviceBySignature(buf: Buffer, o: number, end: number, ip_proto: number, resp_p: number): string {
  const n = end - o;
  if (n < 4) return '';
  const b0 = buf[o]!;
  if (ip_proto === 6) {
    if (b0 === 0x16 && buf[o + 1] === 3 && buf[o + 2]! <= 4) return 'tls';
    if (b0 === 0x80 && buf[o + 2] === 1 && buf[o + 3]! <= 3) return 'tls'; // SSLv2-compatible ClientHello
    // NetBIOS session message then the SMB1/SMB2 magic (MS-SMB2 §2.1).
    if (b0 === 0 && n >= 8 && (buf[o + 4] === 0xff || buf[o + 4] === 0xfe || buf[o + 4] === 0xfd) && startsWith(buf, o + 5, end, 'SMB')) return 'smb';
    // TPKT (RFC 1006) with an X.224 Connection Request or Confirm: RDP's first message.
    if (b0 === 3 && buf[o + 1] === 0 && n >= 6 && (buf[o + 5] === 0xe0 || buf[o + 5] === 0xd0)) return 'rdp';
    if (startsWith(buf, o, end, 'SSH-')) return 'ssh';
    if (startsWith(buf, o, end, 'HTTP/1.')) return 'http';
    if (startsWith(buf, o, end, '220 ') || startsWith(buf, o, end, '220-')) return greeting(buf, o, end, resp_p);
    if (startsWith(buf, o, end, 'EHLO ') || startsWith(buf, o, end, 'HELO ')) return 'smtp';
    if (startsWith(buf, o, end, 'USER ')) return 'ftp';
    if (startsWith(buf, o, end, '+OK')) return 'pop3';
    if (startsWith(buf, o, end, '* OK')) return 'imap';
    return '';
  }
  if (ip_proto === 17) {
    // QUIC v1 long header (RFC 9000 §17.2): version 0x00000001 after the first byte.
    if ((b0 & 0x80) !== 0 && n >= 5 && buf[o + 1] === 0 && buf[o + 2] === 0 && buf[o + 3] === 0 && buf[o + 4] === 1) return 'quic';
    if (startsWith(buf, o, end, 'SIP/2.0') || (n > 12 && hasSipUri(buf, o, Math.min(end, o + 64)))) return 'sip';
    // NTP (RFC 5905 §7.3): 48-byte header, version 1–4, mode 1–5.
    if (n >= 48 && resp_p === 123) {
      const vn = (b0 >> 3) & 7;
      const mode = b0 & 7;
      if (vn >= 1 && vn <= 4 && mode >= 1 && mode <= 5) return 'ntp';
    }
    // BOOTP/DHCP magic cookie (RFC 2131 §3).
    if (n >= 240 && buf.readUInt32BE(o + 236) === 0x63825363) return 'dhcp';
  }
  return '';
}

/** The state of every watched flow: the packet counts live in the hook's map, not in an object per flow. */
const WATCHING = Object.freeze({ watching: true });

export function createServiceHook(): FlowHook<typeof WATCHING> {
  // Payload packets looked at so far, for the flows still watched (at most MAX_PACKETS each, so few at a time).
  // A count object per flow would live until the flow expires, and the GC copies objects: on big.pcap a hook that
  // keeps ten small objects per flow cost ~0.5 s.
  const looked = new Map<FlowView, number>();
  return {
    name: 'service',
    onInit(_p: Packet, flow: FlowView): typeof WATCHING | null {
      if (flow.service_source === 'payload') return null;
      if (flow.service === '') {
        const byPort = serviceByPort(flow.ip_proto, flow.resp_p, flow.orig_p);
        if (byPort !== '') {
          flow.service = byPort;
          flow.service_source = 'port';
        }
      }
      return WATCHING;
    },
    onPacket(p: Packet, flow: FlowView): boolean {
      if (flow.service_source !== 'payload') {
        const found = serviceBySignature(p.buf, p.payload_off, p.payload_end, flow.ip_proto, flow.resp_p);
        if (found === '') {
          const n = (looked.get(flow) ?? 0) + 1;
          if (n < MAX_PACKETS) {
            looked.set(flow, n);
            return true;
          }
        } else {
          flow.service = found;
          flow.service_source = 'payload';
        }
      }
      looked.delete(flow);
      return false;
    },
    onExpire(flow: FlowView): void {
      looked.delete(flow);
    },
  };
}
