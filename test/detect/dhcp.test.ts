// The second-DHCP-server check on hand-built exchanges (RFC 2131: servers answer with OFFER/ACK carrying their server
// identifier, option 54; options 3 and 6 give the gateway and DNS servers). Scores as the detector documents them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContext } from '../../src/detect/detector.js';
import { createDhcpDetector } from '../../src/detect/dhcp.js';
import { NameIndex } from '../../src/features/names.js';
import { severityOf } from '../../src/findings/severity.js';
import { dhcpMsg } from './synth.js';

function hits(records: ReturnType<typeof dhcpMsg>[]) {
  const names = new NameIndex();
  names.seal();
  const d = createDhcpDetector();
  return d.finish(createContext({ conns: [], names, dhcp: records }));
}

const ack = (server: string, mac: string, ip: string, routers: string[], dns: string[]) =>
  dhcpMsg({ msg_type: 'ACK', trans_id: `0x${mac.slice(-2)}`, mac, assigned_addr: ip, server_addr: server, routers, dns_servers: dns });

test('one DHCP server, however many clients and messages: no finding', () => {
  const recs = Array.from({ length: 20 }, (_, i) => ack('10.0.0.1', `aa:aa:aa:aa:aa:${(10 + i).toString(16)}`, `10.0.0.${50 + i}`, ['10.0.0.1'], ['10.0.0.1']));
  assert.deepEqual(hits(recs), []);
});

test('a second server with the same gateway and DNS is low; one that gives another gateway is medium', () => {
  const main = Array.from({ length: 5 }, (_, i) => ack('10.0.0.1', `aa:aa:aa:aa:aa:0${i}`, `10.0.0.${50 + i}`, ['10.0.0.1'], ['10.0.0.1', '10.0.0.2']));
  // A failover partner: same options.
  const partner = [ack('10.0.0.3', 'bb:bb:bb:bb:bb:01', '10.0.0.80', ['10.0.0.1'], ['10.0.0.2'])];
  const low = hits([...main, ...partner]);
  assert.equal(low.length, 1);
  assert.equal(low[0]!.src, '10.0.0.3');
  assert.equal(severityOf(low[0]!.score), 'low');
  assert.match(low[0]!.reason, /^10\.0\.0\.3 answered DHCP for 1 client beside 10\.0\.0\.1 \(5\): a second DHCP server/);
  // A rogue server that makes itself the clients' gateway and resolver.
  const rogue = [
    ack('10.0.0.66', 'cc:cc:cc:cc:cc:01', '10.0.0.90', ['10.0.0.66'], ['10.0.0.66']),
    dhcpMsg({ msg_type: 'OFFER', trans_id: '0x99', mac: 'cc:cc:cc:cc:cc:02', assigned_addr: '10.0.0.91', server_addr: '10.0.0.66', routers: ['10.0.0.66'], dns_servers: ['10.0.0.66'] }),
  ];
  const found = hits([...main, ...partner, ...rogue]);
  assert.deepEqual(found.map((h) => [h.src, severityOf(h.score)]), [['10.0.0.66', 'medium'], ['10.0.0.3', 'low']]);
  const r = found[0]!;
  assert.equal(r.evidence.find((e) => e.name === 'clients_answered')?.value, 2);
  assert.equal(r.evidence.find((e) => e.name === 'routers')?.value, '10.0.0.66');
  assert.equal(r.evidence.find((e) => e.name === 'main_server_routers')?.value, '10.0.0.1');
  assert.match(r.reason, /giving them gateway 10\.0\.0\.66 and DNS 10\.0\.0\.66 where 10\.0\.0\.1 gives 10\.0\.0\.1 and 10\.0\.0\.1 10\.0\.0\.2: what a rogue DHCP server does\.$/);
  assert.ok(r.span, 'no flows given: the span of its messages');
});
