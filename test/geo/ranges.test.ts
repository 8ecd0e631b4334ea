// Expected scopes: IANA IPv4/IPv6 Special-Purpose Address Registries (RFC 6890 and the RFCs cited per row).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIp, scopeOf } from '../../src/geo/ranges.js';

const cases: readonly [string, string][] = [
  ['8.8.8.8', 'public'],
  ['10.1.2.3', 'private'], // RFC 1918
  ['172.31.255.255', 'private'],
  ['172.32.0.1', 'public'], // just past 172.16/12
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'cgnat'], // RFC 6598
  ['100.128.0.1', 'public'], // just past 100.64/10
  ['127.0.0.1', 'loopback'],
  ['169.254.10.1', 'link-local'], // RFC 3927
  ['192.0.2.5', 'documentation'], // RFC 5737
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['198.18.0.1', 'reserved'], // RFC 2544 benchmarking
  ['224.0.0.251', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['0.0.0.0', 'reserved'],
  ['::1', 'loopback'],
  ['::', 'reserved'],
  ['fe80::1%eth0', 'link-local'],
  ['fd12:3456::1', 'private'], // RFC 4193 ULA
  ['ff02::fb', 'multicast'],
  ['2001:db8::1', 'documentation'], // RFC 3849
  ['3fff:1::1', 'documentation'], // RFC 9637
  ['2001:20::1', 'reserved'], // ORCHIDv2, RFC 7343
  ['2001:4860:4860::8888', 'public'],
  ['4000::1', 'reserved'], // outside 2000::/3 global unicast
  ['::ffff:10.0.0.1', 'private'], // IPv4-mapped takes its IPv4's scope
  ['::ffff:8.8.8.8', 'public'],
  ['64:ff9b::192.168.0.1', 'private'], // RFC 6052 NAT64
];

test('special-purpose ranges are labelled', () => {
  for (const [ip, scope] of cases) {
    const p = parseIp(ip);
    assert.ok(p !== null, ip);
    assert.equal(scopeOf(p), scope, ip);
  }
});

test('malformed addresses do not parse', () => {
  for (const bad of [
    '1.2.3', '256.1.1.1', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '<script>', '',
    '1.2.3.4.', '.1.2.3', '1..2.3', '1.2.3.4.5', '1234.1.1.1', '1.2.3.-4', '1.2.3.4x', '1.2.3.256', '\uff11.2.3.4', '1.2.3.\u0663',
  ]) {
    assert.equal(parseIp(bad), null, bad);
  }
  assert.deepEqual([...(parseIp('0.0.0.0')?.bytes ?? [])], [0, 0, 0, 0]);
  assert.deepEqual([...(parseIp('255.254.10.1')?.bytes ?? [])], [255, 254, 10, 1]);
  assert.deepEqual([...(parseIp('1:2:3:4:5:6:7:8')?.bytes ?? [])], [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
  assert.equal(parseIp('::ffff:1.2.3.4')?.v4, '1.2.3.4');
});
