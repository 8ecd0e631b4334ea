/**
 * Writes the edge packets of a shard as classic pcap files, one per link type (a classic pcap has one), with
 * nanosecond timestamps (magic a1b23c4d) so no precision is lost. Records are copied into a 1 MiB buffer and written
 * when it fills, through an AtomicWriter (the file appears whole, on close).
 */
import { join } from 'node:path';
import { AtomicWriter } from '../export/atomic.js';

const BUF_SIZE = 1 << 20;
const SNAPLEN = 262144;

class PcapFile {
  packets = 0;
  private readonly out: AtomicWriter;
  private readonly buf = Buffer.allocUnsafe(BUF_SIZE);
  private used = 0;

  constructor(path: string, linktype: number) {
    this.out = new AtomicWriter(path);
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b23c4d, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(SNAPLEN, 16);
    h.writeUInt32LE(linktype, 20);
    this.out.write(h);
  }

  write(data: Buffer, start: number, end: number, sec: number, nsec: number, wirelen: number): void {
    const len = end - start;
    if (this.used + 16 + len > BUF_SIZE) this.flush();
    if (16 + len > BUF_SIZE) throw new Error(`record of ${len} bytes exceeds the edge writer buffer`);
    const b = this.buf;
    let o = this.used;
    b.writeUInt32LE(sec >>> 0, o); b.writeUInt32LE(nsec, o + 4); b.writeUInt32LE(len, o + 8); b.writeUInt32LE(wirelen, o + 12);
    o += 16;
    data.copy(b, o, start, end);
    this.used = o + len;
    this.packets++;
  }

  flush(): void {
    if (this.used > 0) this.out.write(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  close(): void {
    this.flush();
    this.out.commit();
  }

  abort(): void {
    this.out.abort();
  }
}

/** edge-<linktype>.pcap files in a directory, opened on first use. */
export class EdgePcapWriter {
  private readonly dir: string;
  private readonly files = new Map<number, PcapFile>();

  constructor(dir: string) {
    this.dir = dir;
  }

  write(linktype: number, data: Buffer, start: number, end: number, sec: number, nsec: number, wirelen: number): void {
    let f = this.files.get(linktype);
    if (f === undefined) {
      f = new PcapFile(join(this.dir, `edge-${linktype}.pcap`), linktype);
      this.files.set(linktype, f);
    }
    f.write(data, start, end, sec, nsec, wirelen);
  }

  /** Closes every file; returns their names (relative to the directory) and packet counts, by link type. */
  close(): { file: string; linktype: number; packets: number }[] {
    const out = [...this.files.entries()].sort((a, b) => a[0] - b[0]).map(([linktype, f]) => {
      f.close();
      return { file: `edge-${linktype}.pcap`, linktype, packets: f.packets };
    });
    this.files.clear();
    return out;
  }

  /** Drops every file (the pass failed): no partial edge capture is left behind. */
  abort(): void {
    for (const f of this.files.values()) f.abort();
    this.files.clear();
  }
}
