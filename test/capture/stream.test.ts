/**
 * Same packets whatever the way in: gzip vs plain, stdin pipe vs file, big- vs little-endian twins, and any chunking
 * (records straddling chunk boundaries). Expected values are the plain file's own packets plus tshark's oracle
 * facts; the twins are independent files (pcapng-test-generator output_be/output_le, nfstream dhcp_big/little,
 * gopacket be/le test902).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCaptures } from '../../src/capture/index.js';
import { PcapReader } from '../../src/capture/pcap.js';
import { PcapngReader } from '../../src/capture/pcapng.js';
import type { ReadSummary } from '../../src/capture/types.js';
import { formatTs } from '../../src/capture/time.js';
import type { Packet } from '../../src/decode/layer.js';
import { CAPTURES, PROJECT_ROOT, SKIP_NO_SHARED, oracle } from '../shared.js';
import type { ReadResult, SeenPacket } from './read.js';
import { readAll } from './read.js';

const cap = (rel: string): string => join(CAPTURES, rel);
const skip = SKIP_NO_SHARED;

/** What must not depend on the way in (file_offset differs for gzip only in nothing: offsets are decompressed). */
function essence(seen: readonly SeenPacket[]): string[] {
  return seen.map((p) => `${p.ts} ${p.caplen}/${p.wirelen} lt${p.linktype} @${p.file_offset} ${p.hex}`);
}

test('gzip input gives the plain file\'s packets (derived-dns_tcp.pcap.gz = gzip -9 of app/dns_tcp.pcap)', { skip }, async () => {
  const plain = await readAll([cap('app/dns_tcp.pcap')], true);
  const gz = await readAll([cap('format/derived-dns_tcp.pcap.gz')], true);
  assert.deepEqual(essence(gz.seen), essence(plain.seen));
  assert.equal(gz.summaries[0]?.gzip, true);
  assert.equal(plain.summaries[0]?.gzip, false);
  assert.equal(gz.summaries[0]?.size, oracle('format/derived-dns_tcp.pcap.gz')?.['size']);
  assert.equal(gz.summaries[0]?.sha256, oracle('format/derived-dns_tcp.pcap.gz')?.['sha256']);
  assert.equal(plain.summaries[0]?.sha256, oracle('app/dns_tcp.pcap')?.['sha256']);
});

function viaStdin(file: string): Promise<ReadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'test/capture/stdin_child.ts')], { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as ReadResult) : reject(new Error(`child exited ${code}`))));
    // Small writes, so records straddle the pipe's chunks.
    const data = readFileSync(file);
    for (let o = 0; o < data.length; o += 700) child.stdin.write(data.subarray(o, o + 700));
    child.stdin.end();
  });
}

for (const rel of ['format/pcapng-tg-le-test202.pcapng', 'format/derived-dns_tcp.pcap.gz']) {
  test(`stdin pipe gives the file's packets and summary: ${rel}`, { skip, timeout: 30_000 }, async () => {
    const file = await readAll([cap(rel)], true);
    const piped = await viaStdin(cap(rel));
    assert.deepEqual(essence(piped.seen), essence(file.seen));
    const { path: _p, ...a } = piped.summaries[0] ?? { path: '' };
    const { path: _q, ...b } = file.summaries[0] ?? { path: '' };
    assert.deepEqual(a, b);
  });
}

const TWINS = [
  ['format/pcapng-tg-be-test001.pcapng', 'format/pcapng-tg-le-test001.pcapng'],
  ['format/pcapng-tg-be-test010.pcapng', 'format/pcapng-tg-le-test010.pcapng'],
  ['format/pcapng-tg-be-test202.pcapng', 'format/pcapng-tg-le-test202.pcapng'],
  ['format/dhcp_big_endian.pcapng', 'format/dhcp_little_endian.pcapng'],
  ['format/gopacket-be-test902.pcapng', 'format/gopacket-le-test902.pcapng'],
  // byte-swapped headers of a nanosecond LE file (MANIFEST: "identical packets and timestamps")
  ['format/derived-pcap-be-nsec.pcap', 'format/get-to-ssh-server.pcap'],
  // EPBs rewritten as obsolete Packet Blocks, same lengths (MANIFEST: "same 4 packets and timestamps")
  ['format/derived-pcapng-obsolete-packet-block.pcapng', 'format/dhcp_little_endian.pcapng'],
] as const;

