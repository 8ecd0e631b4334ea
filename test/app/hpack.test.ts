/**
 * HPACK (app/http/hpack.ts) against RFC 7541's own examples (Appendix C: integers, literals, the three request
 * sequences without and with Huffman coding, the three response sequences with a 256-byte table and eviction) and
 * hostile blocks that must come back null, never throw.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HpackDecoder, huffmanDecode } from '../../src/app/http/hpack.js';
import { Rng } from './mutate.js';

interface Vector { id: string; hex: string; size: number; headers: [string, string][] }

/** RFC 7541 Appendix C.2–C.6: each block's hex, the decoded fields and the dynamic table size after it. */
const C: Vector[] = [
  { id: 'C.2.1', hex: '400a637573746f6d2d6b65790d637573746f6d2d686561646572', size: 55, headers: [['custom-key', 'custom-header']] },
  { id: 'C.2.2', hex: '040c2f73616d706c652f70617468', size: 0, headers: [[':path', '/sample/path']] },
  { id: 'C.2.3', hex: '100870617373776f726406736563726574', size: 0, headers: [['password', 'secret']] },
  { id: 'C.2.4', hex: '82', size: 0, headers: [[':method', 'GET']] },
  { id: 'C.3.1', hex: '828684410f7777772e6578616d706c652e636f6d', size: 57, headers: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']] },
  { id: 'C.3.2', hex: '828684be58086e6f2d6361636865', size: 110, headers: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']] },
  { id: 'C.3.3', hex: '828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565', size: 164, headers: [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']] },
  { id: 'C.4.1', hex: '828684418cf1e3c2e5f23a6ba0ab90f4ff', size: 57, headers: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']] },
  { id: 'C.4.2', hex: '828684be5886a8eb10649cbf', size: 110, headers: [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']] },
  { id: 'C.4.3', hex: '828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf', size: 164, headers: [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']] },
  { id: 'C.5.1', hex: '4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d', size: 222, headers: [[':status', '302'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']] },
  { id: 'C.5.2', hex: '4803333037c1c0bf', size: 222, headers: [[':status', '307'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']] },
  { id: 'C.5.3', hex: '88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31', size: 215, headers: [[':status', '200'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'], ['location', 'https://www.example.com'], ['content-encoding', 'gzip'], ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1']] },
  { id: 'C.6.1', hex: '488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3', size: 222, headers: [[':status', '302'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']] },
  { id: 'C.6.2', hex: '4883640effc1c0bf', size: 222, headers: [[':status', '307'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'], ['location', 'https://www.example.com']] },
  { id: 'C.6.3', hex: '88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007', size: 215, headers: [[':status', '200'], ['cache-control', 'private'], ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'], ['location', 'https://www.example.com'], ['content-encoding', 'gzip'], ['set-cookie', 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1']] },
];

test('RFC 7541 Appendix C: every block decodes to its fields, and the dynamic table has its size after each', () => {
  let dec = new HpackDecoder();
  for (const v of C) {
    // C.2 blocks are each on a fresh decoder; C.3–C.6 are sequences on one, C.5 and C.6 with a 256-byte table.
    if (v.id.startsWith('C.2') || v.id.endsWith('.1')) dec = new HpackDecoder(v.id >= 'C.5' ? 256 : 4096);
    const b = Buffer.from(v.hex, 'hex');
    assert.deepEqual(dec.decode(b, 0, b.length), v.headers, v.id);
    assert.equal(dec.tableSize, v.size, `${v.id} table size`);
  }
});

test('Huffman: RFC 7541 C.4 strings; padding longer than 7 bits or not all ones, or an EOS, is refused', () => {
  const h = (hex: string): string | null => huffmanDecode(Buffer.from(hex, 'hex'), 0, hex.length / 2);
  assert.equal(h('f1e3c2e5f23a6ba0ab90f4ff'), 'www.example.com');
  assert.equal(h('a8eb10649cbf'), 'no-cache');
  assert.equal(h('25a849e95ba97d7f'), 'custom-key');
  assert.equal(h('25a849e95bb8e8b4bf'), 'custom-value');
  assert.equal(h(''), '');
  assert.equal(h('ff'), null, 'eight padding bits');
  assert.equal(h('f1e3c2e5f23a6ba0ab90f4fe'), null, 'padding with a zero bit');
  assert.equal(h('fffffffc'), null, 'EOS (30 ones) inside the string');
});

test('hostile blocks: an index past the tables, a cut integer or string, a table size above the limit: null, never a throw', () => {
  const bad = ['be', 'ff', '7f', '41', '418c', '418cf1e3', '3fe1ff07', '00', '0003616263', 'ff80808080808080808001'];
  for (const hex of bad) {
    const b = Buffer.from(hex, 'hex');
    assert.equal(new HpackDecoder().decode(b, 0, b.length), null, hex);
  }
  const rng = new Rng(0x6870);
  for (let i = 0; i < 20_000; i++) {
    const b = Buffer.alloc(1 + rng.below(64));
    for (let j = 0; j < b.length; j++) b[j] = rng.below(256);
    const out = new HpackDecoder().decode(b, 0, b.length);
    assert.ok(out === null || Array.isArray(out));
  }
});
