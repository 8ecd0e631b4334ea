/**
 * DTLS hellos against tshark 4.0.17 field values (quoted; tshark computes no JA3 for DTLS, so the oracles hold none):
 *   tshark -r <f> -Y 'dtls.handshake.type==1 or dtls.handshake.type==2' -T fields -e dtls.handshake.type
 *          -e dtls.handshake.ciphersuite -e dtls.handshake.extension.type -e dtls.handshake.version
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CAPTURES, SKIP_NO_SHARED } from '../shared.js';
import { runApp } from './run.js';

test('DTLS 1.2: a ClientHello in two fragments is reassembled (app/dtls1_2.pcap)', { skip: SKIP_NO_SHARED }, async () => {
  // tshark: frames 1–2 "Client Hello (Fragment)" / "(Reassembled)": 80 cipher suites, extensions 11,10,35,13,15,
  // no SNI; frame 6 Server Hello: cipher 0xc030, version 0xfefd.
  const run = await runApp(join(CAPTURES, 'app/dtls1_2.pcap'));
  const d = run.tls.filter((r) => r.transport === 'dtls');
  assert.equal(d.length, 1);
  assert.match(d[0]!.ja4, /^dd2i8005/); // d (DTLS), d2 (DTLS 1.2), i (no SNI), 80 ciphers, 05 extensions
  assert.equal(d[0]!.version, 'DTLSv12');
  assert.equal(d[0]!.cipher, 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'); // 0xc030
});

test('DTLS 1.0: hello, server hello and certificate in one datagram (tls/dtls-udp.notest.cap)', { skip: SKIP_NO_SHARED }, async () => {
  // tshark: Client Hello with 44 cipher suites, extensions 35,15; Server Hello 0x0035 DTLSv1.0;
  // certificate x509sat strings "Some-State", "Internet Widgits Pty Ltd".
  const run = await runApp(join(CAPTURES, 'tls/dtls-udp.notest.cap'));
  const d = run.tls.filter((r) => r.transport === 'dtls');
  assert.equal(d.length, 1);
  assert.match(d[0]!.ja4, /^dd1i4402/);
  assert.equal(d[0]!.cipher, 'TLS_RSA_WITH_AES_256_CBC_SHA'); // 0x0035
  assert.equal(d[0]!.version, 'DTLSv10');
  assert.match(d[0]!.subject, /O=Internet Widgits Pty Ltd/);
  assert.match(d[0]!.subject, /ST=Some-State/);
});
