/**
 * --workers: spreading the flow tables over threads must not change a byte of any output. The reference is the same
 * run with one flow table (--workers 1); the report's wall-clock stamp is pinned with SOURCE_DATE_EPOCH.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { addressHash } from '../../src/scale/workers.js';
import { createPacket } from '../../src/decode/layer.js';
import { decodePacket } from '../../src/decode/packet.js';
import { CAPTURES, HAVE_SHARED, oracle, PROJECT_ROOT, SKIP_NO_SHARED } from '../shared.js';
import { nad } from '../cli/run.js';

const SAMPLES = join(PROJECT_ROOT, 'samples');
const tmp = mkdtempSync(join(tmpdir(), 'nad-workers-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const ENV = { SOURCE_DATE_EPOCH: '1767225600' };

/** Runs analyze with n workers into tmp/<tag>-<n> and returns every output file's bytes by name. */
function run(tag: string, n: number, args: readonly string[], env: Record<string, string> = {}, input?: Buffer): Map<string, Buffer> {
  const out = join(tmp, `${tag}-${n}`);
  const r = nad(['analyze', ...args, '--out', out, '--force', '--quiet', '--workers', String(n)], { env: { ...ENV, ...env }, ...(input ? { input } : {}) });
  assert.equal(r.status, 0, `${tag} --workers ${n}: ${r.stderr}`);
  return new Map(readdirSync(out).sort().map((f) => [f, readFileSync(join(out, f))]));
}

function assertSameOutputs(tag: string, args: readonly string[], counts: readonly number[], env: Record<string, string> = {}, input?: Buffer): void {
  const one = run(tag, 1, args, {}, input);
  assert.ok(one.has('flows.csv') && one.has('summary.json'));
  for (const n of counts) {
    const many = run(tag, n, args, env, input);
    assert.deepEqual([...many.keys()], [...one.keys()], `${tag}: files written with --workers ${n}`);
    for (const [name, bytes] of one) assert.ok(bytes.equals(many.get(name)!), `${tag}: ${name} differs with --workers ${n}`);
  }
}

test('the worker hash is symmetric: both directions of a packet go to the same worker', () => {
  const p = createPacket();
  // Ethernet + IPv4 + UDP, then the same with addresses swapped.
  const frame = Buffer.from('000000000001' + '000000000002' + '0800' + '45000020000000004011' + '0000c0a80a0108080808' + '0035d431000c0000' + '00000000', 'hex');
  const swapped = Buffer.from(frame);
  frame.copy(swapped, 26, 30, 34);
  frame.copy(swapped, 30, 26, 30);
  const pick = (b: Buffer): number => {
    p.buf = b;
    p.view = new DataView(b.buffer, b.byteOffset, b.length);
    p.start = 0;
    p.end = p.caplen = p.wirelen = b.length;
    p.linktype = 1;
    decodePacket(p);
    assert.equal(p.ip_version, 4);
    return addressHash(p);
  };
  assert.equal(pick(frame), pick(swapped));
  assert.notEqual(pick(frame), 0);
});

test('samples/: every output (report included) is byte-identical with --workers 1, 2 and 3', () => {
  assertSameOutputs('samples', [join(SAMPLES, 'suspect.pcap'), '--baseline', join(SAMPLES, 'clean.pcap')], [2, 3]);
});

test('samples/ from a file and from stdin with tiny chunk slots (reused many times over): same outputs with --workers 2', () => {
  // 2 slots of 64 KiB: the reader's 1 MiB file chunks do not fit (their packets are copied into the batches), the
  // 64 KiB pipe chunks do and wrap around the two slots ~30 times.
  const tiny = { NAD_TEST_CHUNK_SLOTS: '2x65536' };
  const suspect = join(SAMPLES, 'suspect.pcap');
  assertSameOutputs('tiny-file', [suspect, '--no-report'], [2, 3], tiny);
  assertSameOutputs('tiny-pipe', ['-', '--no-report'], [2, 3], tiny, readFileSync(suspect));
  assertSameOutputs('small-file', [suspect, '--no-report'], [2], { NAD_TEST_CHUNK_SLOTS: '2x1048576' });
});

// The shared captures, a folder at a time, each folder's captures read as one merged capture (link types, tunnels,
// fragments, TCP states and app protocols of every kind in one run). In the format and decoder folders only captures
// tshark could read (an oracle exists); the others are all readable (the conn.log, Community ID and eval tests read them).
const ORACLE_FOLDERS = new Set(['format', 'linktypes', 'encap', 'app', 'tls']);
const FOLDERS = [...ORACLE_FOLDERS, 'zeek-conn', 'community-id', 'malicious', 'benign'];
function capturesIn(folder: string): string[] {
  const dir = join(CAPTURES, folder);
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(pcap|pcapng|cap)(\.gz)?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => !ORACLE_FOLDERS.has(folder) || oracle(relative(CAPTURES, path)) !== null)
    .sort();
}

for (const folder of FOLDERS) {
  test(`shared captures in ${folder}/: every output is byte-identical with --workers 1 and 2`, { skip: SKIP_NO_SHARED }, () => {
    const files = HAVE_SHARED ? capturesIn(folder) : [];
    assert.ok(files.length > 0, `no capture in ${folder}/`);
    assertSameOutputs(folder, [...files, '--no-report'], [2]);
  });
}
