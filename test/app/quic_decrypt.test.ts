/**
 * QUIC decryption with a key log, HTTP/3 and QPACK, against independent sources:
 * - QPACK: the encoder-stream and field-section examples of RFC 9204 Appendix B (B.1–B.5), with the table states the
 *   RFC prints after each step;
 * - FoxIO's chrome-cloudflare-quic-with-secrets.pcapng, whose Decryption Secrets Block holds the QUIC connection's
 *   secrets: the server certificate equals the one tshark decrypts (SHA-1 of its DER; the chain is an RFC 8879 brotli
 *   CompressedCertificate), its JA4X equals FoxIO's for the same certificate on the capture's TCP connection, and the
 *   HTTP/3 response body equals the DATA frames of the stream bytes tshark decrypts (its length as sent; MD5 and
 *   SHA-256 of the body brotli-decoded, the encoding tshark shows for the same page over HTTP/2);
 * - a property test of the stream reassembly (any chunking, reordering and repetition gives back the bytes), and a
 *   fuzz test of the frames, streams, HTTP/3 and QPACK decoders on mutations of the capture's decrypted streams.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { brotliDecompressSync } from 'node:zlib';
import { H3Connection } from '../../src/app/http/h3.js';
import { BLOCKED, QpackDecoder } from '../../src/app/http/qpack.js';
import { StreamReassembly } from '../../src/app/quic/decrypt.js';
import { walkFrames } from '../../src/app/quic/frames.js';
import { createAppStats } from '../../src/app/stats.js';
import { readCaptures } from '../../src/capture/index.js';
import type { Packet } from '../../src/decode/layer.js';
import type { FlowView } from '../../src/flow/conn.js';
import { CAPTURES, SKIP_NO_SHARED } from '../shared.js';
import { foxioCaptures, pythonValues } from './foxio.js';
import { mutate, Rng } from './mutate.js';
import { embeddedKeys, runApp } from './run.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('QPACK: RFC 9204 Appendix B — encoder stream inserts, duplicates and evictions, field sections with static, dynamic and post-base references', () => {
  // B.1: a literal with a static name reference, no dynamic table.
  const b1 = new QpackDecoder();
  const s1 = hex('0000 510b 2f69 6e64 6578 2e68 746d 6c');
  assert.deepEqual(b1.decode(s1, 0, s1.length), [[':path', '/index.html']]);
  assert.equal(b1.tableSize, 0);
  // B.2: the decoder allows 220 bytes (its SETTINGS); the encoder sets that capacity and inserts two entries.
  const d = new QpackDecoder(220);
  const section4 = hex('0381 10 11'); // Required Insert Count 2, Base 0, two post-base indexed lines
  assert.equal(d.decode(section4, 0, section4.length), BLOCKED, 'ahead of the inserts: blocked, not an error');
  d.encoderStream(hex('3fbd01 c00f 7777 772e 6578 616d 706c 652e 636f 6d c10c 2f73 616d 706c 652f 7061 7468'));
  assert.equal(d.tableSize, 106);
  assert.deepEqual(d.decode(section4, 0, section4.length), [[':authority', 'www.example.com'], [':path', '/sample/path']]);
  // B.3: Insert With Literal Name, split across two reads of the encoder stream.
  const b3 = hex('4a63 7573 746f 6d2d 6b65 790c 6375 7374 6f6d 2d76 616c 7565');
  d.encoderStream(b3.subarray(0, 7));
  assert.equal(d.tableSize, 106, 'half an instruction inserts nothing');
  d.encoderStream(b3.subarray(7));
  assert.equal(d.tableSize, 160);
  // B.4: Duplicate (relative index 2 = absolute 0), then a section with Base 4: dynamic, static, dynamic.
  d.encoderStream(hex('02'));
  assert.equal(d.tableSize, 217);
  const section8 = hex('0500 80 c1 81');
  assert.deepEqual(d.decode(section8, 0, section8.length), [[':authority', 'www.example.com'], [':path', '/'], ['custom-key', 'custom-value']]);
  // B.5: Insert With Name Reference to a dynamic entry (relative 1 = absolute 2) evicts absolute 0.
  d.encoderStream(hex('810d 6375 7374 6f6d 2d76 616c 7565 32'));
  assert.equal(d.tableSize, 215);
  assert.equal(d.insertCount, 5);
  // Sections after B.5 (Required Insert Count 5, encoded 5 mod 12 + 1 = 6; Base 5): absolute 4 is there, 0 was evicted.
  const newest = hex('0600 80');
  assert.deepEqual(d.decode(newest, 0, newest.length), [['custom-key', 'custom-value2']]);
  const evicted = hex('0600 84');
  assert.equal(d.decode(evicted, 0, evicted.length), null);
  // A reference at or past the Required Insert Count is an error (§2.2.3), as is an encoded count past the full range.
  const pastRic = hex('0381 12');
  assert.equal(d.decode(pastRic, 0, pastRic.length), null);
  const wrapped = hex('0d00 80');
  assert.equal(d.decode(wrapped, 0, wrapped.length), null);
});

test('QPACK: an encoder stream that breaks (an insert larger than the table, a reference to nothing) takes no more inserts; what it built still decodes', () => {
  const d = new QpackDecoder(64);
  d.encoderStream(hex('3f21')); // capacity 64
  d.encoderStream(hex('c00f 7777 772e 6578 616d 706c 652e 636f 6d')); // 10 + 15 + 32 = 57 bytes: fits
  assert.equal(d.insertCount, 1);
  d.encoderStream(hex('4a63 7573 746f 6d2d 6b65 7920 7878787878787878787878787878787878787878787878787878787878787878')); // 74 > 64
  assert.equal(d.dead, true);
  d.encoderStream(hex('c00f 7777 772e 6578 616d 706c 652e 636f 6d'));
  assert.equal(d.insertCount, 1, 'nothing is read after the break');
  const built = hex('0200 80'); // Required Insert Count 1 (MaxEntries 2: encoded 1 mod 4 + 1)
  assert.deepEqual(d.decode(built, 0, built.length), [[':authority', 'www.example.com']]);
  const waiting = hex('0300 80'); // Required Insert Count 2: never coming, so an error rather than blocked
  assert.equal(d.decode(waiting, 0, waiting.length), null);
  const e = new QpackDecoder(220);
  e.encoderStream(hex('3fbd01 05')); // Duplicate of an entry that does not exist
  assert.equal(e.dead, true);
});

test('stream reassembly: any chunking, reordering and repetition of a stream gives its bytes back once, in order, with one FIN', () => {
  const rng = new Rng(9204);
  for (let round = 0; round < 300; round++) {
    const total = 1 + rng.below(5000);
    const src = Buffer.alloc(total);
    for (let i = 0; i < total; i++) src[i] = rng.below(256);
    // Chunks covering the stream, some repeated with shifted bounds, then shuffled.
    const chunks: { at: number; end: number }[] = [];
    for (let at = 0; at < total; ) {
      const end = Math.min(total, at + 1 + rng.below(700));
      chunks.push({ at, end });
      if (rng.below(4) === 0) chunks.push({ at: Math.max(0, at - rng.below(50)), end: Math.min(total, end + rng.below(50)) });
      at = end;
    }
    for (let i = chunks.length - 1; i > 0; i--) {
      const j = rng.below(i + 1);
      [chunks[i], chunks[j]] = [chunks[j]!, chunks[i]!];
    }
    const got: Buffer[] = [];
    let fins = 0;
    const r = new StreamReassembly((client, id, data, from, to, fin) => {
      assert.equal(client, true);
      assert.equal(id, 4);
      assert.equal(fins, 0, 'nothing after the FIN');
      got.push(Buffer.from(data.subarray(from, to)));
      if (fin) fins++;
    });
    // The packet holding a chunk is a buffer of its own, with bytes around the frame's data.
    for (const c of chunks) {
      const pkt = Buffer.concat([Buffer.from([0xaa, 0xbb]), src.subarray(c.at, c.end), Buffer.from([0xcc])]);
      r.push(true, 4, c.at, pkt, 2, 2 + (c.end - c.at), c.end === total);
    }
    assert.ok(Buffer.concat(got).equals(src), `round ${round}: the bytes came back changed`);
    assert.equal(fins, 1, `round ${round}: one FIN`);
  }
  // Bytes ahead of a gap that never fills are bounded: past 1 MiB the stream is given up and counted.
  const lost = new StreamReassembly(() => assert.fail('nothing can be handed over past the gap'));
  const mib = Buffer.alloc(1 << 16);
  for (let i = 1; i <= 17; i++) lost.push(false, 1, i << 16, mib, 0, mib.length, false);
  assert.equal(lost.lost, 1);
  // And across streams: 16 MiB a connection, whatever the number of streams.
  const many = new StreamReassembly(() => assert.fail('nothing can be handed over past the gaps'));
  const oneMib = Buffer.alloc(1 << 20);
  for (let id = 0; id < 20; id++) many.push(true, id * 4, 1, oneMib, 0, oneMib.length, false);
  assert.equal(many.lost, 4, 'the 17th to 20th streams are given up');
});

const FOXIO = join(CAPTURES, 'tls', 'chrome-cloudflare-quic-with-secrets.pcapng');
const HAVE_TSHARK = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;
const NEED_TSHARK = SKIP_NO_SHARED || (HAVE_TSHARK ? false : 'tshark not installed (apt-get install tshark): skipped');

interface TsharkStreamFrame {
  client: boolean;
  id: number;
  offset: number;
  data: Buffer;
  fin: boolean;
}

type Json = string | Json[] | { [k: string]: Json };
const list = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const field = (o: Json, k: string): Json | undefined => (typeof o === 'object' && !Array.isArray(o) ? o[k] : undefined);
const bytes = (v: Json | undefined): Buffer => Buffer.from(typeof v === 'string' ? v.replaceAll(':', '') : '', 'hex');

/** Every STREAM frame tshark decrypts in the capture (it reads the embedded secrets), in capture order. */
function tsharkStreams(file: string, client: string): TsharkStreamFrame[] {
  const r = spawnSync('tshark', ['-r', file, '-Y', 'quic', '-T', 'json', '-J', 'quic ipv6 ip', '--no-duplicate-keys'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  const out: TsharkStreamFrame[] = [];
  for (const pkt of JSON.parse(r.stdout) as Json[]) {
    const layers = field(field(pkt, '_source')!, 'layers')!;
    const src = field(field(layers, 'ipv6') ?? field(layers, 'ip')!, 'ipv6.src') ?? field(field(layers, 'ip')!, 'ip.src');
    for (const q of list(field(layers, 'quic'))) {
      for (const f of list(field(q, 'quic.frame'))) {
        if (field(f, 'quic.stream_data') === undefined) continue;
        const tree = field(f, 'quic.frame_type_tree')!;
        out.push({
          client: src === client,
          id: Number(field(f, 'quic.stream.stream_id')),
          offset: Number(field(f, 'quic.stream.offset') ?? 0),
          data: bytes(field(f, 'quic.stream_data')),
          fin: field(tree, 'quic.stream.fin') === '1',
        });
      }
    }
  }
  return out;
}

/** A stream's bytes from its frames, by offset. */
function assemble(frames: readonly TsharkStreamFrame[], client: boolean, id: number): Buffer {
  const parts = frames.filter((f) => f.client === client && f.id === id);
  const size = Math.max(0, ...parts.map((f) => f.offset + f.data.length));
  const b = Buffer.alloc(size);
  for (const f of parts) f.data.copy(b, f.offset);
  return b;
}

/** RFC 9000 §16 varint at o: [value, next offset]. */
function varint(b: Buffer, o: number): [number, number] {
  const len = 1 << (b[o]! >> 6);
  let v = b[o]! & 0x3f;
  for (let i = 1; i < len; i++) v = v * 256 + b[o + i]!;
  return [v, o + len];
}

test('chrome-cloudflare-quic-with-secrets: the QUIC certificate, and HTTP/3 over decrypted streams, equal tshark\'s decryption', { skip: NEED_TSHARK }, async () => {
  const run = await runApp(FOXIO, embeddedKeys(FOXIO));
  const quic = run.tls.filter((r) => r.transport === 'quic');
  assert.equal(quic.length, 1);
  const q = quic[0]!;
  // The certificates tshark decrypts: the first of each handshake's chain (TCP, then QUIC), DER bytes.
  const certs = spawnSync('tshark', ['-r', FOXIO, '-Y', 'tls.handshake.certificate', '-T', 'fields', '-e', 'udp.srcport', '-e', 'tls.handshake.certificate'], { encoding: 'utf8' })
    .stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  const quicCert = certs.find((c) => c[0] !== '');
  const tcpCert = certs.find((c) => c[0] === '');
  assert.ok(quicCert !== undefined && tcpCert !== undefined, 'tshark decrypted both certificates');
  const sha1 = (h: string): string => createHash('sha1').update(Buffer.from(h.split(',')[0]!, 'hex')).digest('hex');
  assert.equal(q.cert_sha1, sha1(quicCert[1]!), 'the QUIC leaf is the one tshark decrypted');
  assert.match(q.subject, /^CN=sni\.cloudflaressl\.com,/);
  // The TCP connection sent the same certificate, and FoxIO computed its JA4X.
  assert.equal(sha1(tcpCert[1]!), q.cert_sha1);
  const foxio = foxioCaptures().find((c) => c.path === FOXIO)!;
  const expectedJa4x = pythonValues(foxio.python!, 'JA4X.1').map((v) => v.value);
  assert.deepEqual(expectedJa4x, [q.ja4x]);

  // HTTP/3: the request on stream 0 and its response, against the stream bytes tshark decrypted.
  const h3 = run.http.filter((r) => r.version === '3');
  assert.equal(h3.length, 1);
  const h = h3[0]!;
  assert.equal(h.uid, q.uid, 'the row keeps the QUIC connection\'s uid');
  const frames = tsharkStreams(FOXIO, q.orig_h);
  assert.ok(frames.length >= 15, `tshark decrypted ${frames.length} STREAM frames`);
  const response = assemble(frames, false, 0);
  assert.ok(frames.some((f) => !f.client && f.id === 0 && f.fin), 'the response stream ended');
  // The response's frames (RFC 9114 §7.1: type, length, payload): the body is its DATA payloads.
  const body: Buffer[] = [];
  let headers = 0;
  for (let o = 0; o < response.length; ) {
    const [type, a] = varint(response, o);
    const [len, p] = varint(response, a);
    if (type === 0) body.push(response.subarray(p, p + len));
    if (type === 1) headers++;
    o = p + len;
  }
  assert.equal(headers, 1);
  const whole = Buffer.concat(body);
  assert.equal(h.response_body_len, whole.length, 'the length is of the bytes sent');
  // The same page over HTTP/2, whose headers tshark decodes, came brotli-encoded: the hash is of the decoded body,
  // as tshark's object export and Zeek's files.log give it.
  const h2Encoding = spawnSync('tshark', ['-r', FOXIO, '-Y', 'http2.headers.status', '-T', 'fields', '-e', 'http2.headers.content_encoding'], { encoding: 'utf8' }).stdout.trim();
  assert.equal(h2Encoding, 'br');
  const decoded = brotliDecompressSync(whole);
  assert.equal(h.resp_sha256, createHash('sha256').update(decoded).digest('hex'));
  assert.equal(h.resp_md5, createHash('md5').update(decoded).digest('hex'));
  assert.equal(h.resp_mime_types, 'text/html');
  // The request: :authority is the QUIC SNI (tshark's quic_snis oracle); the same browser's HTTP/2 request to the
  // same page, which tshark decodes, gives the method, path and user agent.
  const oracle = JSON.parse(readFileSync(join(CAPTURES, 'oracles', 'tls', 'chrome-cloudflare-quic-with-secrets.pcapng.json'), 'utf8')) as { quic_snis: string[] };
  assert.deepEqual(oracle.quic_snis, [h.host]);
  const [method, path, ua] = spawnSync('tshark', ['-r', FOXIO, '-Y', 'http2.headers.method', '-T', 'fields', '-e', 'http2.headers.method', '-e', 'http2.headers.path', '-e', 'http2.headers.user_agent'], { encoding: 'utf8' })
    .stdout.trim().split('\t');
  assert.deepEqual([h.method, h.uri, h.user_agent], [method, path, ua]);
  assert.equal(h.status_code, 200);
  assert.match(h.ja4h, /^ge30/);
  assert.equal(run.stats.quic_decrypted, 1);
  assert.equal(run.stats.quic_decrypted_h3, 1);
  assert.equal(run.stats.quic_decrypt_failed, 0);
  assert.equal(run.stats.http_malformed, 0);
  // Without the secrets: the Initials' hello only, as before.
  const plain = await runApp(FOXIO);
  assert.equal(plain.http.filter((r) => r.version === '3').length, 0);
  assert.equal(plain.tls.find((r) => r.transport === 'quic')?.cert_sha1, '');
});

const FUZZ_CASES = Math.max(20_000, Math.floor(Number(process.env['NAD_FUZZ_CASES'] ?? 0) / 5));

/** A QUIC varint in its shortest form. */
function encodeVarint(n: number): Buffer {
  if (n < 0x40) return Buffer.from([n]);
  if (n < 0x4000) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  b[0]! |= 0x80;
  return b;
}

test(`fuzz: ${FUZZ_CASES} mutated decrypted QUIC packets (STREAM frames of the capture's HTTP/3) through frames, reassembly, HTTP/3 and QPACK never throw or loop`, { skip: NEED_TSHARK, timeout: 600_000 }, (t) => {
  const frames = tsharkStreams(FOXIO, '2001:db8:1::1');
  // Each tshark frame as the plaintext of a 1-RTT packet: STREAM with offset and length, an ACK and PADDING around it.
  const plaintexts = frames.map((f) => ({
    client: f.client,
    b: Buffer.concat([Buffer.from([0x02, 0x05, 0x10, 0x00, 0x01]), Buffer.from([0x0e | (f.fin ? 1 : 0)]), encodeVarint(f.id), encodeVarint(f.offset), encodeVarint(f.data.length), f.data, Buffer.alloc(3)]),
  }));
  const flow = { uid: 'Cfuzz', community_id: '', orig_h: '2001:db8:1::1', orig_p: 50280, resp_h: '2606:4700:10::6816:826', resp_p: 443 } as FlowView;
  const rng = new Rng(9114);
  const stats = createAppStats();
  let understood = 0;
  let rows = 0;
  const start = Date.now();
  for (let n = 0; n < FUZZ_CASES; ) {
    // One connection: every packet in order, a few of them mutated.
    const h3 = new H3Connection(stats, flow);
    const r = new StreamReassembly((client, id, data, from, to, fin) => h3.streamData(client, id, data, from, to, fin, 0, 0));
    for (const p of plaintexts) {
      const b = rng.below(3) === 0 ? (n++, mutate(rng, p.b, plaintexts[rng.below(plaintexts.length)]!.b)) : p.b;
      const ok = walkFrames(b, b.length, {
        crypto: () => {},
        stream: (id, offset, data, from, to, fin) => {
          assert.ok(from >= 0 && from <= to && to <= b.length);
          r.push(p.client, id, offset, data, from, to, fin);
        },
        newConnectionId: (len) => assert.ok(len >= 1 && len <= 20),
      });
      if (ok) understood++;
    }
    h3.finish();
    rows += h3.trans.length;
  }
  // Mutated QPACK input straight into the decoder: sections and encoder instructions.
  const d = new QpackDecoder(220);
  const seeds = [hex('3fbd01 c00f 7777 772e 6578 616d 706c 652e 636f 6d'), hex('0381 10 11'), hex('0500 80 c1 81'), hex('4a63 7573 746f 6d2d 6b65 790c 6375 7374 6f6d 2d76 616c 7565')];
  for (let n = 0; n < FUZZ_CASES; n++) {
    const m = mutate(rng, seeds[rng.below(seeds.length)]!, seeds[rng.below(seeds.length)]!);
    const got = d.decode(m, 0, m.length);
    assert.ok(got === null || got === BLOCKED || Array.isArray(got));
    if (n % 7 === 0) d.encoderStream(m);
  }
  t.diagnostic(`${understood} packets walked whole, ${rows} HTTP/3 rows, ${stats.http_malformed} sections counted malformed, ${Date.now() - start} ms`);
  assert.ok(rows > 0, 'unmutated connections give their request');
});

/** Where the long-header packet at b[o] ends (RFC 9000 §17.2: Initial has a token; Retry, 0-RTT none here). */
function longPacketEnd(b: Buffer, o: number): number {
  let p = o + 5;
  p += 1 + b[p]!; // DCID
  p += 1 + b[p]!; // SCID
  if (((b[o]! >> 4) & 3) === 0) {
    const [tokenLen, q] = varint(b, p);
    p = q + tokenLen;
  }
  const [len, q] = varint(b, p);
  return q + len;
}

test('coalesced datagrams (RFC 9000 §12.2): the ServerHello\'s Initial, the Handshake packets and a 1-RTT packet in one datagram are all opened', { skip: NEED_TSHARK }, async () => {
  // The capture's server sends its Initial (ServerHello) and first Handshake packets in separate datagrams; many servers
  // coalesce them. Rebuilt here as one datagram each way: server Initial + Handshake + Handshake, client Handshake + 1-RTT.
  const frames: { ts_sec: number; ts_usec: number; frame: Buffer }[] = [];
  await readCaptures([FOXIO], { packet(p: Packet): void { frames.push({ ts_sec: p.ts_sec, ts_usec: Math.floor(p.ts_nsec / 1000), frame: Buffer.from(p.buf.subarray(p.start, p.end)) }); } });
  const numbers = (filter: string): number[] => spawnSync('tshark', ['-r', FOXIO, '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' })
    .stdout.split('\n').filter((l) => l !== '').map(Number);
  const sh = numbers('quic.long.packet_type == 0 && tls.handshake.type == 2')[0]!;
  const [hs1, hs2] = numbers('quic.long.packet_type == 2 && ipv6.src == 2606:4700:10::6816:826');
  const clientHs = numbers('quic.long.packet_type == 2 && ipv6.src == 2001:db8:1::1').at(-1)!;
  const firstShort = numbers('quic.header_form == 0 && ipv6.src == 2001:db8:1::1 && !quic.long.packet_type')[0]!;
  assert.deepEqual([hs1! - sh, hs2! - sh], [1, 2], 'the server\'s Handshake packets follow its ServerHello');
  const HDR = 14 + 40 + 8; // Ethernet, IPv6, UDP
  const payload = (n: number): Buffer => frames[n - 1]!.frame.subarray(HDR);
  const cut = (n: number): Buffer => payload(n).subarray(0, longPacketEnd(payload(n), 0));
  const merge = (first: number, parts: Buffer[]): Buffer => {
    const f = Buffer.concat([frames[first - 1]!.frame.subarray(0, HDR), ...parts]);
    f.writeUInt16BE(f.length - 14 - 40, 14 + 4); // IPv6 payload length
    f.writeUInt16BE(f.length - 14 - 40, 14 + 40 + 4); // UDP length
    f.writeUInt16BE(0, 14 + 40 + 6); // checksum not recomputed
    return f;
  };
  const out: Buffer[] = [];
  frames.forEach((f, i) => {
    const n = i + 1;
    let frame = f.frame;
    if (n === sh) frame = merge(sh, [cut(sh), cut(hs1!), cut(hs2!)]);
    else if (n === clientHs) frame = merge(clientHs, [cut(clientHs), payload(firstShort)]);
    else if (n === hs1 || n === hs2 || n === firstShort) return;
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(f.ts_sec, 0);
    rec.writeUInt32LE(f.ts_usec, 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    out.push(rec, frame);
  });
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(262144, 16);
  global.writeUInt32LE(1, 20);
  const dir = mkdtempSync(join(tmpdir(), 'nad-quic-'));
  try {
    const file = join(dir, 'coalesced.pcap');
    writeFileSync(file, Buffer.concat([global, ...out]));
    const coalesced = await runApp(file, embeddedKeys(FOXIO));
    const original = await runApp(FOXIO, embeddedKeys(FOXIO));
    const quicRow = (r: typeof original): string => JSON.stringify(r.tls.filter((t) => t.transport === 'quic').map((t) => [t.cert_sha1, t.ja4x, t.ja4]));
    assert.notEqual(JSON.parse(quicRow(original))[0][0], '');
    assert.equal(quicRow(coalesced), quicRow(original), 'the certificate came from the coalesced Handshake packets');
    const h3 = (r: typeof original): string => JSON.stringify(r.http.filter((h) => h.version === '3').map((h) => [h.method, h.host, h.uri, h.status_code, h.response_body_len, h.resp_sha256]));
    assert.equal(h3(coalesced), h3(original), 'the 1-RTT packet after the client\'s Handshake packet was opened');
    assert.equal(coalesced.stats.quic_decrypt_failed, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('QUIC 1-RTT protection: RFC 9001 Appendix A.5 (ChaCha20-Poly1305 short header) opens; a key update (its `quic ku` secret) is followed and the old phase still opens', async () => {
  const { createCipheriv } = await import('node:crypto');
  const { PacketProtection } = await import('../../src/app/quic/protection.js');
  const { expandLabel, suiteOf } = await import('../../src/app/tls/decrypt.js');
  const chacha = suiteOf(0x1303)!;
  const secret = hex('9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b');
  // A.5's keys, and the secret of the next key phase it gives.
  assert.equal(expandLabel('sha256', secret, 'quic key', 32).toString('hex'), 'c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8');
  assert.equal(expandLabel('sha256', secret, 'quic iv', 12).toString('hex'), 'e0459b3474bdd0e44a41c144');
  const hp = expandLabel('sha256', secret, 'quic hp', 32);
  assert.equal(hp.toString('hex'), '25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4');
  const ku = expandLabel('sha256', secret, 'quic ku', 32);
  assert.equal(ku.toString('hex'), '1223504755036d556342ee9361d253421a826c9ecdf3c7148684b36b714881f9');
  const rfcPacket = hex('4cfe4189655e5cd55c41f69080575d7999c25a5bfb');
  const pp = PacketProtection.fromSecret(chacha, secret, 'quic ');
  pp.largest = 654360563; // the packet number recovery needs the neighbourhood (A.5 encodes 3 of its 4 bytes)
  const opened = pp.open(rfcPacket, 0, 1, rfcPacket.length, false);
  assert.deepEqual([opened?.plain.toString('hex'), opened?.pn, opened?.key_phase], ['01', 654360564, 0]);
  // A sealer written here from RFC 9001 §5.3–5.4 with node:crypto: it must give A.5's packet before it is trusted.
  const seal = (s: Uint8Array, pn: number, phase: number, payload: Buffer): Buffer => {
    const key = expandLabel('sha256', s, 'quic key', 32);
    const iv = expandLabel('sha256', s, 'quic iv', 12);
    const header = Buffer.from([0x40 | (phase << 2) | 2, (pn >> 16) & 0xff, (pn >> 8) & 0xff, pn & 0xff]);
    const nonce = Buffer.from(iv);
    nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ pn) >>> 0, 8);
    const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    c.setAAD(header, { plaintextLength: payload.length });
    const body = Buffer.concat([c.update(payload), c.final(), c.getAuthTag()]);
    const mask = createCipheriv('chacha20', hp, body.subarray(1, 17)).update(Buffer.alloc(5));
    header[0]! ^= mask[0]! & 0x1f;
    for (let i = 0; i < 3; i++) header[1 + i]! ^= mask[1 + i]!;
    return Buffer.concat([header, body]);
  };
  assert.ok(seal(secret, 654360564, 0, hex('01')).equals(rfcPacket));
  const after = seal(ku, 654360565, 1, hex('0100'));
  const updated = pp.open(after, 0, 1, after.length, false);
  assert.deepEqual([updated?.plain.toString('hex'), updated?.pn, updated?.key_phase], ['0100', 654360565, 1]);
  // A packet of the old phase, reordered after the update, and one more of the new phase.
  const late = seal(secret, 654360566, 0, hex('01000000'));
  assert.equal(pp.open(late, 0, 1, late.length, false)?.plain.toString('hex'), '01000000');
  const next = seal(ku, 654360567, 1, hex('01'));
  assert.equal(pp.open(next, 0, 1, next.length, false)?.pn, 654360567);
  // Damage anywhere fails the tag: null, never an exception.
  for (let i = 0; i < next.length; i++) {
    const bad = Buffer.from(next);
    bad[i]! ^= 0x01;
    assert.equal(pp.open(bad, 0, 1, bad.length, false), null, `byte ${i}`);
  }
});

test('HTTP/3: incomplete frames are held within 16 MiB a connection; the streams past it are given up and counted', () => {
  const flow = { uid: 'Cheld', community_id: '', orig_h: '2001:db8::1', orig_p: 50000, resp_h: '2001:db8::2', resp_p: 443 } as FlowView;
  const stats = createAppStats();
  const h3 = new H3Connection(stats, flow);
  // HEADERS frames that declare 200 KiB and send 190 KiB: each waits for the rest.
  const part = Buffer.concat([Buffer.from([0x01]), encodeVarint(200 << 10), Buffer.alloc(190 << 10)]);
  for (let i = 0; i < 100; i++) h3.streamData(true, i * 4, part, 0, part.length, false, 0, 0);
  const held = Math.floor((16 << 20) / part.length);
  assert.equal(stats.http_malformed, 100 - held, `${held} streams fit in 16 MiB`);
  h3.finish();
  assert.equal(h3.trans.length, 0);
});
