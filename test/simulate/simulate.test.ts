/**
 * The simulator's own guarantees: same options → same bytes, samples/ regenerate byte for byte, options are checked,
 * and the pcap is well-formed (header, record lengths, time order) by the format's definition
 * (draft-ietf-opsawg-pcap §4–5), not by nad's reader.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseInjectList, simulate, truthPathFor, type SimulateOptions, type Simulation } from '../../src/simulate/index.js';
import { PROJECT_ROOT } from '../shared.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const SHORT = { seed: 7, start: '2026-03-03T09:00:00Z', hours: 0.5, hosts: 6, inject: ['all'] } as const;
const SUSPECT = { seed: 2, start: '2026-03-09T08:00:00Z', hours: 4, hosts: 12, inject: ['all'] } as const;
const CLEAN = { seed: 1, start: '2026-03-02T08:00:00Z', hours: 4, hosts: 12, inject: [] } as const;

/** Each simulation runs once per file; several tests look at it. */
const memo = new Map<string, Simulation>();
function sim(opts: SimulateOptions): Simulation {
  const key = JSON.stringify(opts);
  const hit = memo.get(key) ?? simulate(opts);
  memo.set(key, hit);
  return hit;
}

test('same seed gives byte-identical capture and truth; another seed does not', () => {
  const a = sim(SHORT);
  const b = simulate(SHORT);
  assert.equal(sha(a.pcap), sha(b.pcap));
  assert.equal(JSON.stringify(a.truth), JSON.stringify(b.truth));
  assert.equal(a.truth.capture.sha256, sha(a.pcap));
  const c = simulate({ ...SHORT, seed: 8 });
  assert.notEqual(sha(c.pcap), sha(a.pcap));
});

test('the office does not depend on the run seed (clean and suspect share hosts)', () => {
  const a = simulate({ ...SHORT, hours: 0.1, inject: [] });
  const b = simulate({ ...SHORT, hours: 0.1, seed: 99, inject: [] });
  assert.deepEqual(a.truth.office, b.truth.office);
});

test('pcap is classic little-endian µs Ethernet, records in time order, caplen ≤ wirelen', () => {
  const { pcap, truth } = sim(SHORT);
  assert.equal(pcap.readUInt32LE(0), 0xa1b2c3d4);
  assert.equal(pcap.readUInt16LE(4), 2);
  assert.equal(pcap.readUInt16LE(6), 4);
  assert.equal(pcap.readUInt32LE(20), 1);
  let off = 24;
  let n = 0;
  let prev = 0;
  let truncated = 0;
  while (off < pcap.length) {
    const ts = pcap.readUInt32LE(off) * 1e6 + pcap.readUInt32LE(off + 4);
    const caplen = pcap.readUInt32LE(off + 8);
    const wirelen = pcap.readUInt32LE(off + 12);
    assert.ok(ts >= prev, `record ${n} goes back in time`);
    assert.ok(pcap.readUInt32LE(off + 4) < 1e6);
    assert.ok(caplen <= wirelen && caplen >= 42 && caplen <= 65535, `record ${n}: caplen ${caplen} wirelen ${wirelen}`);
    if (caplen < wirelen) truncated++;
    prev = ts;
    off += 16 + caplen;
    n++;
  }
  assert.equal(off, pcap.length);
  assert.equal(n, truth.capture.packets);
  assert.ok(truncated > 0, 'bulk payloads are cut from the capture');
});

test('--inject names and groups expand in canonical order; unknown names are refused', () => {
  assert.deepEqual(parseInjectList('scan,beacon'), ['beacon', 'scan-vertical', 'scan-horizontal']);
  assert.deepEqual(parseInjectList(''), []);
  assert.equal(parseInjectList('all').length, 11);
  assert.deepEqual(parseInjectList('exfil'), ['exfil-upload', 'exfil-drip', 'exfil-ftp']);
  assert.throws(() => parseInjectList('beacon,teleport'), /unknown injection "teleport"/);
  assert.throws(() => simulate({ ...SHORT, start: 'yesterday' }), /ISO 8601/);
  assert.throws(() => simulate({ ...SHORT, hosts: 0 }), /hosts must be/);
  assert.equal(truthPathFor('samples/suspect.pcap'), 'samples/suspect.truth.json');
});

