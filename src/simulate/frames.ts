/**
 * Ethernet II / ARP / IPv4 / TCP / UDP frame builders with correct lengths and checksums (RFC 791, 793, 768, 826, 1071).
 *
 * A payload may be longer on the wire than what is captured: `payload` holds the captured prefix and `payload_len`
 * the true length. Header length fields carry the true length; the frame is cut after the captured prefix, so
 * caplen < wirelen, as with a small snaplen. The checksum of a cut segment covers only the captured bytes (the rest
 * is counted as zeros): no reader can verify it anyway, and tshark marks it unverified.
 */

export interface MacIp {
  /** 6 bytes. */
  readonly mac: Buffer;
  /** IPv4 address as an unsigned 32-bit number. */
  readonly ip: number;
}

/** A frame as it goes into the capture: `frame` holds the captured bytes, `wirelen` the length on the wire. */
export interface Frame {
  readonly frame: Buffer;
  readonly wirelen: number;
}

export const EtherType = { Ipv4: 0x0800, Arp: 0x0806 } as const;
export const TcpFlag = { Fin: 0x01, Syn: 0x02, Rst: 0x04, Psh: 0x08, Ack: 0x10 } as const;

/** Ethernet minimum frame without FCS: what a SPAN port shows for short frames. */
const MIN_FRAME = 60;

