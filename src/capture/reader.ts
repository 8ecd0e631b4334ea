/**
 * What the pcap and pcapng readers share: the chunk/tail machinery of CaptureReader.push and the tallies behind
 * ReadSummary. A format supplies walk() (complete units of one buffer) and unitLength() (how many bytes the unit at
 * the start of the kept tail needs), and this class stitches units that straddle chunks.
 *
 * Ownership: the Packet handed to the sink points into the caller's chunk, or into the reader's tail buffer for a
 * record that straddled two chunks; either is valid only until the sink returns (gopacket's ZeroCopyReadPacketData).
 */
import type { Packet } from '../decode/layer.js';
import { createPacket } from '../decode/layer.js';
import { formatTs } from './time.js';
import type { CaptureReader, PacketSink, ReadSummary, WarningTally } from './types.js';

/** Largest record nad accepts (libpcap's MAXIMUM_SNAPLEN): anything longer is damage, never an allocation. */
export const MAX_CAPLEN = 262144;

export abstract class ChunkedReader implements CaptureReader {
  /** The one Packet this reader overwrites; input index and link type are set on it by the format. */
  protected readonly packet: Packet;
  protected packets = 0;
  protected bytes = 0;
  protected readonly linkTypes: number[] = [];
  protected readonly skipped: Record<string, number> = {};
  protected readonly warnings: Record<string, WarningTally> = {};
  /** First and last timestamped packet; firstSec is NaN until there is one. */
  protected firstSec = NaN;
  protected firstNsec = 0;
  protected lastSec = NaN;
  protected lastNsec = 0;
  private interrupted = false;
  private stopOffset = -1;
  private stopWhat = '';
  /** Absolute (decompressed) offset of the next chunk's first byte. */
  private pos = 0;
  private tail: Buffer = Buffer.allocUnsafe(1 << 16);
  private tailView = new DataView(this.tail.buffer, this.tail.byteOffset, this.tail.byteLength);
  private tailLen = 0;

  /** input: this input's index in the run, copied into every Packet. */
  constructor(input: number) {
    this.packet = createPacket();
    this.packet.input = input;
  }

  abstract readonly format: ReadSummary['format'];

  /**
   * Walks the complete units of buf[from, to) and returns where the first incomplete one starts (or where damage
   * stopped reading). base is the absolute offset of buf[0], for file_offset and messages.
   */
  protected abstract walk(buf: Buffer, view: DataView, from: number, to: number, base: number, sink: PacketSink): number;

  /** Bytes the unit starting at buf[0] needs, given len bytes present: its header size until the header is complete.
   *  A damaged length returns the header size, so walk() sees the header and reports it. */
  protected abstract unitLength(view: DataView, len: number): number;

  /** End of input with `present` bytes of an incomplete unit kept (maybe 0): what to report as the cut, or null when
   *  the input ended cleanly. A missing or short file header is such a cut too (open.ts then throws: 0 packets). */
  protected abstract cutShort(present: number, view: DataView): string | null;

  push(chunk: Buffer, sink: PacketSink): void {
    const chunkStart = this.pos;
    this.pos += chunk.length;
    if (this.stopOffset >= 0) return;
    let from = 0;
    if (this.tailLen > 0) {
      from = this.completeTail(chunk, chunkStart, sink);
      if (from < 0 || this.stopOffset >= 0) return;
    }
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (sink.chunk !== undefined) sink.chunk(chunk);
    const used = this.walk(chunk, view, from, chunk.length, chunkStart, sink);
    if (this.stopOffset < 0 && used < chunk.length) this.keep(chunk, used, chunk.length);
  }

  end(_sink: PacketSink): ReadSummary {
    if (this.stopOffset < 0 && !this.interrupted) {
      const cut = this.cutShort(this.tailLen, this.tailView);
      if (cut !== null) this.stop(this.pos - this.tailLen, cut);
    }
    this.tailLen = 0;
    const timed = !Number.isNaN(this.firstSec);
    return {
      format: this.format,
      gzip: false,
      packets: this.packets,
      bytes: this.bytes,
      lost_bytes: this.stopOffset >= 0 ? this.pos - this.stopOffset : 0,
      link_types: [...this.linkTypes],
      first_ts: timed ? formatTs(this.firstSec, this.firstNsec) : null,
      last_ts: timed ? formatTs(this.lastSec, this.lastNsec) : null,
      skipped_blocks: { ...this.skipped },
      warnings: { ...this.warnings },
      stopped: this.stopOffset >= 0 ? { offset: this.stopOffset, what: this.stopWhat } : null,
    };
  }

  /** Reading was cut short on purpose (SIGINT, abort): a partial record at the end is not damage. */
  interrupt(): void {
    this.interrupted = true;
  }

  /** The source broke off (a read or gunzip error): reading stops where the incomplete unit began. */
  fail(what: string): void {
    if (this.stopOffset >= 0) return;
    this.stop(this.pos - this.tailLen, what);
    this.tailLen = 0;
  }

  /** Records damage that stops this input; packets already delivered stay delivered. */
  protected stop(offset: number, what: string): void {
    this.stopOffset = offset;
    this.stopWhat = what;
  }

  protected get stopped(): boolean {
    return this.stopOffset >= 0;
  }

  /** Tallies a warning by kind: count, first offset, and the first occurrence in words. */
  protected warn(kind: string, offset: number, message: string): void {
    const t = this.warnings[kind];
    if (t === undefined) this.warnings[kind] = { count: 1, first_offset: offset, message };
    else t.count++;
  }

  protected skip(name: string): void {
    this.skipped[name] = (this.skipped[name] ?? 0) + 1;
  }

  protected addLinkType(lt: number): void {
    if (!this.linkTypes.includes(lt)) this.linkTypes.push(lt);
  }

  /** Fills the tail up to one complete unit from chunk, walks it, and returns where chunk's own units begin
   *  (-1: chunk used up and the unit is still incomplete). */
  private completeTail(chunk: Buffer, chunkStart: number, sink: PacketSink): number {
    let from = 0;
    let need = this.unitLength(this.tailView, this.tailLen);
    while (need > this.tailLen) {
      // Take only what this unit needs: the rest of the chunk is walked in place, without a copy.
      const take = Math.min(need - this.tailLen, chunk.length - from);
      this.append(chunk, from, from + take);
      from += take;
      if (this.tailLen < need) return -1;
      need = this.unitLength(this.tailView, this.tailLen);
    }
    const tailStart = chunkStart - (this.tailLen - from);
    const used = this.walk(this.tail, this.tailView, 0, this.tailLen, tailStart, sink);
    if (!this.stopped && used !== this.tailLen) throw new Error(`${this.format} reader: unitLength and walk disagree at byte ${tailStart}`);
    this.tailLen = 0;
    return from;
  }

  private keep(buf: Buffer, from: number, to: number): void {
    this.tailLen = 0;
    this.append(buf, from, to);
  }

  private append(buf: Buffer, from: number, to: number): void {
    const n = to - from;
    if (this.tailLen + n > this.tail.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.tail.length * 2, this.tailLen + n));
      this.tail.copy(grown, 0, 0, this.tailLen);
      this.tail = grown;
      this.tailView = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
    }
    buf.copy(this.tail, this.tailLen, from, to);
    this.tailLen += n;
  }
}

/** A u32 as 8 hex digits, for messages. */
export function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
