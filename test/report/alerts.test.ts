// alerts.jsonl: field names from the Elastic Common Schema reference (ecs 8.x field list); severities from Elastic's
// detection-rule convention (low 21, medium 47, high 73).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toEcs } from '../../src/report/alerts.js';
import { HOSTILE, fixture } from './fixture.js';

test('one ECS event per finding with ECS names', () => {
  const data = fixture({ hostile: true, geo: null });
  const events = data.findings.map((f) => toEcs(f, { version: '0.1.0', tls: data.tls, created: '2026-03-09T12:00:00.000Z' }));
  const lines = events.map((e) => JSON.stringify(e));
  for (const l of lines) assert.ok(!/[\u0000-\u001f]/.test(l), 'one line, control characters escaped by JSON');
  const [beacon, exfil, tunnel, scan] = events.map((e) => JSON.parse(JSON.stringify(e)) as Record<string, Record<string, unknown>>);
  assert.equal(beacon?.['event']?.['kind'], 'alert');
  assert.equal(beacon?.['event']?.['severity'], 73);
  assert.equal(tunnel?.['event']?.['severity'], 47);
  assert.equal(scan?.['event']?.['severity'], 21);
  assert.equal(beacon?.['source']?.['ip'], '10.0.0.23');
  assert.equal(beacon?.['destination']?.['ip'], '45.33.32.156');
  assert.equal(beacon?.['destination']?.['port'], 8443);
  assert.ok(String(beacon?.['destination']?.['domain']).includes(HOSTILE.script), 'kept verbatim: JSON needs no HTML escaping');
  assert.equal(beacon?.['rule']?.['name'], 'beacon');
  assert.equal(exfil?.['rule']?.['name'], 'exfil+anomaly');
  assert.equal(beacon?.['@timestamp'], new Date((1_772_000_000 + 30 - 1) * 1000).toISOString());
  assert.deepEqual((tunnel?.['dns'] as { question?: { name?: string } })?.question?.name, 'exfil-tunnel.xyz');
  assert.equal(scan?.['destination']?.['port'], undefined, 'a sweep has no single port: the field is absent, not null');
  assert.equal((beacon?.['nad'] as { rank?: number }).rank, 1);
});

test('tls.client.ja3 and server_name come from the finding’s flows', () => {
  const data = fixture({ hostile: false, geo: null });
  const tls = data.tls[0];
  assert.ok(tls);
  const f = { ...(data.findings[0] as (typeof data.findings)[number]), uids: [tls.uid] };
  const e = toEcs(f, { version: '0.1.0', tls: data.tls, created: '' }) as { tls?: { client?: { ja3?: string; server_name?: string } } };
  assert.equal(e.tls?.client?.ja3, tls.ja3);
  assert.equal(e.tls?.client?.server_name, tls.server_name);
});