export function ipToString(ip: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 0xff}.${(ip >>> 8) & 0xff}.${ip & 0xff}`;
}

export function parseIp(s: string): number {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) {
    throw new Error(`not an IPv4 address: ${s}`);
  }
  const [a, b, c, d] = parts as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export function macToString(mac: Buffer): string {
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export function parseMac(s: string): Buffer {
  const b = Buffer.from(s.split(':').map((h) => parseInt(h, 16)));
  if (b.length !== 6) throw new Error(`not a MAC address: ${s}`);
  return b;
}

/** Multicast MAC for an IPv4 group (RFC 1112 §6.4). */
export function multicastMac(ip: number): Buffer {
  return Buffer.from([0x01, 0x00, 0x5e, (ip >>> 16) & 0x7f, (ip >>> 8) & 0xff, ip & 0xff]);
}

export const BROADCAST_MAC = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/** One's-complement sum of 16-bit words (RFC 1071), not yet folded or inverted. */
function sum16(buf: Buffer, start: number, end: number, initial: number): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (i < end) sum += buf[i]! << 8;
  return sum;
}

function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

/** `body` bytes are captured of `wireBody` on the wire; frames shorter than 60 bytes on the wire are padded. */
function ethernet(dst: Buffer, src: Buffer, type: number, body: number, wireBody = body): Buffer {
  const frame = Buffer.alloc(14 + wireBody < MIN_FRAME ? MIN_FRAME : 14 + body);
  dst.copy(frame, 0);
  src.copy(frame, 6);
  frame.writeUInt16BE(type, 12);
  return frame;
}

export interface IpOptions {
  readonly ttl: number;
  readonly proto: number;
  /** Identification field; the capture writer may renumber it per host in time order. */
  readonly id: number;
  readonly df: boolean;
}

function writeIpv4(frame: Buffer, src: number, dst: number, totalLen: number, o: IpOptions): void {
  frame[14] = 0x45;
  frame[15] = 0;
  frame.writeUInt16BE(totalLen, 16);
  frame.writeUInt16BE(o.id & 0xffff, 18);
  frame.writeUInt16BE(o.df ? 0x4000 : 0, 20);
  frame[22] = o.ttl;
  frame[23] = o.proto;
  frame.writeUInt32BE(src >>> 0, 26);
  frame.writeUInt32BE(dst >>> 0, 30);
  fixIpChecksum(frame);
}

/** Recomputes the IPv4 header checksum of an Ethernet frame (after the ID was changed). */
export function fixIpChecksum(frame: Buffer): void {
  frame.writeUInt16BE(0, 24);
  frame.writeUInt16BE(fold(sum16(frame, 14, 34, 0)), 24);
}

function pseudoHeaderSum(src: number, dst: number, proto: number, len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
}

export interface TcpFields {
  readonly sport: number;
  readonly dport: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly win: number;
  /** TCP options, already padded to a multiple of 4 bytes. */
  readonly options?: Buffer;
  /** Captured payload prefix. */
  readonly payload?: Buffer;
  /** True payload length on the wire (defaults to payload.length). */
  readonly payload_len?: number;
}

export function tcpFrame(src: MacIp, dst: MacIp, ip: Omit<IpOptions, 'proto'>, t: TcpFields): Frame {
  const opts = t.options ?? Buffer.alloc(0);
  const payload = t.payload ?? Buffer.alloc(0);
  const payloadLen = t.payload_len ?? payload.length;
  const thl = 20 + opts.length;
  const ipLen = 20 + thl + payloadLen;
  const captured = 20 + thl + payload.length;
  const frame = ethernet(dst.mac, src.mac, EtherType.Ipv4, captured, ipLen);
  writeIpv4(frame, src.ip, dst.ip, ipLen, { ...ip, proto: 6 });
  const o = 34;
  frame.writeUInt16BE(t.sport, o);
  frame.writeUInt16BE(t.dport, o + 2);
  frame.writeUInt32BE(t.seq >>> 0, o + 4);
  frame.writeUInt32BE(t.ack >>> 0, o + 8);
  frame[o + 12] = (thl / 4) << 4;
  frame[o + 13] = t.flags;
  frame.writeUInt16BE(t.win, o + 14);
  opts.copy(frame, o + 20);
  payload.copy(frame, o + thl);
  const sum = sum16(frame, o, o + thl + payload.length, pseudoHeaderSum(src.ip, dst.ip, 6, thl + payloadLen));
  frame.writeUInt16BE(fold(sum), o + 16);
  return { frame, wirelen: Math.max(14 + ipLen, MIN_FRAME) };
}

export function udpFrame(src: MacIp, dst: MacIp, ip: Omit<IpOptions, 'proto'>, sport: number, dport: number, payload: Buffer): Frame {
  const ulen = 8 + payload.length;
  const frame = ethernet(dst.mac, src.mac, EtherType.Ipv4, 20 + ulen);
  writeIpv4(frame, src.ip, dst.ip, 20 + ulen, { ...ip, proto: 17 });
  const o = 34;
  frame.writeUInt16BE(sport, o);
  frame.writeUInt16BE(dport, o + 2);
  frame.writeUInt16BE(ulen, o + 4);
  payload.copy(frame, o + 8);
  const sum = fold(sum16(frame, o, o + ulen, pseudoHeaderSum(src.ip, dst.ip, 17, ulen)));
  frame.writeUInt16BE(sum === 0 ? 0xffff : sum, o + 6); // RFC 768: a computed 0 is sent as all ones
  return { frame, wirelen: frame.length };
}

/** ARP over Ethernet (RFC 826): op 1 request (target MAC zero, sent to broadcast), op 2 reply. */
export function arpFrame(op: 1 | 2, sender: MacIp, target: MacIp, ethDst: Buffer): Frame {
  const frame = ethernet(ethDst, sender.mac, EtherType.Arp, 28);
  const o = 14;
  frame.writeUInt16BE(1, o); // hardware type: Ethernet
  frame.writeUInt16BE(EtherType.Ipv4, o + 2);
  frame[o + 4] = 6;
  frame[o + 5] = 4;
  frame.writeUInt16BE(op, o + 6);
  sender.mac.copy(frame, o + 8);
  frame.writeUInt32BE(sender.ip >>> 0, o + 14);
  if (op === 2) target.mac.copy(frame, o + 18);
  frame.writeUInt32BE(target.ip >>> 0, o + 24);
  return { frame, wirelen: frame.length };
}

/** TCP options of a SYN as the named stack sends them (RFC 7323, 2018). */
export function synOptions(stack: 'windows' | 'linux' | 'macos', mss: number, tsval: number): Buffer {
  const b: number[] = [];
  const mssOpt = [2, 4, mss >> 8, mss & 0xff];
  const ts = (v: number): number[] => [8, 10, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff, 0, 0, 0, 0];
  if (stack === 'windows') b.push(...mssOpt, 1, 3, 3, 8, 1, 1, 4, 2);
  else if (stack === 'linux') b.push(...mssOpt, 4, 2, ...ts(tsval), 1, 3, 3, 7);
  else b.push(...mssOpt, 1, 3, 3, 6, 1, 1, ...ts(tsval), 4, 2, 0, 0);
  return Buffer.from(b);
}
