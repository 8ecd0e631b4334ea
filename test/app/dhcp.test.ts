/**
 * DHCP (dhcp.csv) against tshark: every DHCP message of the shared captures that carry DHCP, field by field (tshark's
 * dhcp.* fields and its own Community ID), in packet order. Then the simulated office of samples/: every DHCP exchange
 * names the host the ground truth gave that address and MAC. Then a fuzz of the parser on mutated real messages.
 * Skips without tshark / ../shared.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDhcp } from '../../src/app/dhcp/message.js';
import { createDhcpTally, linkDhcp } from '../../src/app/dhcp/tally.js';
import type { DhcpRecord } from '../../src/app/records.js';
import { readCaptures } from '../../src/capture/index.js';
import type { Packet } from '../../src/decode/layer.js';
import { decodePacket } from '../../src/decode/packet.js';
import { CAPTURES, PROJECT_ROOT, SKIP_NO_SHARED } from '../shared.js';
import { mutate, Rng } from './mutate.js';
import { runApp } from './run.js';

const HAVE_TSHARK = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;
const SKIP: string | false = SKIP_NO_SHARED || (HAVE_TSHARK ? false : 'tshark not installed (apt-get install tshark): DHCP oracle test skipped');

/** The captures of ../shared that carry DHCPv4 (MANIFEST.md: app/dhcp.pcap, the pcapng byte-order pair, …). */
const DHCP_CAPTURES = ['app/dhcp.pcap', 'format/dhcp_little_endian.pcapng', 'format/dhcp_big_endian.pcapng', 'tls/dhcp.pcapng', 'zeek-conn/dhcp.pcap'];

/** RFC 2132 §9.6 message types, typed from the RFC. */
const RFC2132_TYPES: Readonly<Record<string, string>> = { 1: 'DISCOVER', 2: 'OFFER', 3: 'REQUEST', 4: 'DECLINE', 5: 'ACK', 6: 'NAK', 7: 'RELEASE', 8: 'INFORM' };

const FIELDS = [
  'dhcp.id', 'dhcp.option.dhcp', 'dhcp.hw.mac_addr', 'dhcp.ip.client', 'dhcp.ip.your', 'dhcp.option.requested_ip_address',
  'dhcp.option.dhcp_server_id', 'dhcp.option.hostname', 'dhcp.option.domain_name', 'dhcp.option.ip_address_lease_time',
  'dhcp.option.vendor_class_id', 'dhcp.option.request_list_item', 'dhcp.option.router', 'dhcp.option.domain_name_server', 'communityid',
];

/** tshark's view of each DHCP message, as the dhcp.csv columns it corresponds to. */
function tsharkMessages(file: string): string[][] {
  const args = ['-n', '--enable-protocol', 'communityid', '-r', file, '-Y', 'dhcp', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', ...FIELDS.flatMap((f) => ['-e', f])];
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `tshark failed on ${file}: ${r.stderr}`);
  const addr = (a: string | undefined): string => (a === undefined || a === '0.0.0.0' ? '' : a);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => {
    const f = l.split('\t');
    return [
      `0x${(f[0] ?? '').replace(/^0x/, '').padStart(8, '0')}`, RFC2132_TYPES[f[1] ?? ''] ?? `type ${f[1]}`,
      // chaddr first; a second address is option 61's client identifier.
      (f[2] ?? '').split(',')[0]!, addr(f[3]), addr(f[4]), addr(f[5]), addr(f[6]), f[7] ?? '', f[8] ?? '', f[9] ?? '', f[10] ?? '', f[11] ?? '',
      f[12] ?? '', f[13] ?? '', f[14] ?? '',
    ];
  });
}

function nadRow(r: DhcpRecord): string[] {
  return [r.trans_id, r.msg_type, r.mac, r.client_addr, r.assigned_addr, r.requested_addr, r.server_addr, r.host_name, r.domain,
    r.lease_time === null ? '' : String(r.lease_time), r.client_software, r.param_list, r.routers.join(','), r.dns_servers.join(','), r.community_id];
}

