// Destination names: SNI, then HTTP Host, then the client's own latest DNS answer for the address (RITA groups by FQDN).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NameIndex, ownName, stripPort } from '../../src/features/names.js';
import { conn, dns, http, NO_APP, tls } from '../detect/synth.js';

const T0 = 1_700_000_000;

test('SNI beats Host; a bare-IP Host is no name', () => {
  const c = conn({ ts: T0 });
  assert.equal(ownName({ ...NO_APP, tls: [tls(c, { server_name: 'Api.Example.COM.' })], http: [http(c, { host: 'other.example' })] }), 'api.example.com');
  assert.equal(ownName({ ...NO_APP, http: [http(c, { host: 'www.example.org:8080' })] }), 'www.example.org');
  assert.equal(ownName({ ...NO_APP, http: [http(c, { host: '82.118.225.196:7080' })] }), '');
  assert.equal(stripPort('[2001:db8::1]:443'), '2001:db8::1');
  assert.equal(stripPort('2001:db8::1'), '2001:db8::1');
});

test('DNS answers: the latest resolution at or before the connection, this client first', () => {
  const n = new NameIndex();
  const q1 = conn({ ts: T0, resp_h: '10.0.0.1', resp_p: 53, proto: 'udp' });
  const q2 = conn({ ts: T0 + 100, resp_h: '10.0.0.1', resp_p: 53, proto: 'udp' });
  const other = conn({ ts: T0 + 50, orig_h: '10.0.0.9', resp_h: '10.0.0.1', resp_p: 53, proto: 'udp' });
  n.add(q1, { ...NO_APP, dns: [dns(q1, 'first.example', 1, ['198.51.100.1'])] });
  n.add(q2, { ...NO_APP, dns: [dns(q2, 'second.example', 1, ['198.51.100.1'])] });
  n.add(other, { ...NO_APP, dns: [dns(other, 'elsewhere.example', 1, ['198.51.100.2'])] });
  n.seal();
  assert.equal(n.nameOf(conn({ ts: T0 + 10, resp_h: '198.51.100.1' })), 'first.example');
  assert.equal(n.nameOf(conn({ ts: T0 + 200, resp_h: '198.51.100.1' })), 'second.example');
  // Connected a moment before the answer was logged: the earliest answer still names it.
  assert.equal(n.nameOf(conn({ ts: T0 - 1, resp_h: '198.51.100.1' })), 'first.example');
  // Another client's resolution is the fallback.
  assert.equal(n.nameOf(conn({ ts: T0 + 60, resp_h: '198.51.100.2' })), 'elsewhere.example');
  assert.equal(n.nameOf(conn({ ts: T0, resp_h: '203.0.113.9' })), '');
});
