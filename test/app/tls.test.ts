/**
 * TLS and QUIC hellos against tshark 4.0.17 (../shared/captures/oracles, keys ja3_set, ja3s_set, tls_snis,
 * quic_snis): for every capture in app/, tls/, linktypes/, encap/ and format/ whose oracle has them, the sets nad
 * computes must equal tshark's `tls.handshake.ja3` / `ja3s` and SNI sets. tshark also fingerprints QUIC
 * ClientHellos (it decrypts Initials), and every ClientHello of a connection (a second one after a
 * HelloRetryRequest included), so the sets here cover QUIC records and retry_ja3. DTLS records are left out:
 * tshark 4.0 computes no JA3 for DTLS.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CAPTURES, HAVE_SHARED, oracle, SKIP_NO_SHARED } from '../shared.js';
import { runApp, set } from './run.js';

const FOLDERS = ['app', 'tls', 'linktypes', 'encap', 'format'] as const;

function capturesWith(keys: readonly string[]): { rel: string; o: Record<string, unknown> }[] {
  if (!HAVE_SHARED) return [];
  const out: { rel: string; o: Record<string, unknown> }[] = [];
  for (const folder of FOLDERS) {
    const dir = join(CAPTURES, 'oracles', folder);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      const rel = `${folder}/${f.replace(/\.json$/, '')}`;
      const o = oracle(rel);
      if (o === null) continue;
      if (keys.some((k) => Array.isArray(o[k]) && (o[k] as unknown[]).length > 0)) out.push({ rel, o });
    }
  }
  return out;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

test('JA3, JA3S and SNI sets equal tshark for every capture that has hellos', { skip: SKIP_NO_SHARED }, async (t) => {
  const cases = capturesWith(['ja3_set', 'ja3s_set', 'tls_snis', 'quic_snis']);
  assert.ok(cases.length >= 35, `expected the corpus to have TLS oracles, found ${cases.length}`);
  for (const { rel, o } of cases) {
    await t.test(rel, async () => {
      const run = await runApp(join(CAPTURES, rel));
      const hellos = run.tls.filter((r) => r.transport !== 'dtls');
      assert.deepEqual(set(hellos.flatMap((r) => [r.ja3, r.retry_ja3 ?? ''])), set(strings(o['ja3_set'])), 'ja3_set');
      assert.deepEqual(set(hellos.map((r) => r.ja3s)), set(strings(o['ja3s_set'])), 'ja3s_set');
      assert.deepEqual(set(hellos.filter((r) => r.transport === 'tcp').map((r) => r.server_name)), set(strings(o['tls_snis'])), 'tls_snis');
      assert.deepEqual(set(hellos.filter((r) => r.transport === 'quic').map((r) => r.server_name)), set(strings(o['quic_snis'])), 'quic_snis');
      const versions = set(hellos.filter((r) => r.transport === 'quic').map((r) => r.quic_version));
      for (const v of versions) assert.ok(strings(o['quic_versions']).includes(v), `quic version ${v}`);
    });
  }
});

test('a ClientHello split over three TCP segments (MTU 300) is reassembled', { skip: SKIP_NO_SHARED }, async () => {
  // tshark: frame 4 holds the reassembled ClientHello, SNI www.google.com (oracles/app/sv-tls-client-hello-frag-mtu300.pcap.json).
  const run = await runApp(join(CAPTURES, 'app/sv-tls-client-hello-frag-mtu300.pcap'));
  assert.equal(run.tls.length, 1);
  assert.equal(run.tls[0]!.server_name, 'www.google.com');
  assert.equal(run.tls[0]!.ja3, strings(oracle('app/sv-tls-client-hello-frag-mtu300.pcap')?.['ja3_set'])[0]);
});
