/** Test helper: hand-made decoded packets (the fields decodePacket would fill), no bytes on the wire beyond addresses. */
import { createPacket, type Packet } from '../../src/decode/layer.js';

export interface Hand {
  /** 'o' from 10.0.0.1:40000 to 10.0.0.2:80, 'r' the reverse. */
  dir: 'o' | 'r';
  /** Letters: S syn, A ack, F fin, R rst, P push. */
  flags?: string;
  seq?: number;
  ack?: number;
  len?: number;
  /** Seconds since the start. */
  t: number;
  proto?: 6 | 17 | 1;
  /** ICMP type/code (proto 1). */
  type?: number;
  code?: number;
  win?: number;
  src?: readonly [number, number, number, number];
  dst?: readonly [number, number, number, number];
  sport?: number;
  dport?: number;
  frag_off?: number;
  frag_mf?: number;
  frag_id?: number;
}

const FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10 };
export const T0 = 1700000000;

/** One Packet per call (tests only): IPv4 addresses then `len` zero bytes of payload; the rest in the decoded fields. */
export function hand(h: Hand): Packet {
  const p = createPacket();
  const a = h.src ?? [10, 0, 0, 1], b = h.dst ?? [10, 0, 0, 2];
  const o = h.dir === 'o';
  const len = h.len ?? 0;
  const buf = Buffer.concat([Buffer.from([...(o ? a : b), ...(o ? b : a)]), Buffer.alloc(len)]);
  p.buf = buf;
  p.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  p.start = 0; p.end = buf.length; p.off = 8;
  p.ip_version = 4; p.src_ip_off = 0; p.dst_ip_off = 4;
  p.ip_proto = h.proto ?? 6;
  const sp = h.sport ?? 40000, dp = h.dport ?? 80;
  if (p.ip_proto === 1) { p.src_port = h.type ?? 8; p.dst_port = h.code ?? 0; }
  else { p.src_port = o ? sp : dp; p.dst_port = o ? dp : sp; }
  let bits = 0;
  for (const c of h.flags ?? '') bits |= FLAG_BITS[c] ?? 0;
  p.tcp_flags = bits;
  p.tcp_seq = h.seq ?? 0; p.tcp_ack = h.ack ?? 0; p.tcp_win = h.win ?? 1000;
  p.payload_len = len; p.payload_off = 8; p.payload_end = 8 + len; // zero bytes: captured, contents irrelevant
  p.ip_len = 20 + (p.ip_proto === 6 ? 20 : 8) + len;
  const whole = Math.floor(h.t);
  p.ts_sec = T0 + whole; p.ts_nsec = Math.round((h.t - whole) * 1e9);
  p.frag_off = h.frag_off ?? 0; p.frag_mf = h.frag_mf ?? 0; p.frag_id = h.frag_id ?? 0;
  return p;
}
