// Address classes and CIDR matching (RFC 1918, RFC 6598, RFC 4193; RFC 4291 text forms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, ipv4ToInt, ipv6ToGroups, isBroadcastOrMulticast, isInternal, parseCidr } from '../../src/features/address.js';

test('IPv4 and IPv6 text forms', () => {
  assert.equal(ipv4ToInt('192.168.1.1'), 0xc0a80101);
  assert.equal(ipv4ToInt('255.255.255.255'), 0xffffffff);
  for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '1..2.3', 'a.b.c.d', '1.2.3.1234', '']) assert.equal(ipv4ToInt(bad), null, bad);
  assert.deepEqual(ipv6ToGroups('2001:db8::1'), [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(ipv6ToGroups('::ffff:192.0.2.1'), [0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]);
  assert.equal(ipv6ToGroups('1::2::3'), null);
});

test('CIDR membership at prefix boundaries', () => {
  const c = parseCidr('172.16.0.0/12');
  assert.ok(cidrContains(c, '172.31.255.255'));
  assert.ok(!cidrContains(c, '172.32.0.0'));
  assert.ok(cidrContains(parseCidr('0.0.0.0/0'), '8.8.8.8'));
  assert.ok(cidrContains(parseCidr('fd00::/8'), 'fd12:3456::1'));
  assert.ok(!cidrContains(parseCidr('fd00::/8'), 'fe80::1'));
  assert.ok(!cidrContains(parseCidr('10.0.0.0/8'), 'fd00::1'));
  assert.throws(() => parseCidr('10.0.0.0/40'), /invalid CIDR prefix/);
});

test('internal and group addresses', () => {
  for (const ip of ['10.1.2.3', '172.20.0.1', '192.168.0.1', '100.64.0.1', '127.0.0.1', '169.254.1.1', 'fd00::1', 'fe80::1', '::1']) assert.ok(isInternal(ip), ip);
  for (const ip of ['8.8.8.8', '172.32.0.1', '2001:4860:4860::8888']) assert.ok(!isInternal(ip), ip);
  for (const ip of ['224.0.0.251', '239.255.255.250', '255.255.255.255', '192.168.1.255', 'ff02::fb']) assert.ok(isBroadcastOrMulticast(ip), ip);
  assert.ok(!isBroadcastOrMulticast('192.168.1.7'));
});