for (const [a, b] of TWINS) {
  test(`same packets: ${a} and ${b}`, { skip }, async () => {
    const ra = await readAll([cap(a)], true);
    const rb = await readAll([cap(b)], true);
    const strip = (r: ReadResult): string[] => r.seen.map((p) => `${p.ts} ${p.caplen}/${p.wirelen} lt${p.linktype} ${p.hex}`);
    assert.deepEqual(strip(ra), strip(rb));
    assert.ok(ra.seen.length > 0);
    assert.equal(ra.summaries[0]?.first_ts, rb.summaries[0]?.first_ts);
    assert.equal(ra.summaries[0]?.last_ts, rb.summaries[0]?.last_ts);
  });
}

/** Pushes a file to a reader in pieces of the given sizes (cycled), returns what it saw and its summary. */
function pushInPieces(rel: string, sizes: readonly number[]): { seen: string[]; summary: ReadSummary } {
  const data = readFileSync(cap(rel));
  const reader = data.readUInt32LE(0) === 0x0a0d0d0a ? new PcapngReader(0) : new PcapReader(0);
  const seen: string[] = [];
  const sink = {
    packet(p: Packet): void {
      seen.push(`${formatTs(p.ts_sec, p.ts_nsec)} ${p.caplen} @${p.file_offset} ${p.buf.toString('hex', p.start, p.end)}`);
    },
  };
  let i = 0;
  for (let o = 0; o < data.length; i++) {
    const n = sizes[i % sizes.length] ?? 1;
    // A copy per piece, reused by nobody: the reader must keep what it needs.
    reader.push(Buffer.from(data.subarray(o, o + n)), sink);
    o += n;
  }
  return { seen, summary: reader.end(sink) };
}

const CHUNKINGS = [[1], [3, 5], [7, 64, 2], [1000], [1 << 20]] as const;
const CHUNKED = [
  'format/pcapng-tg-be-test202.pcapng',
  'format/ldap-modify-request.pcapng',
  'format/tcp-handshake-nano.pcap',
  'corrupt/derived-pcap-truncated-mid-record.pcap',
  'corrupt/derived-pcapng-zero-block-length.pcapng',
  'corrupt/derived-pcap-caplen-gt-snaplen.pcap',
] as const;

for (const rel of CHUNKED) {
  test(`any chunking gives the same packets and summary: ${rel}`, { skip }, () => {
    const whole = pushInPieces(rel, [1 << 30]);
    assert.ok(whole.seen.length > 0);
    for (const sizes of CHUNKINGS) {
      const r = pushInPieces(rel, sizes);
      assert.deepEqual(r.seen, whole.seen, `pieces ${sizes.join(',')}`);
      assert.deepEqual(r.summary, whole.summary, `pieces ${sizes.join(',')}`);
    }
  });
}

test('several inputs are merged by timestamp, ties in input order, each input in file order', { skip }, async () => {
  const a = cap('app/dns_tcp.pcap');
  const b = cap('format/get-to-ssh-server.pcap');
  const ra = await readAll([a]);
  const rb = await readAll([b]);
  const merged = await readAll([b, a, b]);
  assert.equal(merged.seen.length, 2 * rb.seen.length + ra.seen.length);
  assert.deepEqual(merged.summaries.map((s) => s.path), [b, a, b]);
  assert.deepEqual(merged.summaries.map((s) => s.packets), [rb.seen.length, ra.seen.length, rb.seen.length]);
  for (let i = 1; i < merged.seen.length; i++) {
    const prev = merged.seen[i - 1];
    const cur = merged.seen[i];
    assert.ok(prev !== undefined && cur !== undefined);
    const order = Number(prev.ts.split('.')[0]) - Number(cur.ts.split('.')[0]) || prev.ts.localeCompare(cur.ts);
    assert.ok(order < 0 || (order === 0 && prev.input <= cur.input), `order at ${i}: ${prev.ts}/${prev.input} ${cur.ts}/${cur.input}`);
  }
  for (const [input, alone] of [[0, rb], [1, ra], [2, rb]] as const) {
    assert.deepEqual(merged.seen.filter((p) => p.input === input).map((p) => `${p.ts} ${p.file_offset}`), alone.seen.map((p) => `${p.ts} ${p.file_offset}`));
  }
});

