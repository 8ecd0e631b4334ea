/**
 * Edge selection: the key nad derives from a flows.csv row (connKeyWords) must be the key the flow table builds from
 * the row's packets (flow/key.ts buildKey), or edge packets would be lost; and merge refuses shards that are not
 * cuts of one capture.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCaptures } from '../../src/capture/index.js';
import type { Packet } from '../../src/decode/layer.js';
import { decodePacket } from '../../src/decode/packet.js';
import { buildKey, FlowKey } from '../../src/flow/key.js';
import { readAndAssemble } from '../../src/cli/analyze.js';
import { addrWords, connKeyWords, selectEdges, splitTs } from '../../src/scale/edge.js';
import { orderShards, readShard, type Shard } from '../../src/scale/merge.js';
import { SHARD_FORMAT, type ShardMeta } from '../../src/scale/shard.js';
import { PROJECT_ROOT } from '../shared.js';

test('addrWords: dotted quads and RFC 5952 IPv6 text (words computed by hand from RFC 4291 §2.2 forms)', () => {
  const cases: [string, number[]][] = [
    ['10.0.0.1', [0x0a000001, 0, 0, 0]],
    ['255.255.255.255', [0xffffffff, 0, 0, 0]],
    ['2001:db8::1', [0x20010db8, 0, 0, 1]],
    ['::', [0, 0, 0, 0]],
    ['fe80::1:2', [0xfe800000, 0, 0, 0x00010002]],
    ['::ffff:192.0.2.1', [0, 0, 0xffff, 0xc0000201]],
    ['1:2:3:4:5:6:7:8', [0x00010002, 0x00030004, 0x00050006, 0x00070008]],
  ];
  for (const [text, words] of cases) assert.deepEqual(addrWords(text), words, text);
});

test('splitTs keeps all nine fraction digits', () => {
  assert.deepEqual(splitTs('1773043424.176739000'), [1773043424, 176739000]);
  assert.deepEqual(splitTs('5.000000001'), [5, 1]);
});

test('every packet of samples/suspect.pcap has the key of one flows.csv row, and the other way round', async () => {
  const path = join(PROJECT_ROOT, 'samples', 'suspect.pcap');
  const data = await readAndAssemble([path], { flow: {}, app: false });
  const fromConns = new Set(data.conns.map((c) => Array.from(connKeyWords(c)).join(',')));
  const fromPackets = new Set<string>();
  const k = new FlowKey();
  await readCaptures([path], {
    packet(p: Packet): void {
      decodePacket(p);
      if (p.ip_version === 0) return;
      buildKey(k, p, p.frag_off > 0);
      fromPackets.add(Array.from(k.w).join(','));
    },
  });
  assert.ok(fromConns.size > 100);
  assert.deepEqual([...fromPackets].sort(), [...fromConns].sort());
});

test('selectEdges: open at the end, or the 5-tuple first seen within the window (with its later flows)', () => {
  const row = (ts: string, uid: string, orig_p: number, end_reason: 'idle' | 'end') =>
    ({ ts, uid, orig_h: '10.0.0.1', orig_p, resp_h: '10.0.0.2', resp_p: 53, ip_proto: 17, end_reason }) as Parameters<typeof selectEdges>[0][number];
  const conns = [
    row('1000.000000000', 'early', 1111, 'idle'), // first seen at the shard's start: may continue a flow of the previous shard
    row('1200.000000000', 'early-again', 1111, 'idle'), // same 5-tuple later: its split point depends on the first
    row('1400.000000000', 'middle', 2222, 'idle'), // first seen after the window: final
    row('1500.000000000', 'open', 2222, 'end'), // still open at the end
  ];
  const sel = selectEdges(conns, [1000, 0], 300);
  assert.deepEqual([...sel.uids].sort(), ['early', 'early-again', 'open']);
  assert.deepEqual([...sel.from.values()].sort(), [[-Infinity, 0], [1500, 0]]);
});

function shard(dir: string, first: string, last: string, tcp = 300): Shard {
  const meta = { format: SHARD_FORMAT, first_ts: first, last_ts: last, flow: { tcp_idle_s: tcp, udp_idle_s: 60, icmp_idle_s: 60, active_timeout_s: 3600 }, app: true } as ShardMeta;
  return { dir, meta };
}

test('orderShards: time order; overlapping ranges and mixed timeouts are refused', () => {
  const a = shard('a', '100.000000000', '199.000000000'), b = shard('b', '200.000000000', '299.000000000');
  assert.deepEqual(orderShards([b, a]).map((s) => s.dir), ['a', 'b']);
  assert.throws(() => orderShards([a, shard('c', '150.000000000', '250.000000000')]), /before a ends .*disjoint time ranges/);
  assert.throws(() => orderShards([a, shard('d', '300.000000000', '400.000000000', 600)]), /other timeouts/);
  assert.throws(() => orderShards([]), /no shard directory/);
});

test('readShard: a directory without shard.json, or with files missing, is a usage error naming what is missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-scale-shard-'));
  try {
    assert.throws(() => readShard(dir), /not a shard directory/);
    // Older shards (format 1 before http gained ja4h, 2 before dhcp.parquet) are refused by name, not misread.
    for (const old of [1, 2]) {
      writeFileSync(join(dir, 'shard.json'), JSON.stringify({ format: old, edge_files: [] }));
      assert.throws(() => readShard(dir), new RegExp(`shard format ${old}, this nad reads ${SHARD_FORMAT}`));
    }
    writeFileSync(join(dir, 'shard.json'), JSON.stringify({ format: SHARD_FORMAT, edge_files: [{ file: 'edge-1.pcap', linktype: 1, packets: 3 }] }));
    assert.throws(() => readShard(dir), /incomplete shard \(missing flows.parquet, dns.parquet, tls.parquet, http.parquet, ssh.parquet, ftp.parquet, smtp.parquet, credentials.parquet, arp.parquet, dhcp.parquet, edge-1.pcap\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
