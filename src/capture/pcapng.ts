/**
 * pcapng (draft-ietf-opsawg-pcapng): sections in either byte order, one after another in one file, even of
 * different endianness (pcapng-test-generator difficult/test202); per-interface link type, snaplen, if_tsresol and
 * if_tsoffset; Enhanced, Simple and obsolete (type 2) Packet Blocks. Every other block is skipped and counted by name.
 *
 * Damage stops the input at the block's offset (packets before it are kept): a block total length that is < 12, not
 * a multiple of 4, above 16 MiB or not repeated in the trailer; a version other than 1.0; an SHB or IDB option that
 * runs past its block (packet-block options are not read); a packet whose captured length runs past its block; a packet on an interface the section has not described
 * (tshark stops there too). No buffer is ever sized from an unchecked length.
 * Simple Packet Blocks carry no timestamp: see time.ts for what their packets get.
 */
import { ChunkedReader, MAX_CAPLEN, hex8 } from './reader.js';
import type { TsResolution } from './time.js';
import { ticksToTs, tsResolution } from './time.js';
import type { PacketSink } from './types.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
const BOM_SWAPPED = 0x4d3c2b1a;
/** libpcap's initial maximum block size: above it a length is taken as damage, never as an allocation. */
const MAX_BLOCK = 16 * 1024 * 1024;
const MIN_BLOCK = 12;

const Block = { Idb: 1, Pb: 2, Spb: 3, Epb: 6 } as const;

/** Names of the blocks nad skips, as counted in skipped_blocks. */
const SKIPPED_NAMES: ReadonlyMap<number, string> = new Map([
  [4, 'NRB'],
  [5, 'ISB'],
  [7, 'IRIG'],
  [8, 'AFDX'],
  [9, 'SJE'],
  [0x0a, 'DSB'],
  [0x0bad, 'CB'],
  [0x40000bad, 'DCB'],
]);

interface Iface {
  linktype: number;
  /** 0: no limit. */
  snaplen: number;
  res: TsResolution;
  /** Whether a packet of this interface was read (link_types lists only those). */
  used: boolean;
}

export class PcapngReader extends ChunkedReader {
  readonly format = 'pcapng' as const;
  private le = true;
  private sections = 0;
  private ifaces: Iface[] = [];

  protected walk(buf: Buffer, view: DataView, from: number, to: number, base: number, sink: PacketSink): number {
    let o = from;
    const p = this.packet;
    p.buf = buf;
    p.view = view;
    while (to - o >= MIN_BLOCK) {
      const first = view.getUint32(o, true);
      if (first === PCAPNG_SHB) {
        const bom = view.getUint32(o + 8, true);
        if (bom !== BOM && bom !== BOM_SWAPPED) {
          this.stop(base + o + 8, `pcapng section header byte-order magic 0x${hex8(bom)} is not 0x${hex8(BOM)}`);
          return o;
        }
        this.le = bom === BOM;
      } else if (this.sections === 0) {
        this.stop(base + o, `pcapng file does not start with a section header block (type 0x${hex8(first)})`);
        return o;
      }
      const le = this.le;
      const type = view.getUint32(o, le);
      const blen = view.getUint32(o + 4, le);
      const bad = badLength(blen);
      if (bad !== null) {
        this.stop(base + o, `pcapng block type 0x${hex8(type)}: total length ${blen} ${bad}`);
        return o;
      }
      if (blen > to - o) break;
      const trailer = view.getUint32(o + blen - 4, le);
      if (trailer !== blen) {
        this.stop(base + o, `pcapng block type 0x${hex8(type)}: total length ${blen} at its start but ${trailer} in its trailer`);
        return o;
      }
      switch (type) {
        case Block.Epb:
        case Block.Pb:
          this.packetBlock(type, view, o, blen, base, sink);
          break;
        case Block.Spb:
          this.simplePacket(view, o, blen, base, sink);
          break;
        case Block.Idb:
          this.interfaceBlock(view, o, blen, base);
          break;
        case PCAPNG_SHB:
          this.sectionHeader(view, o, blen, base);
          break;
        default:
          this.skip(SKIPPED_NAMES.get(type) ?? `unknown:0x${hex8(type)}`);
      }
      if (this.stopped) return o;
      o += blen;
    }
    return o;
  }

  protected unitLength(view: DataView, len: number): number {
    if (len < MIN_BLOCK) return MIN_BLOCK;
    let le = this.le;
    if (view.getUint32(0, true) === PCAPNG_SHB) {
      const bom = view.getUint32(8, true);
      if (bom !== BOM && bom !== BOM_SWAPPED) return MIN_BLOCK;
      le = bom === BOM;
    }
    const blen = view.getUint32(4, le);
    return badLength(blen) === null ? blen : MIN_BLOCK;
  }

  protected cutShort(present: number, view: DataView): string | null {
    if (present === 0) return this.sections === 0 ? 'file too short for a pcapng section header block' : null;
    if (present < MIN_BLOCK) return `pcapng block header cut short at end of input: ${present} of ${MIN_BLOCK} bytes`;
    return `pcapng block cut short at end of input: ${present} of ${this.unitLength(view, present)} bytes present`;
  }

