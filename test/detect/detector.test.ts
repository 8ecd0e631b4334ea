// Detector registry and custom detector modules (--detector PATH).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detect, loadDetectorModule } from '../../src/detect/index.js';
import { detectorIds } from '../../src/detect/detector.js';
import { conn } from './synth.js';

const HERE = dirname(fileURLToPath(import.meta.url));

test('built-in detectors are registered once, sorted', () => {
  assert.deepEqual(detectorIds(), ['anomaly', 'beacon', 'cleartext', 'dhcp', 'dns_tunnel', 'exfil', 'http', 'novelty', 'scan', 'tls']);
});

test('a custom detector module joins the run and its hits are ranked with the rest', async () => {
  const d = await loadDetectorModule(join(HERE, 'fixtures', 'port31337.ts'));
  assert.equal(d.id, 'port31337');
  const c = conn({ ts: 1_700_000_000, resp_p: 31337 });
  const res = detect({ conns: [c], app: new Map(), baseline: null, options: { detectors: [d] } });
  assert.equal(res.findings.length, 1);
  // The built-in novelty detector also notes the unidentified protocol on port 31337: 1 − (1 − 0.8)(1 − 0.25) = 0.85
  assert.deepEqual(res.findings[0]!.kinds, ['backdoor_port', 'novelty']);
  assert.equal(res.findings[0]!.score, 0.85);
  assert.equal(res.findings[0]!.severity, 'high');
  assert.deepEqual(res.findings[0]!.uids, [c.uid]);
  assert.equal(res.stats.hits_by_detector['port31337'], 1);
});

test('a module that is not a detector gets a one-line error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-det-'));
  try {
    const p = join(dir, 'bad.mjs');
    writeFileSync(p, 'export default { id: "x" };\n');
    await assert.rejects(loadDetectorModule(p), /default export is not a detector/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
