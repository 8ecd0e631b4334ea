/**
 * QUIC Initial protection: key derivation against the specs' own test vectors (RFC 9001 Appendix A.1 for v1,
 * RFC 9369 Appendix A.1 for v2, both for DCID 0x8394c8f03e515708), and the CRYPTO stream reassembled from
 * several Initial packets (SNI from tshark's quic_snis oracle).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CryptoStream } from '../../src/app/quic/crypto_stream.js';
import { initialKeys, quicVersionParams, readVarint } from '../../src/app/quic/initial.js';
import { CAPTURES, SKIP_NO_SHARED, oracle } from '../shared.js';
import { runApp } from './run.js';
import { strings } from './oracle_sets.js';

const DCID = Buffer.from('8394c8f03e515708', 'hex');

function hex(k: { key: Buffer; iv: Buffer; hp: Buffer }): { key: string; iv: string; hp: string } {
  return { key: k.key.toString('hex'), iv: k.iv.toString('hex'), hp: k.hp.toString('hex') };
}

test('Initial keys: RFC 9001 Appendix A.1 (QUIC v1)', () => {
  const v1 = quicVersionParams(1)!;
  assert.deepEqual(hex(initialKeys(v1, DCID, false)), {
    key: '1f369613dd76d5467730efcbe3b1a22d',
    iv: 'fa044b2f42a3fd3b46fb255c',
    hp: '9f50449e04a0e810283a1e9933adedd2',
  });
  assert.deepEqual(hex(initialKeys(v1, DCID, true)), {
    key: 'cf3a5331653c364c88f0f379b6067e37',
    iv: '0ac1493ca1905853b0bba03e',
    hp: 'c206b8d9b9f0f37644430b490eeaa314',
  });
});

test('Initial keys: RFC 9369 Appendix A.1 (QUIC v2)', () => {
  const v2 = quicVersionParams(0x6b3343cf)!;
  assert.deepEqual(hex(initialKeys(v2, DCID, false)), {
    key: '8b1a0bc121284290a29e0971b5cd045d',
    iv: '91f73e2351d8fa91660e909f',
    hp: '45b95e15235d6f45a6b19cbcb0294ba9',
  });
  assert.deepEqual(hex(initialKeys(v2, DCID, true)), {
    key: '82db637861d55e1d011f19ea71d5d2a7',
    iv: 'dd13c276499c0249d3310652',
    hp: 'edf6d05c83121201b436e16877593c3a',
  });
});

test('variable-length integers: RFC 9000 Appendix A.1 examples', () => {
  const cases: [string, number][] = [['c2197c5eff14e88c', 151288809941952652], ['9d7f3e7d', 494878333], ['7bbd', 15293], ['25', 37]];
  for (const [h, v] of cases) assert.equal(readVarint(Buffer.from(h, 'hex'), 0, h.length / 2), v);
  assert.equal(readVarint(Buffer.from('7b', 'hex'), 0, 1), -1, 'cut short');
});

test('CRYPTO frames out of order make one contiguous prefix', () => {
  const cs = new CryptoStream();
  const data = Buffer.from('0123456789abcdef', 'latin1');
  cs.write(8, data, 8, 16);
  assert.equal(cs.contiguous(), 0);
  cs.write(0, data, 0, 4);
  assert.equal(cs.contiguous(), 4);
  cs.write(2, data, 2, 10);
  assert.equal(cs.contiguous(), 16);
  assert.equal(cs.buf.toString('latin1', 0, 16), '0123456789abcdef');
});

test('a ClientHello spread over several Initial packets is reassembled', { skip: SKIP_NO_SHARED }, async () => {
  for (const rel of ['app/quic-multiple-initial-fragmented-crypto.pcap', 'app/quic_frags_ch_in_multiple_packets.pcapng']) {
    const run = await runApp(join(CAPTURES, rel));
    const quic = run.tls.filter((r) => r.transport === 'quic');
    assert.equal(quic.length, 1, rel);
    // q13 or q00: quic_frags offers TLS 1.3 drafts (0x7f1c > 0x0304), and JA4 maps the highest value, unknown → 00.
    assert.ok(/^q(13|00)[di]/.test(quic[0]!.ja4), rel);
    assert.deepEqual(quic.map((r) => r.ja3), strings(oracle(rel)?.['ja3_set']), rel);
    assert.equal(run.stats.quic_malformed, 0, rel);
  }
});
