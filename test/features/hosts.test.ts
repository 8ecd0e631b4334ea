// DHCP host inventory: addresses named by what the client sent in the exchange that gave it the address (RFC 2131
// §3.1: DISCOVER/REQUEST carry the client's option 12, the server's ACK yiaddr the address). Expected values typed by
// hand from the records; then samples/ against the simulator's ground truth.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hostInventory } from '../../src/features/hosts.js';
import { nad } from '../cli/run.js';
import { dhcpMsg } from '../detect/synth.js';
import { PROJECT_ROOT } from '../shared.js';

const msg = dhcpMsg;

test('host inventory: the client\'s name in the exchange that gave the address; two holders are both named', () => {
  const inv = hostInventory([
    msg({ msg_type: 'DISCOVER', trans_id: '0x1', mac: 'aa:aa:aa:aa:aa:01', host_name: 'alpha', client_software: 'MSFT 5.0' }),
    msg({ msg_type: 'OFFER', trans_id: '0x1', mac: 'aa:aa:aa:aa:aa:01', assigned_addr: '10.0.0.10' }),
    msg({ msg_type: 'REQUEST', trans_id: '0x1', mac: 'aa:aa:aa:aa:aa:01', requested_addr: '10.0.0.10' }),
    msg({ msg_type: 'ACK', trans_id: '0x1', mac: 'aa:aa:aa:aa:aa:01', assigned_addr: '10.0.0.10' }),
    // Another client's exchange that was not acknowledged names nothing.
    msg({ msg_type: 'REQUEST', trans_id: '0x2', mac: 'aa:aa:aa:aa:aa:02', host_name: 'ghost', requested_addr: '10.0.0.11' }),
    msg({ msg_type: 'NAK', trans_id: '0x2', mac: 'aa:aa:aa:aa:aa:02' }),
    // A static host reports itself with INFORM (ciaddr); option 81's FQDN when it sends no option 12.
    msg({ msg_type: 'INFORM', trans_id: '0x3', mac: 'aa:aa:aa:aa:aa:03', client_addr: '10.0.0.9', client_fqdn: 'printer.lan' }),
    // Later the first address goes to another machine.
    msg({ msg_type: 'REQUEST', trans_id: '0x4', mac: 'aa:aa:aa:aa:aa:04', host_name: 'beta', requested_addr: '10.0.0.10' }),
    msg({ msg_type: 'ACK', trans_id: '0x4', mac: 'aa:aa:aa:aa:aa:04', assigned_addr: '10.0.0.10' }),
  ]);
  assert.equal(inv.nameOf('10.0.0.10'), 'alpha / beta');
  assert.equal(inv.nameOf('10.0.0.11'), '');
  assert.equal(inv.nameOf('10.0.0.9'), 'printer.lan');
  assert.deepEqual(inv.list().map((h) => [h.ip, h.names, h.mac, h.client_software]), [
    ['10.0.0.9', ['printer.lan'], 'aa:aa:aa:aa:aa:03', ''],
    ['10.0.0.10', ['alpha', 'beta'], 'aa:aa:aa:aa:aa:04', 'MSFT 5.0'],
  ]);
});

test('samples/: every finding whose source the ground truth names carries that host name (findings.csv src_host)', () => {
  const truth = JSON.parse(readFileSync(join(PROJECT_ROOT, 'samples/suspect.truth.json'), 'utf8')) as { office: { hosts: { name: string; ip: string }[] } };
  const dir = mkdtempSync(join(tmpdir(), 'nad-hosts-'));
  try {
    const r = nad(['analyze', join(PROJECT_ROOT, 'samples/suspect.pcap'), '--quiet', '--no-report', '--no-geo', '--out', join(dir, 'out')]);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8')) as { findings: { src: string; src_host: string }[]; hosts: { ip: string; names: string[] }[] };
    const byIp = new Map(truth.office.hosts.map((h) => [h.ip, h.name]));
    let named = 0;
    for (const f of summary.findings) {
      const want = byIp.get(f.src);
      if (want === undefined) continue;
      // A host that did not renew its lease in the capture has no DHCP exchange to be named by.
      if (f.src_host === '') continue;
      assert.equal(f.src_host, want, f.src);
      named++;
    }
    assert.ok(named >= 5, `${named} findings named`);
    for (const h of summary.hosts) assert.deepEqual(h.names, [byIp.get(h.ip)], h.ip);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