async function dhcpOf(file: string): Promise<DhcpRecord[]> {
  const tally = createDhcpTally();
  await readCaptures([file], { packet(p: Packet): void { decodePacket(p); tally.packet(p); } });
  assert.deepEqual(tally.stats, { not_dhcp: 0, truncated: 0, dropped: 0 });
  return tally.records();
}

test('DHCP messages equal tshark, field by field, for every shared capture with DHCP', { skip: SKIP }, async (t) => {
  const present = DHCP_CAPTURES.filter((rel) => existsSync(join(CAPTURES, rel)));
  assert.ok(present.length >= 4, `found ${present.length} DHCP captures`);
  for (const rel of present) {
    await t.test(rel, async () => {
      const file = join(CAPTURES, rel);
      const want = tsharkMessages(file);
      assert.ok(want.length >= 4, `tshark shows ${want.length} DHCP messages`);
      assert.deepEqual((await dhcpOf(file)).map(nadRow), want);
    });
  }
});

test('DHCP messages are tied to their flows: the uid and ends of the flows.csv row of the same Community ID', { skip: SKIP_NO_SHARED }, async () => {
  const file = join(CAPTURES, 'app/dhcp.pcap');
  const run = await runApp(file);
  const linked = linkDhcp(await dhcpOf(file), run.conns);
  for (const r of linked) {
    const c = run.conns.find((x) => x.uid === r.uid);
    assert.ok(c, `message ${r.trans_id} ${r.msg_type} has a flow`);
    assert.equal(c.community_id, r.community_id);
    assert.deepEqual([r.orig_h, r.orig_p, r.resp_h, r.resp_p], [c.orig_h, c.orig_p, c.resp_h, c.resp_p]);
  }
});

test('samples/: every DHCP exchange names the host the ground truth gave that address and MAC', async () => {
  const truth = JSON.parse(readFileSync(join(PROJECT_ROOT, 'samples/suspect.truth.json'), 'utf8')) as { office: { hosts: { name: string; ip: string; mac: string }[] } };
  const records = await dhcpOf(join(PROJECT_ROOT, 'samples/suspect.pcap'));
  const acks = records.filter((r) => r.msg_type === 'ACK');
  assert.ok(acks.length >= 8, `${acks.length} ACKs`);
  for (const ack of acks) {
    const host = truth.office.hosts.find((h) => h.ip === ack.assigned_addr);
    assert.ok(host, `the ground truth has ${ack.assigned_addr}`);
    assert.equal(ack.mac, host.mac);
    const request = records.find((r) => r.msg_type === 'REQUEST' && r.trans_id === ack.trans_id);
    assert.equal(request?.host_name, host.name, `the REQUEST of ${ack.trans_id} names ${host.name}`);
    assert.equal(request?.requested_addr, host.ip);
  }
});

test('fuzz: mutated real DHCP messages never throw or loop', { skip: SKIP_NO_SHARED }, async () => {
  const seeds: Buffer[] = [];
  for (const rel of DHCP_CAPTURES.filter((r) => existsSync(join(CAPTURES, r)))) {
    await readCaptures([join(CAPTURES, rel)], {
      packet(p: Packet): void {
        decodePacket(p);
        if (p.ip_proto === 17 && (p.dst_port === 67 || p.dst_port === 68)) seeds.push(Buffer.from(p.buf.subarray(p.payload_off, p.payload_end)));
      },
    });
  }
  assert.ok(seeds.length >= 10, `${seeds.length} seeds`);
  const rng = new Rng(0x64686370);
  let parsed = 0;
  let rejected = 0;
  let cut = 0;
  const cases = Number(process.env['NAD_FUZZ_CASES'] ?? 100_000) / 5;
  for (let n = 0; n < cases; n++) {
    const data = mutate(rng, seeds[rng.below(seeds.length)]!, seeds[rng.below(seeds.length)]!);
    const m = parseDhcp(data, new DataView(data.buffer, data.byteOffset, data.byteLength), 0, data.length);
    if (m === null) rejected++;
    else { parsed++; if (!m.complete) cut++; }
  }
  assert.equal(parsed + rejected, cases);
  assert.ok(parsed > 0 && rejected > 0 && cut > 0, `parsed ${parsed}, rejected ${rejected}, cut short ${cut}`);
});