test('every injection of "all" yields one entity with a source in the office', () => {
  const { truth } = sim(SUSPECT);
  const ids = truth.entities.map((e) => e.id).sort();
  assert.deepEqual(ids, ['beacon-http', 'beacon-https', 'dns-tunnel', 'exfil-drip', 'exfil-ftp', 'exfil-upload', 'new-asn', 'new-country', 'new-port', 'scan-horizontal', 'scan-vertical']);
  const office = new Set(truth.office.hosts.map((h) => h.ip));
  for (const e of truth.entities) {
    assert.ok(office.has(e.src_ip), `${e.id} from ${e.src_ip}`);
    assert.ok(e.count > 0 && e.start <= e.end, e.id);
  }
  const upload = truth.entities.find((e) => e.id === 'exfil-upload')!;
  assert.ok(upload.bytes_out >= 24_000_000, 'sequence numbers carry the full upload');
});

// Regenerating samples/ must reproduce the committed files (the commands are in samples/SAMPLES.md).
const SAMPLES = [{ file: 'clean.pcap', opts: CLEAN }, { file: 'suspect.pcap', opts: SUSPECT }] as const;

for (const s of SAMPLES) {
  const path = join(PROJECT_ROOT, 'samples', s.file);
  test(`samples/${s.file} regenerates byte for byte and stays under 2 MB`, { skip: existsSync(path) ? false : `${path} missing` }, () => {
    const { pcap, truth } = sim(s.opts);
    const committed = readFileSync(path);
    assert.ok(committed.length < 2_000_000, `${s.file} is ${committed.length} bytes`);
    assert.equal(sha(pcap), sha(committed));
    assert.equal(`${JSON.stringify(truth, null, 2)}\n`, readFileSync(truthPathFor(path), 'utf8'));
  });
}

test('injection knobs can be overridden from the library: a faster beacon over HTTP to a bare address', () => {
  const base = { seed: 11, start: '2026-03-05T10:00:00Z', hours: 1, hosts: 4, inject: ['beacon'] } as const;
  const slow = simulate(base).truth.entities[0]!;
  const fast = simulate({ ...base, params: { beacon: { interval_s: 30, jitter: 0.1, miss_rate: 0, transport: 'http', domain: null, ips: ['3.94.187.23'], port: 8080 } } }).truth.entities[0]!;
  // 1 h from 6 % in: (0.94 × 3600 s) / 140 s ≈ 24 beats by default, / 30 s ≈ 113 with no misses (± the random start).
  assert.ok(slow.count >= 18 && slow.count <= 26, `default: ${slow.count}`);
  assert.ok(fast.count >= 105 && fast.count <= 114, `fast: ${fast.count}`);
  assert.equal(fast.variant, 'http-ip');
  assert.deepEqual(fast.dst_ips, ['3.94.187.23']);
  assert.deepEqual(fast.dst_ports, [8080]);
});

test('diurnal rhythm: a working-hours hour carries far more traffic than a night hour or a Sunday', () => {
  const hour = (start: string): number => simulate({ seed: 5, start, hours: 1, hosts: 8, inject: [] }).truth.capture.packets;
  const day = hour('2026-03-04T10:00:00Z');
  const night = hour('2026-03-04T02:00:00Z');
  const sunday = hour('2026-03-08T10:00:00Z');
  assert.ok(night * 10 < day, `night ${night} vs day ${day}`);
  assert.ok(sunday * 2 < day, `sunday ${sunday} vs weekday ${day}`); // 8 % of people come in at weekends
});