  /** EPB (type 6) and the obsolete Packet Block (type 2, 16-bit interface id + 16-bit drop count): same layout. */
  private packetBlock(type: number, view: DataView, o: number, blen: number, base: number, sink: PacketSink): void {
    const name = type === Block.Epb ? 'EPB' : 'packet block (type 2)';
    if (blen < 32) return this.stop(base + o, `${name} total length ${blen} is below its 32-byte minimum`);
    const le = this.le;
    const id = type === Block.Epb ? view.getUint32(o + 8, le) : view.getUint16(o + 8, le);
    const ifc = this.ifaces[id];
    if (ifc === undefined) {
      return this.stop(base + o, `${name} refers to interface ${id}, but the section has described ${this.ifaces.length}`);
    }
    const caplen = view.getUint32(o + 20, le);
    if (caplen > blen - 32) return this.stop(base + o, `${name} captured length ${caplen} runs past its block (total length ${blen})`);
    const p = this.packet;
    ticksToTs(ifc.res, view.getUint32(o + 12, le), view.getUint32(o + 16, le), p);
    this.lastSec = p.ts_sec;
    this.lastNsec = p.ts_nsec;
    if (Number.isNaN(this.firstSec)) {
      this.firstSec = p.ts_sec;
      this.firstNsec = p.ts_nsec;
    }
    this.deliver(ifc, o + 28, caplen, view.getUint32(o + 24, le), base + o, sink);
  }

  /** SPB (type 3): interface 0, no timestamp; captured length = min(original length, snaplen, block body). */
  private simplePacket(view: DataView, o: number, blen: number, base: number, sink: PacketSink): void {
    if (blen < 16) return this.stop(base + o, `SPB total length ${blen} is below its 16-byte minimum`);
    const ifc = this.ifaces[0];
    if (ifc === undefined) return this.stop(base + o, 'SPB before any interface description block');
    const wirelen = view.getUint32(o + 8, this.le);
    let caplen = Math.min(wirelen, blen - 16);
    if (ifc.snaplen !== 0 && caplen > ifc.snaplen) caplen = ifc.snaplen;
    this.warn('no_timestamp', base + o, 'simple packet block has no timestamp: packet kept with the previous time');
    this.deliver(ifc, o + 12, caplen, wirelen, base + o, sink);
  }

  private deliver(ifc: Iface, start: number, caplen: number, wirelen: number, at: number, sink: PacketSink): void {
    const p = this.packet;
    if (!ifc.used) {
      ifc.used = true;
      this.addLinkType(ifc.linktype);
    }
    if (caplen > MAX_CAPLEN) this.warn('caplen_over_256k', at, `captured length ${caplen} exceeds ${MAX_CAPLEN} bytes`);
    if (ifc.snaplen !== 0 && caplen > ifc.snaplen) this.warn('caplen_gt_snaplen', at, `captured length ${caplen} exceeds the interface snaplen ${ifc.snaplen}`);
    if (caplen > wirelen) this.warn('caplen_gt_origlen', at, `captured length ${caplen} exceeds the original length ${wirelen}`);
    p.linktype = ifc.linktype;
    p.start = p.off = start;
    p.end = start + caplen;
    p.caplen = caplen;
    p.wirelen = wirelen;
    p.file_offset = at;
    this.packets++;
    this.bytes += caplen;
    sink.packet(p);
  }

  private interfaceBlock(view: DataView, o: number, blen: number, base: number): void {
    if (blen < 20) return this.stop(base + o, `IDB total length ${blen} is below its 20-byte minimum`);
    const le = this.le;
    let tsresol = 6;
    let offsetS = 0;
    const end = o + blen - 4;
    for (let q = o + 16; q + 4 <= end; ) {
      const code = view.getUint16(q, le);
      const len = view.getUint16(q + 2, le);
      if (code === 0) break;
      if (q + 4 + len > end) return this.stop(base + q, `IDB option ${code} of length ${len} runs past its block`);
      if (code === 9 && len >= 1) tsresol = view.getUint8(q + 4);
      // if_tsoffset: signed 64-bit seconds; exact as a Number below 2^53.
      if (code === 14 && len >= 8) offsetS = le ? view.getInt32(q + 8, le) * 4294967296 + view.getUint32(q + 4, le) : view.getInt32(q + 4, le) * 4294967296 + view.getUint32(q + 8, le);
      q += 4 + ((len + 3) & ~3);
    }
    this.ifaces.push({ linktype: view.getUint16(o + 8, le), snaplen: view.getUint32(o + 12, le), res: tsResolution(tsresol, offsetS), used: false });
  }

  private sectionHeader(view: DataView, o: number, blen: number, base: number): void {
    if (blen < 28) return this.stop(base + o, `section header block total length ${blen} is below its 28-byte minimum`);
    const major = view.getUint16(o + 12, this.le);
    const minor = view.getUint16(o + 14, this.le);
    // libpcap and tshark read 1.0 only (libpcap tests/pcapng-invalid-vers-*.pcapng; gopacket test901 has 2.0).
    if (major !== 1 || minor !== 0) return this.stop(base + o + 12, `unsupported pcapng section version ${major}.${minor} (only 1.0)`);
    const end = o + blen - 4;
    for (let q = o + 24; q + 4 <= end; ) {
      const code = view.getUint16(q, this.le);
      const len = view.getUint16(q + 2, this.le);
      if (code === 0) break;
      if (q + 4 + len > end) return this.stop(base + q, `section header option ${code} of length ${len} runs past its block`);
      q += 4 + ((len + 3) & ~3);
    }
    this.sections++;
    this.ifaces = [];
  }
}

/** Why a block total length cannot be right, or null (pcapng draft §3.1: ≥ 12 and a multiple of 4). */
function badLength(blen: number): string | null {
  if (blen < MIN_BLOCK) return `is less than the ${MIN_BLOCK}-byte minimum`;
  if (blen % 4 !== 0) return 'is not a multiple of 4';
  if (blen > MAX_BLOCK) return `exceeds the ${MAX_BLOCK}-byte limit`;
  return null;
}
