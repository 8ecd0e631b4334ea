/** Address text: IPv4 dotted quads must equal the plain decimal join of the four bytes (RFC 791 notation). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addrToString } from '../../src/flow/key.js';

test('IPv4 text equals the decimal join of the bytes, for every byte value in every position', () => {
  const b = Buffer.alloc(4);
  for (let pos = 0; pos < 4; pos++) {
    for (let v = 0; v < 256; v++) {
      b.fill(pos === 0 ? 7 : 200);
      b[pos] = v;
      assert.equal(addrToString(b, 0, 4), [...b].join('.'));
    }
  }
  b.set([0, 0, 0, 0]);
  assert.equal(addrToString(b, 0, 4), '0.0.0.0');
  b.set([255, 255, 255, 255]);
  assert.equal(addrToString(b, 0, 4), '255.255.255.255');
});
