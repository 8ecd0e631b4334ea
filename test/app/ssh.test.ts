/**
 * SSH: banner sets against tshark 4.0.17 (`ssh.protocol`, oracle key ssh_banners) for every capture that has them;
 * HASSH / HASSHServer against tshark's `ssh.kex.hassh` / `ssh.kex.hasshserver` (values quoted below).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CAPTURES, SKIP_NO_SHARED } from '../shared.js';
import { oraclesWith, strings } from './oracle_sets.js';
import { runApp, set } from './run.js';

test('SSH banners equal tshark for every capture that has them', { skip: SKIP_NO_SHARED }, async (t) => {
  const cases = oraclesWith(['ssh_banners']);
  assert.ok(cases.length >= 10, `found ${cases.length}`);
  for (const { rel, o } of cases) {
    await t.test(rel, async (st) => {
      const run = await runApp(join(CAPTURES, rel));
      // tshark dissects SSH on port 22 only (app/sshv1-ssh2-fingerprints.pcap also has SSH-1.5 on 2222, unseen by it).
      const banners = set(run.ssh.filter((r) => r.resp_p === 22 || r.orig_p === 22).flatMap((r) => [r.client, r.server]));
      if (run.undecoded_link > 0 && banners.length === 0) return st.skip(`link type not decoded by src/decode (${run.undecoded_link} packets)`);
      assert.deepEqual(banners, set(strings(o['ssh_banners'])));
    });
  }
});

test('HASSH and HASSHServer equal tshark', { skip: SKIP_NO_SHARED }, async () => {
  // tshark -r <f> -Y 'ssh.kex.hassh or ssh.kex.hasshserver' -T fields -e tcp.srcport -e ssh.kex.hassh -e ssh.kex.hasshserver
  const cases = [
    { file: 'app/ssh_kex_curve25519.pcap', orig_p: 60906, hassh: '0df0d56bb50c6b2426d8d40234bf1826', hassh_server: 'a95c22bf8e9b19ed0a5dc74bb2f9c613' },
    { file: 'tls/ssh2.pcapng', orig_p: 57377, hassh: '06046964c022c6407d15a27b12a6a4fb', hassh_server: '699519fdcc30cbcd093d5cd01e4b1d56' },
    { file: 'tls/ssh-r.pcap', orig_p: 64980, hassh: 'e77c2db7432e8cfbc42a96909a84fc8e', hassh_server: '6832f1ce43d4397c2c0a3e2f8c94334e' },
    { file: 'tls/ssh-r.pcap', orig_p: 46394, hassh: 'ec9ea89c70f5fc71cf61061bff5e4740', hassh_server: '2307c390c7c9aba5b4c9519e72347f34' },
  ] as const;
  for (const c of cases) {
    const run = await runApp(join(CAPTURES, c.file));
    const r = run.ssh.find((s) => s.orig_p === c.orig_p);
    assert.ok(r !== undefined, `${c.file} ${c.orig_p}`);
    assert.equal(r.hassh, c.hassh);
    assert.equal(r.hassh_server, c.hassh_server);
  }
});
