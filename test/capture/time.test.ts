/**
 * Timestamp arithmetic. Vectors: tshark's frame.time_epoch for the captures named (oracles), and BigInt long
 * division as the reference for the Number-only split math of ticksToTs (pcapng draft §4.2 if_tsresol).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TsOut } from '../../src/capture/time.js';
import { compareTs, formatTs, ticksToTs, tsResolution } from '../../src/capture/time.js';

function split(ticks: bigint): [number, number] {
  return [Number(ticks >> 32n), Number(ticks & 0xffffffffn)];
}

function conv(tsresol: number, ticks: bigint, offset = 0): string {
  const out: TsOut = { ts_sec: 0, ts_nsec: 0 };
  const [hi, lo] = split(ticks);
  ticksToTs(tsResolution(tsresol, offset), hi, lo, out);
  return formatTs(out.ts_sec, out.ts_nsec);
}

test('formatTs prints sec.nnnnnnnnn as tshark does', () => {
  assert.equal(formatTs(4294967295, 0), '4294967295.000000000'); // time_2106_max.pcap
  assert.equal(formatTs(1418145369, 924505488), '1418145369.924505488'); // tcp-handshake-nano.pcap
  assert.equal(formatTs(0, 5), '0.000000005');
  assert.equal(formatTs(-3, 250000000), '-3.250000000');
});

test('compareTs orders by seconds, then nanoseconds', () => {
  assert.ok(compareTs(1, 999999999, 2, 0) < 0);
  assert.ok(compareTs(2, 1, 2, 0) > 0);
  assert.equal(compareTs(5, 5, 5, 5), 0);
});

test('vectors from tshark oracles', () => {
  // dhcp_*_endian.pcapng: 4734231571822539464 µs (above 2^53: a double would lose the last digits)
  assert.equal(conv(6, 4734231571822539464n), '4734231571822.539464000');
  // time_2107.pcapng: 4323283200 s in µs
  assert.equal(conv(6, 4323283200n * 1000000n), '4323283200.000000000');
  // gopacket test902: if_tsresol 0x88 = 2^-8 s; .1953125 = 50/256
  assert.equal(conv(0x88, 1519128000n * 256n + 50n), '1519128000.195312500');
  // vsock-1.pcapng: if_tsresol 9
  assert.equal(conv(9, 1499949071261679299n), '1499949071.261679299');
});

test('if_tsoffset adds whole seconds; finer than 1 ns truncates', () => {
  assert.equal(conv(6, 1500000n, 100), '101.500000000');
  assert.equal(conv(6, 1500000n, -100), '-99.500000000');
  assert.equal(conv(12, 1234567890123456789n), '1234567.890123456'); // picoseconds: BigInt path
  assert.equal(conv(0x80 | 40, 3n << 39n), '1.500000000'); // 2^-40 s: BigInt path
  assert.equal(conv(0x80 | 32, (7n << 32n) + (1n << 31n)), '7.500000000');
});

test('Number split math equals BigInt division for 500 pseudo-random 64-bit tick counts per resolution', () => {
  let x = 0x9e3779b97f4a7c15n;
  const next = (): bigint => {
    // xorshift64*: deterministic
    x ^= x >> 12n;
    x ^= (x << 25n) & 0xffffffffffffffffn;
    x ^= x >> 27n;
    return (x * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
  };
  const resolutions = [...Array.from({ length: 10 }, (_, d) => d), ...Array.from({ length: 33 }, (_, d) => 0x80 | d)];
  for (const r of resolutions) {
    const perSec = (r & 0x80) === 0 ? 10n ** BigInt(r) : 1n << BigInt(r & 0x7f);
    for (let i = 0; i < 500; i++) {
      // keep seconds below 2^53 (the Number range nad promises), any sub-second part
      const ticks = next() % (perSec * (1n << 40n));
      const sec = ticks / perSec;
      const nsec = ((ticks - sec * perSec) * 1000000000n) / perSec;
      assert.equal(conv(r, ticks), formatTs(Number(sec), Number(nsec)), `tsresol 0x${r.toString(16)} ticks ${ticks}`);
    }
  }
});
