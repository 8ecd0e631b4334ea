// Allow-list parsing (YAML and JSON) and application before scoring.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllowList } from '../../src/findings/suppress.js';
import { detect } from '../../src/detect/index.js';
import type { FlowApp } from '../../src/app/records.js';
import type { ConnRecord } from '../../src/flow/conn.js';
import { conn, http, tls } from '../detect/synth.js';

const T0 = 1_700_000_000;

test('YAML and JSON forms parse to the same entries', () => {
  const y = parseAllowList('allow:\n  - cidr: 192.0.2.0/24\n    reason: backup\n  - domain: "*.Example.com"\n    reason: corp\n  - ja3: ABC\n    reason: agent\n');
  const j = parseAllowList(JSON.stringify({ allow: [{ cidr: '192.0.2.0/24', reason: 'backup' }, { domain: '*.Example.com', reason: 'corp' }, { ja3: 'ABC', reason: 'agent' }] }));
  assert.deepEqual(y, j);
  assert.deepEqual(y.entries.map((e) => [e.type, e.value]), [['cidr', '192.0.2.0/24'], ['domain', 'example.com'], ['ja3', 'abc']]);
});

test('bad entries get one-line errors', () => {
  assert.throws(() => parseAllowList('allow:\n  - cidr: 10.0.0.0/8\n'), /entry 1 has no reason/);
  assert.throws(() => parseAllowList('allow:\n  - cidr: 10.0.0.0/33\n    reason: x\n'), /entry 1: invalid CIDR prefix/);
  assert.throws(() => parseAllowList('allow:\n  - port: 80\n    reason: x\n'), /needs one of cidr, domain, ja3, ja4, ja4h/);
  assert.throws(() => parseAllowList('just text'), /expected a list/);
});

test('allowed flows never reach the detectors and are counted', () => {
  const conns: ConnRecord[] = [];
  const app = new Map<string, FlowApp>();
  for (let i = 0; i < 30; i++) {
    const c = conn({ ts: T0 + i * 60, resp_h: '192.0.2.10' });
    app.set(c.uid, { dns: [], tls: [tls(c, { server_name: 'update.example.com', ja3: 'abc' })], http: [http(c, { ja4h: 'ge11nn050000_c937b9d8d06e_000000000000_000000000000' })], ssh: [] });
    conns.push(c);
  }
  const plain = detect({ conns, app, baseline: null });
  assert.ok(plain.findings.some((f) => f.kinds.includes('beacon')));
  for (const text of ['[{"cidr": "192.0.2.0/24", "reason": "r"}]', '[{"domain": "example.com", "reason": "r"}]', '[{"ja3": "ABC", "reason": "r"}]', '[{"ja4h": "GE11NN050000_c937b9d8d06e_000000000000_000000000000", "reason": "r"}]']) {
    const res = detect({ conns, app, baseline: null, options: { allow: parseAllowList(text) } });
    assert.deepEqual(res.findings, [], text);
    assert.equal(res.suppressed.conns, 30);
    assert.equal(res.suppressed.entries[0]!.conns, 30);
  }
  const other = detect({ conns, app, baseline: null, options: { allow: parseAllowList('[{"ja4h": "po11nn050000_530ceba2075f_000000000000_000000000000", "reason": "r"}]') } });
  assert.equal(other.suppressed.conns, 0, 'a JA4H no request has suppresses nothing');
});
