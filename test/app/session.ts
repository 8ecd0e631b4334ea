/** Test helper: hand-built TCP payloads for one app hook, as the flow table would hand them over. */
import assert from 'node:assert/strict';
import type { FlowHook } from '../../src/app/hook.js';
import type { CredentialRecord, RecordSink, SmtpRecord } from '../../src/app/records.js';
import { readCaptures } from '../../src/capture/index.js';
import type { Packet } from '../../src/decode/layer.js';
import { createPacket } from '../../src/decode/layer.js';
import { decodePacket } from '../../src/decode/packet.js';
import type { FlowView } from '../../src/flow/conn.js';
import { tcpFrame, type MacIp } from '../../src/simulate/frames.js';
import { CaptureLog } from '../../src/simulate/pcap.js';
import { mutate, type Rng } from './mutate.js';

export function setPayload(p: Packet, data: Buffer, seq: number, sec: number): void {
  p.buf = data;
  p.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  p.ip_proto = 6;
  p.payload_off = 0;
  p.payload_end = data.length;
  p.payload_len = data.length;
  p.end = data.length;
  p.tcp_seq = seq >>> 0;
  p.ts_sec = sec;
  p.ts_nsec = 0;
}

export function flowView(orig_p: number, resp_p: number, uid: string, orig_h = '10.0.0.5', resp_h = '203.0.113.9'): FlowView {
  return { uid, community_id: `1:${uid}`, proto: 'tcp', ip_proto: 6, orig_h, orig_p, resp_h, resp_p, first_sec: 1000, first_nsec: 0, service: '', service_source: '' };
}

/**
 * Plays lines through one hook on one connection: `> ` from the client, `< ` from the server, one segment each, a
 * second apart, each ended by CR LF; returns the SMTP rows and credentials it wrote at the end.
 */
export function playLines<S>(hook: FlowHook<S>, flow: FlowView, lines: readonly string[]): { smtp: SmtpRecord[]; creds: CredentialRecord[] } {
  const p = createPacket();
  const seq = [1000, 5000];
  let state: S | null = null;
  const smtp: SmtpRecord[] = [];
  const creds: CredentialRecord[] = [];
  const out = { dns() {}, tls() {}, http() {}, ssh() {}, ftp() {}, smtp: (r: SmtpRecord) => smtp.push(r), credential: (r: CredentialRecord) => creds.push(r) } satisfies RecordSink;
  let live = true;
  lines.forEach((l, i) => {
    const client = l.startsWith('>');
    const bytes = Buffer.from(`${l.slice(2)}\r\n`, 'latin1');
    const dir = client ? 0 : 1;
    setPayload(p, bytes, seq[dir]!, 1000 + i);
    seq[dir]! += bytes.length;
    state ??= hook.onInit(p, flow, client);
    assert.ok(state !== null, 'the hook took the connection');
    if (live) live = hook.onPacket(p, flow, client, state);
  });
  if (state !== null) hook.onExpire(flow, state, out);
  return { smtp, creds };
}

/** One direction's payload of a connection, in capture order. */
export interface Segment { client: boolean; data: Buffer }

/** The payload segments of every TCP connection to `port` in a capture, in order (one list for all of them). */
export async function segmentsTo(file: string, port: number): Promise<Segment[]> {
  const segs: Segment[] = [];
  await readCaptures([file], {
    packet(p: Packet): void {
      decodePacket(p);
      if (p.ip_proto !== 6 || p.payload_end <= p.payload_off || (p.src_port !== port && p.dst_port !== port)) return;
      segs.push({ client: p.dst_port === port, data: Buffer.from(p.buf.subarray(p.payload_off, p.payload_end)) });
    },
  });
  return segs;
}

/**
 * One fuzz case: the segments through the hook as one connection, a few of them mutated (one in six) and some dropped
 * (one in forty, as a capture loses them: the sequence numbers stay honest). Throws what the hook throws.
 */
export function fuzzSession<S>(hook: FlowHook<S>, flow: FlowView, segs: readonly Segment[], rng: Rng, p: Packet, out: RecordSink): void {
  let state: S | null = null;
  const seq = [1, 1];
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    const data = rng.below(6) === 0 ? mutate(rng, s.data, segs[rng.below(segs.length)]!.data) : s.data;
    const dir = s.client ? 0 : 1;
    if (rng.below(40) === 0) {
      seq[dir]! += data.length;
      continue;
    }
    setPayload(p, data, seq[dir]!, 1000 + i);
    seq[dir]! += data.length;
    state ??= hook.onInit(p, flow, s.client);
    if (state === null) break;
    if (!hook.onPacket(p, flow, s.client, state)) break;
  }
  if (state !== null) hook.onExpire(flow, state, out);
}

const CLIENT: MacIp = { mac: Buffer.from('020000000001', 'hex'), ip: (10 << 24) | 5 };
const SERVER: MacIp = { mac: Buffer.from('020000000002', 'hex'), ip: (203 << 24) | (113 << 8) | 9 };

/**
 * A recorded session as a capture: a TCP handshake, then every write in order as ≤ 1460-byte segments, 1 ms apart, from
 * 10.0.0.5:sport to 203.0.113.9:dport.
 */
export function toPcap(log: readonly Segment[], sport: number, dport = 443): Buffer {
  const cap = new CaptureLog(0, 1e16);
  let t = 1_700_000_000_000_000;
  const seq = { c: 1000, s: 900000 };
  const ip = { ttl: 64, id: 1, df: true };
  const seg = (client: boolean, flags: number, payload?: Buffer): void => {
    const [src, dst] = client ? [CLIENT, SERVER] : [SERVER, CLIENT];
    const f = tcpFrame(src, dst, ip, {
      sport: client ? sport : dport, dport: client ? dport : sport, seq: client ? seq.c : seq.s, ack: client ? seq.s : seq.c, flags, win: 65535,
      ...(payload === undefined ? {} : { payload }),
    });
    cap.add((t += 1000), f);
    const n = (payload?.length ?? 0) + (flags & 0x02 ? 1 : 0);
    if (client) seq.c += n;
    else seq.s += n;
  };
  seg(true, 0x02);
  seg(false, 0x12);
  seg(true, 0x10);
  for (const w of log) for (let o = 0; o < w.data.length; o += 1460) seg(w.client, 0x18, w.data.subarray(o, o + 1460));
  return cap.toPcap(() => 1);
}
