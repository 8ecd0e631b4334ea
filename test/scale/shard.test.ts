/**
 * Shards: a capture cut into 3 time slices by `editcap -i` (Wireshark's splitter: nad does not choose the cuts), each
 * analysed apart with --shard, then `nad merge`d, must give the flows, app records and findings of one run over the
 * whole capture. The Parquet tables must be readable by DuckDB with the documented schema; a GROUP BY over them is
 * checked against tshark's per-protocol packet counts of the same slice.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parquetMetadata, parquetSchema } from 'hyparquet';
import { openDuck, readParquet } from '../../src/scale/duck.js';
import { FLOW_TABLE } from '../../src/scale/schema.js';
import { stitchEdgeFlowsSql } from '../../src/scale/stitch.js';
import { PROJECT_ROOT } from '../shared.js';
import { nad } from '../cli/run.js';

const SUSPECT = join(PROJECT_ROOT, 'samples', 'suspect.pcap');
const DUCKDB = '@duckdb/node-api';
const HAVE_DUCKDB = await import(DUCKDB).then(() => true, () => false);
const HAVE_TOOLS = HAVE_DUCKDB && spawnSync('editcap', ['-h']).status === 0 && spawnSync('tshark', ['-v']).status === 0;
const SKIP = HAVE_TOOLS ? false : 'editcap/tshark or the optional @duckdb/node-api not installed';
const tmp = mkdtempSync(join(tmpdir(), 'nad-scale-shard-'));
const slices = join(tmp, 'slices');
const env = { SOURCE_DATE_EPOCH: '1700000000' };
const COMMON = ['--no-geo', '--no-report', '-q', '--force'];
let shardDirs: string[] = [];
let sliceFiles: string[] = [];

after(() => rmSync(tmp, { recursive: true, force: true }));

before(() => {
  if (!HAVE_TOOLS) return;
  spawnSync('mkdir', ['-p', slices]);
  // 4 h capture, 4800 s slices → 3 files; beacons, DNS and long TCP sessions run across both cuts.
  assert.equal(spawnSync('editcap', ['-i', '4800', SUSPECT, join(slices, 'suspect.pcap')]).status, 0);
  sliceFiles = readdirSync(slices).sort().map((f) => join(slices, f));
  assert.equal(sliceFiles.length, 3);
  shardDirs = sliceFiles.map((f, i) => {
    const dir = join(tmp, `shard${i}`);
    const r = nad(['analyze', f, '--shard', '-o', dir, ...COMMON], { env });
    assert.equal(r.status, 0, r.stderr);
    return dir;
  });
});

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n');
}

test('3 time shards analysed apart and merged = the whole capture analysed at once', { skip: SKIP }, () => {
  const whole = nad(['analyze', SUSPECT, '-o', join(tmp, 'whole'), ...COMMON], { env });
  assert.equal(whole.status, 0, whole.stderr);
  // Shards given out of order: merge puts them in time order.
  const merged = nad(['merge', shardDirs[2]!, shardDirs[0]!, shardDirs[1]!, '-o', join(tmp, 'merged'), ...COMMON], { env });
  assert.equal(merged.status, 0, merged.stderr);
  const edges = shardDirs.map((d) => (JSON.parse(readFileSync(join(d, 'shard.json'), 'utf8')) as { edge_flows: number }).edge_flows);
  assert.ok(edges[1]! > 0 && edges[2]! > 0, `edge flows per shard: ${edges.join(' ')}`);
  // Findings byte for byte. flows/app CSVs: the same rows; the whole run writes flows in expiry order, merge in (ts, uid) order.
  assert.equal(readFileSync(join(tmp, 'merged', 'findings.csv'), 'utf8'), readFileSync(join(tmp, 'whole', 'findings.csv'), 'utf8'));
  for (const name of ['flows.csv', 'dns.csv', 'tls.csv', 'http.csv', 'ssh.csv', 'dhcp.csv']) {
    const a = lines(join(tmp, 'merged', name)), b = lines(join(tmp, 'whole', name));
    assert.equal(a[0], b[0], `${name} header`);
    assert.deepEqual(a.slice(1).sort(), b.slice(1).sort(), name);
  }
  // The shards alone would not do: their own flows.csv rows differ from the whole run at the cuts.
  const separate = shardDirs.flatMap((d) => lines(join(d, 'flows.csv')).slice(1)).filter((l) => l !== '').sort();
  assert.notDeepEqual(separate, lines(join(tmp, 'whole', 'flows.csv')).slice(1).filter((l) => l !== '').sort());
});

test('flows.parquet has the documented schema (hyparquet) and DuckDB GROUP BY matches tshark per-protocol counts', { skip: SKIP }, async () => {
  const file = readFileSync(join(shardDirs[0]!, 'flows.parquet'));
  const ab = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
  const schema = parquetSchema(parquetMetadata(ab));
  assert.deepEqual(schema.children.map((c) => c.element.name), FLOW_TABLE.map((c) => c.name));

  // tshark: IP packets of the first slice by protocol (first ip.proto of the frame: ICMP errors carry an inner one).
  const ts = spawnSync('tshark', ['-r', sliceFiles[0]!, '-T', 'fields', '-e', 'ip.proto', '-e', 'ipv6.nxt'], { encoding: 'utf8' });
  const expected = new Map<number, number>();
  for (const line of ts.stdout.split('\n')) {
    const [v4 = '', v6 = ''] = line.split('\t');
    const proto = (v4 || v6).split(',')[0];
    if (proto) expected.set(Number(proto), (expected.get(Number(proto)) ?? 0) + 1);
  }
  const duck = await openDuck();
  try {
    const rows = await duck.rows(
      `SELECT ip_proto, SUM(orig_pkts + resp_pkts) AS packets, COUNT(*) AS flows FROM ${readParquet([join(shardDirs[0]!, 'flows.parquet')])} GROUP BY ip_proto ORDER BY ip_proto`,
    );
    assert.deepEqual(new Map(rows.map((r) => [Number(r['ip_proto']), Number(r['packets'])])), expected);
    const types = await duck.rows(`DESCRIBE SELECT * FROM ${readParquet(shardDirs.map((d) => join(d, 'flows.parquet')))}`);
    const want: Record<string, string> = { STRING: 'VARCHAR', JSON: 'VARCHAR', INT64: 'BIGINT', DOUBLE: 'DOUBLE', BOOLEAN: 'BOOLEAN' };
    assert.deepEqual(types.map((t) => [t['column_name'], t['column_type']]), FLOW_TABLE.map((c) => [c.name, want[c.type]]));
  } finally {
    duck.close();
  }
});

test('SQL-only stitching (for engines without nad): the uids and packet totals of the flows that cross the cuts', { skip: SKIP }, async () => {
  // The whole run's flows that are not final rows of a shard are the ones that cross a cut.
  const duck = await openDuck();
  try {
    const flows = readParquet(shardDirs.map((d) => join(d, 'flows.parquet')));
    const final = new Set((await duck.rows(`SELECT uid FROM ${flows} WHERE NOT edge`)).map((r) => String(r['uid'])));
    const whole = lines(join(tmp, 'whole', 'flows.csv')).slice(1).filter((l) => l !== '').map((l) => l.split(','));
    // flows.csv: uid is column 1, orig_pkts 18, resp_pkts 20.
    const crossing = new Map(whole.filter((r) => !final.has(r[1]!)).map((r) => [r[1]!, Number(r[18]) + Number(r[20])]));
    assert.ok(crossing.size > 20, `${crossing.size} flows cross the cuts`);
    const stitched = await duck.rows(stitchEdgeFlowsSql(flows));
    assert.deepEqual(new Map(stitched.map((r) => [String(r['uid']), Number(r['pkts'])])), crossing);
  } finally {
    duck.close();
  }
});
