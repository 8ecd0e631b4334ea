/**
 * Rotated files: a capture split with `editcap -c` (Wireshark's own splitter, so the cut points are not nad's) and
 * given as a directory must give the same flows.csv and findings.csv as the whole file (flows crossing the cuts stay one).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { expandCaptureArgs, naturalCompare } from '../../src/scale/inputs.js';
import { PROJECT_ROOT } from '../shared.js';
import { nad } from '../cli/run.js';

const SUSPECT = join(PROJECT_ROOT, 'samples', 'suspect.pcap');
const tmp = mkdtempSync(join(tmpdir(), 'nad-scale-inputs-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const HAVE_EDITCAP = spawnSync('editcap', ['-h']).status === 0;

/** First packet time of a capture, from capinfos (epoch seconds). */
function firstTs(path: string): number {
  const r = spawnSync('capinfos', ['-T', '-r', '-S', '-a', path], { encoding: 'utf8' });
  return Number(r.stdout.trim().split('\t')[1]);
}

test('natural order: cap9 before cap10', () => {
  assert.deepEqual(['cap10', 'cap9', 'cap1'].sort(naturalCompare), ['cap1', 'cap9', 'cap10']);
});

test('a directory expands to its capture files only; a quoted pattern to the files it matches', () => {
  const dir = join(tmp, 'expand');
  spawnSync('mkdir', ['-p', dir]);
  spawnSync('editcap', ['-c', '6000', SUSPECT, join(dir, 'part.pcap')]);
  spawnSync('sh', ['-c', `echo not a capture > ${join(dir, 'notes.txt')}`]);
  const files = expandCaptureArgs([dir]);
  assert.equal(files.length, 3);
  assert.ok(files.every((f) => f.endsWith('.pcap')));
  assert.deepEqual(expandCaptureArgs([join(dir, 'part_*.pcap')]), files);
  assert.throws(() => expandCaptureArgs([join(dir, 'none_*.pcap')]), /matches no capture file/);
});

test('analyze DIR equals analyze of the whole capture (flows.csv, findings.csv byte for byte)', { skip: HAVE_EDITCAP ? false : 'editcap not installed' }, () => {
  const dir = join(tmp, 'rotated');
  spawnSync('mkdir', ['-p', dir]);
  // 16k packets over 4 h → three files; beacons and long TCP sessions cross both cuts.
  assert.equal(spawnSync('editcap', ['-c', '6000', SUSPECT, join(dir, 'suspect.pcap')]).status, 0);
  assert.equal(readdirSync(dir).length, 3);
  const env = { SOURCE_DATE_EPOCH: '1700000000' };
  const common = ['--no-geo', '--no-report', '-q', '--force'];
  const whole = nad(['analyze', SUSPECT, '-o', join(tmp, 'whole'), ...common], { env });
  assert.equal(whole.status, 0, whole.stderr);
  const split = nad(['analyze', dir, '-o', join(tmp, 'split'), ...common], { env });
  assert.equal(split.status, 0, split.stderr);
  // The test means something only if flows cross a cut: first packet before a file's start, last packet after it.
  const cuts = readdirSync(dir).sort().slice(1).map((f) => firstTs(join(dir, f)));
  const rows = readFileSync(join(tmp, 'whole', 'flows.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const crossing = rows.filter((r) => cuts.some((c) => Number(r[0]) < c && Number(r[12]) >= c));
  assert.ok(crossing.length >= 2, `only ${crossing.length} flows cross the cuts`);
  for (const name of ['flows.csv', 'findings.csv', 'dns.csv', 'tls.csv', 'http.csv']) {
    assert.equal(readFileSync(join(tmp, 'split', name), 'utf8'), readFileSync(join(tmp, 'whole', name), 'utf8'), name);
  }
});
