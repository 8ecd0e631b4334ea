// ARP tally over real capture bytes: Slips test8-malicious (ARP who-has sweep of 192.168.1.0/24 by 192.168.1.247).
// Expected from LABELS.json verification (tshark): 255 distinct arp.dst.proto.ipv4 asked by 192.168.1.247.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readCaptures } from '../../src/capture/index.js';
import type { Packet } from '../../src/decode/layer.js';
import { decodePacket } from '../../src/decode/packet.js';
import { createArpTally } from '../../src/features/arp.js';
import { CAPTURES, SKIP_NO_SHARED } from '../shared.js';

test('ARP sweep of a /24 is tallied per sender', { skip: SKIP_NO_SHARED }, async () => {
  const arp = createArpTally();
  await readCaptures([join(CAPTURES, 'malicious', 'slips-test8-arp-scan.pcap')], { packet(p: Packet): void { decodePacket(p); arp.packet(p); } });
  const s = arp.sweeps().find((x) => x.src === '192.168.1.247');
  assert.ok(s !== undefined, JSON.stringify(arp.sweeps()));
  assert.equal(s.targets, 255);
});
