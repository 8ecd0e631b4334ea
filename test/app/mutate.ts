/** Test helper: the fuzz tests' seeded PRNG and payload mutations (bit flips, boundary bytes, truncation, insertion,
 *  splicing, large length fields). */
/** xorshift32: reproducible cases. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }
}

const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0xc0, 0xc0, 0x3f, 0x16, 0x03, 0x0a];

export function mutate(rng: Rng, src: Buffer, other: Buffer): Buffer {
  const b = Buffer.from(src);
  switch (rng.below(6)) {
    case 0: // flip 1–4 bits
      for (let i = 1 + rng.below(4); i > 0 && b.length > 0; i--) b[rng.below(b.length)]! ^= 1 << rng.below(8);
      return b;
    case 1: // store boundary values (lengths, pointers, GREASE-like bytes)
      for (let i = 1 + rng.below(3); i > 0 && b.length > 0; i--) b[rng.below(b.length)] = INTERESTING[rng.below(INTERESTING.length)]!;
      return b;
    case 2: // truncate
      return b.subarray(0, rng.below(b.length + 1));
    case 3: { // insert random bytes
      const at = rng.below(b.length + 1);
      const ins = Buffer.alloc(1 + rng.below(8));
      for (let i = 0; i < ins.length; i++) ins[i] = rng.below(256);
      return Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
    }
    case 4: // splice the tail of another payload of the same kind
      return Buffer.concat([b.subarray(0, rng.below(b.length + 1)), other.subarray(rng.below(other.length + 1))]);
    default: { // overwrite a 16-bit length-looking field with a large value
      if (b.length >= 2) b.writeUInt16BE(rng.next() & 0xffff, rng.below(b.length - 1));
      return b;
    }
  }
}

