/**
 * Community ID v1 (https://github.com/corelight/community-id-spec): a hash of a flow's 5-tuple that every tool
 * computes the same way, so a flow can be found across Zeek, Suricata, Arkime and nad. Computed once per flow.
 */
import { hash } from 'node:crypto';
import { IpProto } from '../decode/layer.js';

export interface CommunityIdOptions {
  /** 16-bit seed hashed in front of the tuple (spec default 0). */
  seed?: number;
  /** base64 of the SHA-1 digest (default, as the spec); false gives lower-case hex. */
  base64?: boolean;
}

/**
 * ICMP/ICMPv6 "port equivalents" of the spec (and Zeek's ICMP4_counterpart/ICMP6_counterpart): the type of the
 * message that answers `type`, or -1 when the message is one-way (then the code stands in for the destination port).
 */
export function icmpCounterpart(ip_proto: number, type: number): number {
  if (ip_proto === IpProto.Icmp) {
    switch (type) {
      case 8: return 0;   // echo request ↔ reply
      case 0: return 8;
      case 13: return 14; // timestamp
      case 14: return 13;
      case 15: return 16; // information
      case 16: return 15;
      case 10: return 9;  // router solicitation ↔ advertisement
      case 9: return 10;
      case 17: return 18; // address mask
      case 18: return 17;
      default: return -1;
    }
  }
  switch (type) {
    case 128: return 129; // echo
    case 129: return 128;
    case 133: return 134; // router solicitation ↔ advertisement
    case 134: return 133;
    case 135: return 136; // neighbor solicitation ↔ advertisement
    case 136: return 135;
    case 130: return 131; // MLD query ↔ report
    case 131: return 130;
    case 139: return 140; // node information query ↔ reply ("who are you")
    case 140: return 139;
    case 144: return 145; // home agent address discovery
    case 145: return 144;
    default: return -1;
  }
}

/** Whether the protocol's hash input carries ports (spec: TCP, UDP, SCTP, ICMP, ICMPv6). */
function hasPorts(proto: number): boolean {
  return proto === IpProto.Tcp || proto === IpProto.Udp || proto === IpProto.Sctp || proto === IpProto.Icmp || proto === IpProto.Icmp6;
}

/** Hash input: 2 seed + 2 × 16 address + 2 proto/pad + 4 ports bytes at most. */
const SCRATCH = Buffer.alloc(40);

/** Views of SCRATCH for the four possible input lengths (v4/v6, with/without ports), made once. */
const INPUTS = new Map([12, 16, 36, 40].map((n) => [n, SCRATCH.subarray(0, n)]));

function lessThan(a: Uint8Array, ao: number, ap: number, b: Uint8Array, bo: number, bp: number, alen: number): boolean {
  for (let i = 0; i < alen; i++) {
    const x = a[ao + i] ?? 0;
    const y = b[bo + i] ?? 0;
    if (x !== y) return x < y;
  }
  return ap < bp;
}

/**
 * Community ID of one packet's (or flow's) tuple. `src`/`dst` are the 4- or 16-byte addresses; for ICMP/ICMPv6 pass
 * the type as sport and the code (or the counterpart type, which gives the same result) as dport.
 */
export function communityId(
  proto: number, src: Uint8Array, dst: Uint8Array, sport: number, dport: number, opts: CommunityIdOptions = {},
): string {
  return communityIdAt(proto, src, 0, dst, 0, src.length === 16 ? 16 : 4, sport, dport, opts);
}

/** The same, reading the addresses in place (`alen` bytes at srcOff / dstOff): no copies, once per flow. */
export function communityIdAt(
  proto: number, sbuf: Uint8Array, srcOff: number, dbuf: Uint8Array, dstOff: number, alen: 4 | 16,
  sport: number, dport: number, opts: CommunityIdOptions = {},
): string {
  let sp = sport;
  let dp = dport;
  let oneWay = false;
  if (proto === IpProto.Icmp || proto === IpProto.Icmp6) {
    const peer = icmpCounterpart(proto, sport);
    if (peer < 0) oneWay = true;
    else dp = peer;
  }
  let a = sbuf, ao = srcOff, b = dbuf, bo = dstOff;
  // Spec: order the endpoints so both directions hash alike; one-way ICMP keeps the order it was seen in.
  if (!oneWay && !lessThan(sbuf, srcOff, sp, dbuf, dstOff, dp, alen)) {
    a = dbuf; ao = dstOff; b = sbuf; bo = srcOff;
    const t = sp; sp = dp; dp = t;
  }
  const ports = hasPorts(proto);
  const buf = SCRATCH;
  buf.writeUInt16BE((opts.seed ?? 0) & 0xffff, 0);
  for (let i = 0; i < alen; i++) { buf[2 + i] = a[ao + i] ?? 0; buf[2 + alen + i] = b[bo + i] ?? 0; }
  let o = 2 + 2 * alen;
  buf[o++] = proto & 0xff;
  buf[o++] = 0; // padding
  if (ports) { o = buf.writeUInt16BE(sp & 0xffff, o); o = buf.writeUInt16BE(dp & 0xffff, o); }
  // join(), not '+': one flat string instead of a rope over two (kept in every flow record).
  return ['1', hash('sha1', INPUTS.get(o) ?? buf.subarray(0, o), opts.base64 === false ? 'hex' : 'base64')].join(':');
}
