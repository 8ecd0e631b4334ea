// `nad capture -i lo`: live capture through tcpdump on the loopback interface, analysed while it streams, the raw
// capture kept as evidence with its sha256 in summary.json. Skips with a message when capture is not permitted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { nadChild } from './run.js';

function captureAllowed(): string | false {
  const probe = spawnSync('tcpdump', ['-i', 'lo', '-c', '1', '-w', '/dev/null', '--immediate-mode', 'udp port 9'], { timeout: 1500, encoding: 'utf8' });
  if (probe.error && (probe.error as NodeJS.ErrnoException).code === 'ENOENT') return 'tcpdump is not installed: live capture test skipped';
  if (/permission|not permitted|Operation not permitted|You don't have/i.test(probe.stderr ?? '')) return `capture on lo is not permitted here: ${probe.stderr.trim()}`;
  return false;
}

test('nad capture -i lo -c N analyses loopback traffic and keeps the raw capture with its sha256', { skip: captureAllowed() }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-capture-'));
  const out = join(dir, 'report');
  const count = 20;
  const port = 40000 + (process.pid % 20000);
  const child = nadChild(['capture', '-i', 'lo', '-c', String(count), '-t', '60', '-f', `udp port ${port}`, '--out', out, '--quiet', '--no-geo']);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const sock = createSocket('udp4');
  // Send until nad's tcpdump has seen enough (it stops after -c packets); give it time to start first.
  let done = false;
  void exited.then(() => (done = true));
  for (let i = 0; i < 600 && !done; i++) {
    sock.send(Buffer.from(`probe ${i}`), port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 50));
  }
  sock.close();
  const code = await exited;
  assert.equal(code, 0, stderr);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { packets: number; evidence: { path: string; sha256: string } };
  assert.equal(summary.packets, count, 'exactly -c packets');
  assert.ok(existsSync(summary.evidence.path), 'raw capture kept');
  const sha = createHash('sha256').update(readFileSync(summary.evidence.path)).digest('hex');
  assert.equal(summary.evidence.sha256, sha);
  const flows = readFileSync(join(out, 'flows.csv'), 'utf8');
  assert.match(flows, new RegExp(`127\\.0\\.0\\.1,\\d+,127\\.0\\.0\\.1,${port},udp`));
});
