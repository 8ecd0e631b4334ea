/**
 * Fuzz: real DNS, TLS (and DTLS), QUIC and HTTP payloads taken from ../shared/captures, mutated (bit flips, byte stores,
 * truncation, insertion, splicing) and fed to the app hooks and parsers. Every case must return: no exception
 * escapes, nothing loops (the test's timeout is the watchdog). Parse failures are counted, not errors.
 * NAD_FUZZ_CASES sets the number of cases (default 100,000; `npm run fuzz` runs 2,000,000). Deterministic: seeded PRNG.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDnsMessage } from '../../src/app/dns/message.js';
import type { FlowHook } from '../../src/app/hook.js';
import { parseRequestHead, parseResponseHead } from '../../src/app/http/parse.js';
import { createAppHooks } from '../../src/app/index.js';
import { QuicFlowState, readInitialFrames } from '../../src/app/quic/hook.js';
import { initialKeys, quicVersionParams, unprotect } from '../../src/app/quic/initial.js';
import type { RecordSink } from '../../src/app/records.js';
import { createAppStats } from '../../src/app/stats.js';
import { parseClientHello, parseServerHello } from '../../src/app/tls/hello.js';
import { readCaptures } from '../../src/capture/index.js';
import { createPacket, type Packet } from '../../src/decode/layer.js';
import { decodePacket } from '../../src/decode/packet.js';
import type { FlowView } from '../../src/flow/conn.js';
import { CAPTURES, SKIP_NO_SHARED } from '../shared.js';
import { mutate, Rng } from './mutate.js';

const CASES = Number(process.env['NAD_FUZZ_CASES'] ?? 100_000);

type Kind = 'dns' | 'tls' | 'quic' | 'http';
interface Seed {
  kind: Kind;
  tcp: boolean;
  sport: number;
  dport: number;
  data: Buffer;
}

const SOURCES = [
  'app/dns_udp.pcap', 'app/dns_tcp.pcap', 'app/dnssec.pcap', 'app/edns-opts.pcap', 'app/mdns.pcap', 'app/dns-txt-multiple.pcap',
  'app/tls1.2.pcap', 'app/sv-tls-client-hello-frag-mtu300.pcap', 'app/tls13-ech.pcap', 'tls/latest.pcapng', 'app/dtls1_2.pcap',
  'app/quic-chromium-api-cirrus-com.pcap', 'app/quic_frags_ch_in_multiple_packets.pcapng', 'app/quicv2-http3-443.pcap',
  'app/http-pipelined-requests.pcap', 'app/http-post.pcap', 'tls/single-packets.pcap',
];

function classify(p: Packet): Kind | null {
  const b0 = p.buf[p.payload_off];
  if (p.ip_proto === 17 && (p.src_port === 53 || p.dst_port === 53 || p.dst_port === 5353)) return 'dns';
  if (p.ip_proto === 6 && (p.src_port === 53 || p.dst_port === 53)) return 'dns';
  if (p.ip_proto === 17 && b0 !== undefined && (b0 & 0x80) !== 0) return 'quic';
  if (b0 === 0x16) return 'tls'; // TLS over TCP, DTLS over UDP
  if (p.ip_proto === 6 && (p.src_port === 80 || p.dst_port === 80)) return 'http';
  return null;
}

async function seeds(): Promise<Seed[]> {
  const out: Seed[] = [];
  for (const rel of SOURCES) {
    const sink = {
      packet(p: Packet): void {
        decodePacket(p);
        if (p.payload_end <= p.payload_off) return;
        const kind = classify(p);
        if (kind === null) return;
        out.push({ kind, tcp: p.ip_proto === 6, sport: p.src_port, dport: p.dst_port, data: Buffer.from(p.buf.subarray(p.payload_off, p.payload_end)) });
      },
    };
    await readCaptures([join(CAPTURES, rel)], sink);
  }
  return out;
}

const NO_RECORDS: RecordSink = { dns() {}, tls() {}, http() {}, ssh() {}, ftp() {}, smtp() {}, credential() {} };

function view(seed: Seed): FlowView {
  return {
    uid: 'Cfuzz', community_id: '', proto: seed.tcp ? 'tcp' : 'udp', ip_proto: seed.tcp ? 6 : 17,
    orig_h: '192.0.2.1', orig_p: seed.sport, resp_h: '192.0.2.2', resp_p: seed.dport,
    first_sec: 0, first_nsec: 0, service: '', service_source: '',
  };
}

/** One flow: the mutated payload through every hook, as one segment or split in two (out of order half the time). */
function throughHooks(hooks: readonly FlowHook<unknown>[], p: Packet, seed: Seed, data: Buffer, rng: Rng): void {
  const flow = view(seed);
  const split = seed.tcp && data.length > 2 && rng.below(2) === 0 ? 1 + rng.below(data.length - 1) : data.length;
  const pieces: [number, number][] = split < data.length ? [[0, split], [split, data.length]] : [[0, data.length]];
  if (pieces.length === 2 && rng.below(2) === 0) pieces.reverse();
  const states: unknown[] = hooks.map(() => null);
  const live = hooks.map(() => true);
  p.buf = data;
  p.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  p.ip_proto = seed.tcp ? 6 : 17;
  for (const [a, z] of pieces) {
    p.payload_off = a;
    p.payload_end = z;
    p.payload_len = z - a;
    p.end = data.length;
    p.tcp_seq = (1000 + a) >>> 0;
    hooks.forEach((h, i) => {
      if (!live[i]) return;
      if (states[i] === null) {
        states[i] = h.onInit(p, flow, true);
        if (states[i] === null) {
          live[i] = false;
          return;
        }
      }
      if (!h.onPacket(p, flow, true, states[i])) live[i] = false;
    });
  }
  hooks.forEach((h, i) => {
    if (states[i] !== null) h.onExpire(flow, states[i], NO_RECORDS);
  });
}

