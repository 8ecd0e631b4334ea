// The CI gate and the extension points, from the command line: a custom detector module (--detector), the allow-list
// (--allow) counted in summary.json, --fail-on exit codes, a model from another schema version refused with one line.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { nad } from './run.js';
import { udpCapture } from './pcap_fixture.js';

/** The README's example detector: flags every flow to UDP port 9999 (the fixture's only service port). */
const DETECTOR = `
export default function createDetector() {
  const hits = [];
  return {
    id: 'port9999',
    observe(conn) {
      if (conn.proto === 'udp' && conn.resp_p === 9999) hits.push(conn);
    },
    finish() {
      if (hits.length === 0) return [];
      return [{
        detector: 'port9999', kind: 'policy', src: hits[0].orig_h, dst: hits[0].resp_h, dst_port: 9999, proto: 'udp',
        name: '', score: 0.8, conns: hits, evidence: [{ name: 'flows', value: hits.length }],
        reason: 'Traffic to UDP 9999, which policy forbids.',
      }];
    },
  };
}
`;

function setup(): { dir: string; cap: string; det: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nad-gate-'));
  const cap = join(dir, 'in.pcap');
  writeFileSync(cap, udpCapture(12, 3));
  const det = join(dir, 'port9999.mjs');
  writeFileSync(det, DETECTOR);
  return { dir, cap, det };
}

interface Summary {
  findings: { kinds: string[]; severity: string; src: string; dst: string; flow_count: number }[];
  detection: { suppressed: { conns: number } };
}

test('a custom detector module adds its finding; --fail-on turns it into exit 1', () => {
  const { dir, cap, det } = setup();
  const args = ['analyze', cap, '--detector', det, '--quiet', '--no-geo', '--no-report'];
  const low = nad([...args, '--out', join(dir, 'a')]);
  assert.equal(low.status, 0, low.stderr);
  const s = JSON.parse(readFileSync(join(dir, 'a', 'summary.json'), 'utf8')) as Summary;
  const mine = s.findings.find((f) => f.kinds.includes('policy'));
  assert.ok(mine, 'custom finding present');
  assert.equal(mine.severity, 'high', 'score 0.8 is high (cut-off 0.75)');
  assert.equal(mine.flow_count, 3);
  assert.equal(nad([...args, '--out', join(dir, 'b'), '--fail-on', 'high']).status, 1);
  assert.equal(nad([...args, '--out', join(dir, 'c'), '--fail-on', 'medium']).status, 1);
});

test('--allow suppresses before scoring and the suppression is counted', () => {
  const { dir, cap, det } = setup();
  const allow = join(dir, 'allow.yaml');
  writeFileSync(allow, 'allow:\n  - cidr: 10.0.0.2/32\n    reason: lab sink\n');
  const r = nad(['analyze', cap, '--detector', det, '--allow', allow, '--out', join(dir, 'a'), '--quiet', '--no-geo', '--no-report', '--fail-on', 'low']);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(readFileSync(join(dir, 'a', 'summary.json'), 'utf8')) as Summary;
  assert.equal(s.findings.length, 0);
  assert.equal(s.detection.suppressed.conns, 3);
});

test('a broken detector module, a bad allow-list and a foreign model are one line each, exit 2', () => {
  const { dir, cap } = setup();
  const bad = join(dir, 'bad.mjs');
  writeFileSync(bad, 'export default 42;\n');
  const noReason = join(dir, 'allow.json');
  writeFileSync(noReason, JSON.stringify({ allow: [{ cidr: '10.0.0.0/8' }] }));
  const model = join(dir, 'model.json');
  writeFileSync(model, JSON.stringify({ schema: 'nad-baseline', schema_version: 999 }));
  for (const extra of [['--detector', bad], ['--allow', noReason], ['--baseline', model]]) {
    const r = nad(['analyze', cap, ...extra, '--out', join(dir, extra[0]!.slice(2)), '--quiet', '--no-geo']);
    assert.equal(r.status, 2, `${extra.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^nad: /);
  }
});

test('--alert-log appends each run\'s alerts at --alert-level and up; an alert log that cannot be written is one line, exit 2', () => {
  // The custom detector's finding is high (0.8); the ECS alerts of a run are in its alerts.jsonl, the long-lived log
  // must gain exactly those lines per run (appended, never replaced).
  const { dir, cap, det } = setup();
  const log = join(dir, 'alerts.log');
  writeFileSync(log, '{"earlier":"line"}\n');
  const args = ['analyze', cap, '--detector', det, '--quiet', '--no-geo', '--no-report', '--alert-log', log];
  assert.equal(nad([...args, '--out', join(dir, 'r1')]).status, 0);
  assert.equal(nad([...args, '--out', join(dir, 'r2'), '--alert-level', 'high']).status, 0);
  const run1 = readFileSync(join(dir, 'r1', 'alerts.jsonl'), 'utf8');
  const run2 = readFileSync(join(dir, 'r2', 'alerts.jsonl'), 'utf8');
  assert.ok(run1 !== '' && run2 !== '', 'both runs alerted');
  assert.equal(readFileSync(log, 'utf8'), `{"earlier":"line"}\n${run1}${run2}`);
  for (const line of run2.trim().split('\n')) {
    const a = JSON.parse(line) as { event: { severity: number } };
    assert.ok(a.event.severity >= 73, 'only high alerts at --alert-level high (ECS severity 73)');
  }
  const bad = nad([...args, '--out', join(dir, 'r3'), '--alert-log', join(dir, 'no', 'such', 'dir', 'alerts.log')]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^nad: .*no\/such\/dir\/alerts\.log: no such directory \(after 0 bytes\)\n$/);
});
