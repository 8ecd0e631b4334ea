// Detectors on real captures, checked against the tshark counts recorded in ../shared/captures/malicious/LABELS.json
// (verification.events / distinct counts, recomputed from the files by the corpus build script, not by nad).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appByUid, readAndAssemble } from '../../src/cli/analyze.js';
import { createArpTally, detect } from '../../src/detect/index.js';
import { readCaptures } from '../../src/capture/index.js';
import { decodePacket } from '../../src/decode/packet.js';
import type { Packet } from '../../src/decode/layer.js';
import { CAPTURES, SKIP_NO_SHARED } from '../shared.js';

interface Label { id: string; verification: { events: number } }
function label(id: string): Label {
  const all = JSON.parse(readFileSync(join(CAPTURES, 'malicious', 'LABELS.json'), 'utf8')) as { captures: { labels?: Label[] }[] };
  return all.captures.flatMap((c) => c.labels ?? []).find((l) => l.id === id)!;
}

async function run(file: string, arp = false): Promise<ReturnType<typeof detect>> {
  const path = join(CAPTURES, 'malicious', file);
  const data = await readAndAssemble([path], { flow: {}, app: true });
  const tally = createArpTally();
  if (arp) await readCaptures([path], { packet(p: Packet): void { decodePacket(p); tally.packet(p); } });
  return detect({ conns: data.conns, app: appByUid(data), baseline: null, arp: tally.sweeps() });
}

const ev = (f: { evidence: { name: string; value: number | string }[] }, name: string): number | string | undefined =>
  f.evidence.find((e) => e.name === name)?.value;

test('dnscat2 (dmachard): 12 distinct query names under biillpi.com', { skip: SKIP_NO_SHARED }, async () => {
  const res = await run('dmachard-dnscat2.pcap');
  const f = res.findings[0]!;
  assert.equal(f.name, 'biillpi.com');
  assert.equal(ev(f, 'dns_tunnel.unique_subdomains'), label('dnscat2-small').verification.events); // tshark: 12
});

test('nmap SYN scan: 1000 distinct destination ports', { skip: SKIP_NO_SHARED }, async () => {
  const res = await run('ndpi-synscan-nmap.pcap');
  const f = res.findings[0]!;
  assert.deepEqual(f.kinds, ['scan']);
  assert.equal(ev(f, 'scan.distinct_ports'), 1000); // LABELS.json: "1000 distinct tcp.dstport"
});

test('Slips test-cc-1: one check-in per connection, about every 2.2 s', { skip: SKIP_NO_SHARED }, async () => {
  const res = await run('slips-test-cc-capture-1_https-beacon-2s.pcap');
  const f = res.findings[0]!;
  assert.equal(f.name, 'testing.com');
  assert.equal(f.flow_count, label('cc1-beacon').verification.events); // tshark: 299 SYNs
  // tshark interval median 2.204 s; nad's period is the median gap between connection starts.
  assert.ok(Math.abs(Number(ev(f, 'beacon.interval_median_s')) - 2.204) < 0.01);
});

test('ARP sweep (Slips test8): 255 addresses asked', { skip: SKIP_NO_SHARED }, async () => {
  const res = await run('slips-test8-arp-scan.pcap', true);
  const f = res.findings.find((x) => x.src === '192.168.1.247')!;
  assert.equal(ev(f, 'scan.distinct_hosts'), 255); // LABELS.json: "255 distinct arp.dst.proto.ipv4"
});