/** Decrypted QUIC Initial payloads of the seeds, to fuzz the frame and hello parsers behind the AEAD. */
function quicPlaintexts(all: readonly Seed[]): Buffer[] {
  const out: Buffer[] = [];
  for (const s of all) {
    if (s.kind !== 'quic' || s.data.length < 7) continue;
    const params = quicVersionParams(s.data.readUInt32BE(1));
    if (params === null) continue;
    const dl = s.data[5]!;
    const dcid = s.data.subarray(6, 6 + dl);
    let o = 6 + dl;
    o += 1 + s.data[o]!; // scid
    o += 1; // token length 0 (client Initials here carry none)
    const lenByte = s.data[o]!;
    const lenSize = 1 << (lenByte >> 6);
    let len = lenByte & 0x3f;
    for (let i = 1; i < lenSize; i++) len = len * 256 + s.data[o + i]!;
    o += lenSize;
    const plain = unprotect(initialKeys(params, Buffer.from(dcid), false), s.data, 0, o, Math.min(s.data.length, o + len));
    if (plain !== null) out.push(plain);
  }
  return out;
}

test(`fuzz: ${CASES} mutated DNS, TLS, QUIC and HTTP payloads`, { skip: SKIP_NO_SHARED, timeout: 600_000 }, async (t) => {
  const all = await seeds();
  const byKind = new Map<Kind, Seed[]>();
  for (const s of all) byKind.set(s.kind, [...(byKind.get(s.kind) ?? []), s]);
  for (const k of ['dns', 'tls', 'quic', 'http'] as const) assert.ok((byKind.get(k)?.length ?? 0) > 0, `no ${k} seeds`);
  const plains = quicPlaintexts(all);
  assert.ok(plains.length > 0, 'no decryptable QUIC Initial among the seeds');

  const stats = createAppStats();
  const hooks = createAppHooks(stats);
  const p = createPacket();
  const rng = new Rng(0x6e6164);
  const kinds = ['dns', 'tls', 'quic', 'http'] as const;
  let exceptions = 0;
  let first: unknown = null;
  const rejected = { dns: 0, tls_hello: 0, http_head: 0 };
  for (let n = 0; n < CASES; n++) {
    const kind = kinds[n & 3]!;
    const pool = byKind.get(kind)!;
    const seed = pool[rng.below(pool.length)]!;
    const other = pool[rng.below(pool.length)]!;
    try {
      const data = mutate(rng, seed.data, other.data);
      switch (n % 5) {
        case 0:
        case 1:
          throughHooks(hooks, p, seed, data, rng);
          break;
        case 2: // the parsers directly, from offsets where their input starts
          if (kind === 'dns') {
            const off = seed.tcp ? 2 : 0;
            if (parseDnsMessage(data, Math.min(off, data.length), data.length) === null) rejected.dns++;
          } else if (kind === 'tls') {
            const end = data.length;
            const ch = parseClientHello(data, Math.min(9, end), end, false);
            const sh = parseServerHello(data, Math.min(9, end), end);
            if (ch === null && sh === null) rejected.tls_hello++;
          } else if (kind === 'http') {
            if (parseRequestHead(data, 0, data.length) === null && parseResponseHead(data, 0, data.length) === null) rejected.http_head++;
          } else {
            throughHooks(hooks, p, seed, data, rng);
          }
          break;
        case 3: { // behind the AEAD: mutated plaintext of a real Initial
          const plain = plains[rng.below(plains.length)]!;
          readInitialFrames(new QuicFlowState(), 0, mutate(rng, plain, plain));
          break;
        }
        default: // a fresh copy through the hooks as the other direction's first packet
          throughHooks(hooks, p, { ...seed, sport: seed.dport, dport: seed.sport }, data, rng);
      }
    } catch (err) {
      exceptions++;
      first ??= err;
    }
  }
  t.diagnostic(`seeds ${all.length} (${kinds.map((k) => `${k} ${byKind.get(k)!.length}`).join(', ')}), quic plaintexts ${plains.length}`);
  t.diagnostic(`rejected: ${JSON.stringify(rejected)}; hook counters: ${JSON.stringify(stats)}`);
  assert.equal(exceptions, 0, `uncaught exceptions: ${exceptions}; first: ${String((first as Error | null)?.stack ?? first)}`);
});
