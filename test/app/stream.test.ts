/**
 * StreamBuf's tap (app/stream.ts), which HTTP bodies are hashed through: bytes passed over are handed on in stream
 * order whatever order the segments came in, a reordered window waits for its hole, and a hole that never fills is
 * reported as lost, no more and no less than its size.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StreamBuf, type BodyTap } from '../../src/app/stream.js';
import { Rng } from './mutate.js';

class Collect implements BodyTap {
  parts: Buffer[] = [];
  lost = 0;
  body(src: Buffer, from: number, to: number): void {
    this.parts.push(Buffer.from(src.subarray(from, to)));
  }
  gap(n: number): void {
    this.lost += n;
  }
}

/** A body of `size` bytes after a 4-byte head, cut in 100-byte segments; the parser skips the body through the tap. */
function play(order: (segs: { seq: number; data: Buffer }[]) => { seq: number; data: Buffer }[], size: number): { tap: Collect; body: Buffer; sb: StreamBuf } {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (i * 7 + 3) & 0xff;
  const stream = Buffer.concat([Buffer.from('HEAD'), body]);
  const segs: { seq: number; data: Buffer }[] = [];
  for (let o = 0; o < stream.length; o += 100) segs.push({ seq: 1000 + o, data: stream.subarray(o, o + 100) });
  const sb = new StreamBuf(32 * 1024);
  const tap = new Collect();
  const [first, ...rest] = segs;
  sb.pushBytes(first!.data, 0, first!.data.length, first!.seq);
  sb.consume(4);
  sb.tap = tap;
  sb.consumeOrSkip(size);
  for (const s of order(rest)) sb.pushBytes(s.data, 0, s.data.length, s.seq);
  return { tap, body, sb };
}

test('tap: in order, shuffled within a window, and with retransmissions, the body comes out whole and in order', () => {
  const inOrder = play((s) => s, 20_000);
  assert.ok(Buffer.concat(inOrder.tap.parts).equals(inOrder.body));
  const rng = new Rng(7);
  const shuffled = play((s) => {
    const out = [...s];
    // Swap neighbours within 40 segments (a TCP window), and send some twice.
    for (let i = 0; i < 400; i++) {
      const a = rng.below(out.length);
      const b = Math.min(out.length - 1, a + rng.below(40));
      [out[a], out[b]] = [out[b]!, out[a]!];
    }
    return [...out, ...out.slice(0, 30)];
  }, 20_000);
  assert.equal(shuffled.tap.lost, 0);
  assert.ok(Buffer.concat(shuffled.tap.parts).equals(shuffled.body));
});

test('tap: a segment that never comes is lost exactly, the bytes after it still handed on', () => {
  // The 11th segment is never sent; 300 more follow (more than the tap waits for).
  const { tap, body, sb } = play((s) => s.filter((_, i) => i !== 10), 40_000);
  assert.equal(tap.lost, 100);
  assert.equal(sb.missed, 100);
  const got = Buffer.concat(tap.parts);
  assert.equal(got.length, body.length - 100);
  // What came is the body without the lost segment's bytes (the head took 4 bytes of the first segment).
  const start = 11 * 100 - 4; // rest[10] is the stream's 12th segment, bytes 1100–1199
  assert.ok(got.equals(Buffer.concat([body.subarray(0, start), body.subarray(start + 100)])));
});