test('onProgress reports raw bytes against the total; an aborted signal marks the input interrupted', { skip }, async () => {
  const file = cap('app/dns_tcp.pcap');
  const size = Number(oracle('app/dns_tcp.pcap')?.['size']);
  const calls: [number, number | null][] = [];
  await readCaptures([file], { packet() {} }, { onProgress: (n, t) => calls.push([n, t]) });
  assert.deepEqual(calls.at(-1), [size, size]);
  const ac = new AbortController();
  ac.abort();
  const s = await readCaptures([file], { packet() {} }, { signal: ac.signal });
  assert.equal(s[0]?.interrupted, true);
});

test('an abort midway keeps the packets read, and the record cut by the abort is not damage', { skip }, async () => {
  // 3000 copies of dns_tcp.pcap's records behind its header: ~3.3 MB, several 1 MiB chunks.
  const src = readFileSync(cap('app/dns_tcp.pcap'));
  const dir = mkdtempSync(join(tmpdir(), 'nad-capture-'));
  try {
    const file = join(dir, 'long.pcap');
    writeFileSync(file, Buffer.concat([src.subarray(0, 24), ...Array.from({ length: 3000 }, () => src.subarray(24))]));
    const ac = new AbortController();
    let n = 0;
    const s = await readCaptures([file], { packet: () => void n++ }, { signal: ac.signal, onProgress: () => ac.abort() });
    assert.equal(s[0]?.interrupted, true);
    assert.equal(s[0]?.stopped, null);
    assert.equal(s[0]?.lost_bytes, 0);
    assert.ok(n > 0 && n < 3000 * 11, `read ${n} packets of ${3000 * 11}`);
    assert.equal(s[0]?.packets, n);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a FIFO whose writer is in the same process (as nad capture does) is read without deadlock', { skip, timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-capture-'));
  try {
    const fifo = join(dir, 'live.pcap');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return;
    const file = await readAll([cap('format/pcapng-tg-le-test202.pcapng')], true);
    createWriteStream(fifo).end(readFileSync(cap('format/pcapng-tg-le-test202.pcapng')));
    const viaFifo = await readAll([fifo], true);
    assert.deepEqual(essence(viaFifo.seen), essence(file.seen));
    assert.equal(viaFifo.summaries[0]?.sha256, file.summaries[0]?.sha256);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file of 32 MiB or more is hashed by the worker over the shared ring: same sha256 and packets', { skip, timeout: 60_000 }, async () => {
  // 31000 copies of dns_tcp.pcap's 11 records (1098 bytes) behind its header: 34 MB, 33 chunks of 1 MiB.
  const src = readFileSync(cap('app/dns_tcp.pcap'));
  const dir = mkdtempSync(join(tmpdir(), 'nad-capture-'));
  try {
    const file = join(dir, 'big.pcap');
    const data = Buffer.concat([src.subarray(0, 24), ...Array.from({ length: 31000 }, () => src.subarray(24))]);
    writeFileSync(file, data);
    assert.ok(data.length >= 32 * 1024 * 1024);
    let n = 0;
    const s = await readCaptures([file], { packet: () => void n++ });
    assert.equal(s[0]?.sha256, createHash('sha256').update(data).digest('hex'));
    assert.equal(s[0]?.size, data.length);
    assert.equal(n, 31000 * 11);
    assert.equal(s[0]?.packets, n);
    assert.equal(s[0]?.stopped, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
