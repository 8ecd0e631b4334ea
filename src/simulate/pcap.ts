/**
 * Collects frames out of order (each session is generated on its own) and writes them as one classic pcap file in time
 * order: little-endian, microsecond timestamps, LINKTYPE_ETHERNET (pcap file format, draft-ietf-opsawg-pcap §4–5).
 */
import { fixIpChecksum, type Frame } from './frames.js';

/** Snap length written in the file header; individual records may be cut shorter (bulk data, see tcp.ts). */
const SNAPLEN = 65535;

interface Entry {
  readonly ts_us: number;
  readonly order: number;
  readonly frame: Buffer;
  readonly wirelen: number;
  /** Index of the office host whose IPv4 ID counter numbers this frame, or -1 to keep the ID as built. */
  readonly ipid_host: number;
}

export class CaptureLog {
  private readonly entries: Entry[] = [];
  /** Frames outside [start_us, end_us) are dropped: the capture window. */
  readonly start_us: number;
  readonly end_us: number;

  constructor(start_us: number, end_us: number) {
    this.start_us = start_us;
    this.end_us = end_us;
  }

  /** Adds a frame at a capture time in microseconds since the epoch. Returns false if outside the window. */
  add(ts_us: number, f: Frame, ipid_host = -1): boolean {
    const ts = Math.round(ts_us);
    if (ts < this.start_us || ts >= this.end_us) return false;
    this.entries.push({ ts_us: ts, order: this.entries.length, frame: f.frame, wirelen: f.wirelen, ipid_host });
    return true;
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Sorts by time (ties keep insertion order, which is causal within a session), numbers the IPv4 IDs of office
   * hosts in time order (Windows and macOS use one counter per host), and serialises the file.
   */
  toPcap(firstIpId: (host: number) => number): Buffer {
    const sorted = this.entries.slice().sort((a, b) => a.ts_us - b.ts_us || a.order - b.order);
    const ipid = new Map<number, number>();
    let total = 24;
    for (const e of sorted) total += 16 + e.frame.length;
    const out = Buffer.alloc(total);
    out.writeUInt32LE(0xa1b2c3d4, 0);
    out.writeUInt16LE(2, 4);
    out.writeUInt16LE(4, 6);
    out.writeInt32LE(0, 8);
    out.writeUInt32LE(0, 12);
    out.writeUInt32LE(SNAPLEN, 16);
    out.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
    let o = 24;
    for (const e of sorted) {
      if (e.ipid_host >= 0) {
        const id = ipid.get(e.ipid_host) ?? firstIpId(e.ipid_host);
        e.frame.writeUInt16BE(id & 0xffff, 18);
        fixIpChecksum(e.frame);
        ipid.set(e.ipid_host, (id + 1) & 0xffff);
      }
      out.writeUInt32LE(Math.floor(e.ts_us / 1e6), o);
      out.writeUInt32LE(e.ts_us % 1e6, o + 4);
      out.writeUInt32LE(e.frame.length, o + 8);
      out.writeUInt32LE(e.wirelen, o + 12);
      e.frame.copy(out, o + 16);
      o += 16 + e.frame.length;
    }
    return out;
  }
}
