/**
 * Timestamps at full precision: whole seconds and nanoseconds, both plain integers (never one lossy double).
 *
 * Packets without a usable time. A pcapng Simple Packet Block has no timestamp, and a classic pcap record whose
 * sub-second field is out of range (µs ≥ 1e6, ns ≥ 1e9; tcpdump's timestamp_invalid_*.pcap) has none we can trust.
 * nad invents no time for them: such a packet keeps the time of the previous timestamped packet of the same input
 * (0.000000000 before the first one), so it never moves a flow backwards; it is left out of first_ts/last_ts, and the
 * reader counts it (warnings `no_timestamp` / `invalid_subsecond`). tshark prints garbage for the invalid ones.
 */

const NSEC_DIGITS = 9;

/**
 * `sec.nnnnnnnnn`, exactly as tshark prints frame.time_epoch (negative seconds keep their sign). One flat string:
 * join() writes the characters out once, where a template literal makes a rope (V8 ConsString: a 32-byte cell over
 * two more strings) that every kept flow record carried twice, and every sort comparison walked.
 */
export function formatTs(sec: number, nsec: number): string {
  return [sec, String(nsec).padStart(NSEC_DIGITS, '0')].join('.');
}

/** Compares two timestamps: negative when a is earlier. */
export function compareTs(aSec: number, aNsec: number, bSec: number, bNsec: number): number {
  return aSec !== bSec ? aSec - bSec : aNsec - bNsec;
}

/**
 * How one pcapng interface turns its 64-bit tick counts into seconds and nanoseconds, set up once per IDB
 * (pcapng draft §4.2, if_tsresol and if_tsoffset). The per-packet path uses only Number arithmetic that stays exact.
 */
export interface TsResolution {
  /** 'dec': 10^-digits s per tick, 0 ≤ digits ≤ 9. 'bin': 2^-digits s per tick, 0 ≤ digits ≤ 32. 'big': anything else. */
  kind: 'dec' | 'bin' | 'big';
  digits: number;
  /** Ticks per second, for 'dec' (≤ 1e9). */
  ticks: number;
  /** Nanoseconds per tick for 'dec' (10^(9-digits)); 1953125·2^(9-digits) for 'bin' (exact binary fraction). */
  scale: number;
  /** if_tsoffset in seconds, added to every timestamp. */
  offset_s: number;
  /** The if_tsresol byte as read, for 'big' and for messages. */
  raw: number;
}

/** From the if_tsresol option byte (absent: 6, microseconds) and if_tsoffset. */
export function tsResolution(tsresol: number, offsetSeconds: number): TsResolution {
  const digits = tsresol & 0x7f;
  if ((tsresol & 0x80) === 0) {
    if (digits <= NSEC_DIGITS) {
      const ticks = 10 ** digits;
      return { kind: 'dec', digits, ticks, scale: 10 ** (NSEC_DIGITS - digits), offset_s: offsetSeconds, raw: tsresol };
    }
    return { kind: 'big', digits, ticks: 0, scale: 0, offset_s: offsetSeconds, raw: tsresol };
  }
  if (digits <= 32) {
    // 1e9 / 2^digits = 1953125 · 2^(9 - digits): frac < 2^32 times 1953125 < 2^53, so the product is exact.
    return { kind: 'bin', digits, ticks: 2 ** digits, scale: 1953125 * 2 ** (9 - digits), offset_s: offsetSeconds, raw: tsresol };
  }
  return { kind: 'big', digits, ticks: 0, scale: 0, offset_s: offsetSeconds, raw: tsresol };
}

/** Result slots written by ticksToTs, reused (no allocation per packet). */
export interface TsOut {
  ts_sec: number;
  ts_nsec: number;
}

const TWO_32 = 4294967296;
const TWO_16 = 65536;

/**
 * Splits hi·2^32 + lo ticks into seconds and nanoseconds. Sub-nanosecond resolutions are truncated to the nanosecond.
 * 'dec' is a long division in 16-bit steps: every intermediate stays below 2^46, so floor(a / b) is exact even for
 * dhcp_*_endian.pcapng's ~4.7e18 µs (a plain double would lose the last digits). No BigInt on this path: it adds
 * ~7 ns per packet over a bare field copy, BigInt ~50 ns (5 M conversions, 2 cores under load, /tmp tsbench).
 */
export function ticksToTs(r: TsResolution, hi: number, lo: number, out: TsOut): void {
  if (r.kind === 'dec') {
    const t = r.ticks;
    const q1 = Math.floor(hi / t);
    const r1 = hi - q1 * t;
    const a2 = r1 * TWO_16 + (lo >>> 16);
    const q2 = Math.floor(a2 / t);
    const r2 = a2 - q2 * t;
    const a3 = r2 * TWO_16 + (lo & 0xffff);
    const q3 = Math.floor(a3 / t);
    out.ts_sec = q1 * TWO_32 + q2 * TWO_16 + q3 + r.offset_s;
    out.ts_nsec = (a3 - q3 * t) * r.scale;
    return;
  }
  if (r.kind === 'bin') {
    const d = r.digits;
    if (d === 32) {
      out.ts_sec = hi + r.offset_s;
      out.ts_nsec = Math.floor(lo * r.scale);
    } else {
      out.ts_sec = hi * 2 ** (32 - d) + Math.floor(lo / r.ticks) + r.offset_s;
      out.ts_nsec = Math.floor((lo % r.ticks) * r.scale);
    }
    return;
  }
  bigTicksToTs(r, hi, lo, out);
}

/** Resolutions finer than 1 ns or 2^-32 s: rare enough that BigInt per packet is acceptable. */
function bigTicksToTs(r: TsResolution, hi: number, lo: number, out: TsOut): void {
  const ticks = (BigInt(hi) << 32n) | BigInt(lo);
  const perSec = (r.raw & 0x80) === 0 ? 10n ** BigInt(r.digits) : 1n << BigInt(r.digits);
  const sec = ticks / perSec;
  out.ts_sec = Number(sec) + r.offset_s;
  out.ts_nsec = Number(((ticks - sec * perSec) * 1_000_000_000n) / perSec);
}
