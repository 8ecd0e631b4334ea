/**
 * Many rotated files (`tcpdump -C/-G`, Arkime, Stenographer) are one capture: the merge must not hold them all open.
 * The pieces are cut by Wireshark's editcap, not by nad.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readCaptures } from '../../src/capture/index.js';
import type { Packet } from '../../src/decode/layer.js';
import { PROJECT_ROOT } from '../shared.js';

const SUSPECT = join(PROJECT_ROOT, 'samples', 'suspect.pcap');
const HAVE_EDITCAP = spawnSync('editcap', ['-h']).status === 0;
const HAVE_PROC = existsSync('/proc/self/fd');
const tmp = mkdtempSync(join(tmpdir(), 'nad-merge-lazy-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const openFds = (): number => readdirSync('/proc/self/fd').length;

test('60 rotated files are read as one capture with at most two of them open at a time', { skip: !HAVE_EDITCAP ? 'editcap not installed' : !HAVE_PROC ? 'no /proc/self/fd' : false }, async () => {
  // The count from capinfos (Wireshark); editcap -c N makes pieces of N packets, the last one the rest: N is chosen
  // so that the sample makes 60 pieces.
  const total = Number(spawnSync('capinfos', ['-T', '-r', '-c', '-M', SUSPECT], { encoding: 'utf8' }).stdout.trim().split('\t')[1]);
  const per = Math.ceil(total / 60);
  assert.equal(spawnSync('editcap', ['-c', String(per), SUSPECT, join(tmp, 'piece.pcap')]).status, 0);
  const files = readdirSync(tmp).sort().map((f) => join(tmp, f));
  assert.equal(files.length, 60);
  const before = openFds();
  let maxFds = 0, packets = 0, prev = -Infinity, backwards = 0;
  const sink = {
    packet(p: Packet): void {
      packets++;
      const t = p.ts_sec + p.ts_nsec / 1e9;
      if (t < prev) backwards++;
      prev = t;
      if (packets % 100 === 0) maxFds = Math.max(maxFds, openFds());
    },
  };
  const inputs = await readCaptures(files, sink);
  assert.equal(packets, total);
  assert.equal(backwards, 0);
  assert.equal(inputs.length, 60);
  assert.deepEqual(inputs.map((i) => i.packets), files.map((_, i) => (i < 59 ? per : total - 59 * per)));
  assert.ok(maxFds - before <= 2, `${maxFds - before} more file descriptors open while merging 60 files`);
});
