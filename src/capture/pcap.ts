/**
 * Classic libpcap files: both byte orders, microsecond (a1b2c3d4) and nanosecond (a1b23c4d) magic.
 * Layout: draft-ietf-opsawg-pcap §4 (24-byte file header) and §5 (16-byte record header).
 *
 * What is damage and what is a warning:
 * - a record whose caplen exceeds 256 KiB (libpcap's MAXIMUM_SNAPLEN) cannot be framed safely: reading stops at
 *   that record's offset, and nothing is allocated for it (sv-bug-6875-01-fuzz.pcap claims 16 MB);
 * - caplen > the header's snaplen, or caplen > orig_len: impossible but self-consistent, so the record is kept and
 *   counted (caplen_gt_snaplen, caplen_gt_origlen), as libpcap and tshark keep it;
 * - a sub-second field ≥ 1e6 µs (1e9 ns): counted (invalid_subsecond); the packet gets no new time (see time.ts);
 * - the input ending inside a record: reported with the record's offset; the bytes after it are lost_bytes.
 */
import { ChunkedReader, MAX_CAPLEN, hex8 } from './reader.js';
import type { PacketSink } from './types.js';

const HEADER = 24;
const RECORD = 16;
/** libpcap's LT_RESERVED1: bits 16-25 of the link-type field must be zero; bits 26-31 carry the FCS length. */
const LT_RESERVED1 = 0x03ff0000;
const LT_FCS_MASK = 0xfc000000;

/** The file's first four bytes, as a little-endian u32, for every classic pcap variant. */
const PCAP_MAGICS = { leMicro: 0xa1b2c3d4, leNano: 0xa1b23c4d, beMicro: 0xd4c3b2a1, beNano: 0x4d3cb2a1 } as const;

export function isPcapMagic(m: number): boolean {
  return m === PCAP_MAGICS.leMicro || m === PCAP_MAGICS.leNano || m === PCAP_MAGICS.beMicro || m === PCAP_MAGICS.beNano;
}

export class PcapReader extends ChunkedReader {
  readonly format = 'pcap' as const;
  private headerDone = false;
  private le = true;
  private nano = false;
  private snaplen = 0;

  protected walk(buf: Buffer, view: DataView, from: number, to: number, base: number, sink: PacketSink): number {
    let o = from;
    if (!this.headerDone) {
      if (to - o < HEADER) return o;
      if (!this.parseHeader(view, o, base)) return o;
      o += HEADER;
    }
    const p = this.packet;
    p.buf = buf;
    p.view = view;
    const le = this.le;
    const nano = this.nano;
    const subLimit = nano ? 1_000_000_000 : 1_000_000;
    const subScale = nano ? 1 : 1000;
    // snaplen 0 (some writers leave it unset) means no limit to compare against.
    const snaplen = this.snaplen === 0 ? MAX_CAPLEN : this.snaplen;
    let packets = 0;
    let bytes = 0;
    let lastSec = this.lastSec;
    let lastNsec = this.lastNsec;
    while (to - o >= RECORD) {
      const caplen = view.getUint32(o + 8, le);
      if (caplen > MAX_CAPLEN) {
        this.stop(base + o, `record caplen ${caplen} exceeds the ${MAX_CAPLEN}-byte limit (header snaplen ${this.snaplen}); cannot find the next record`);
        break;
      }
      const next = o + RECORD + caplen;
      if (next > to) break;
      const sub = view.getUint32(o + 4, le);
      if (sub < subLimit) {
        lastSec = p.ts_sec = view.getUint32(o, le);
        lastNsec = p.ts_nsec = sub * subScale;
        if (Number.isNaN(this.firstSec)) {
          this.firstSec = lastSec;
          this.firstNsec = lastNsec;
        }
      } else {
        this.warn('invalid_subsecond', base + o, `record sub-second field ${sub} is not below ${subLimit}: packet kept, its time not used`);
      }
      const wirelen = view.getUint32(o + 12, le);
      if (caplen > snaplen) this.warn('caplen_gt_snaplen', base + o, `record caplen ${caplen} exceeds the header snaplen ${this.snaplen}`);
      if (caplen > wirelen) this.warn('caplen_gt_origlen', base + o, `record caplen ${caplen} exceeds its original length ${wirelen}`);
      p.start = p.off = o + RECORD;
      p.end = next;
      p.caplen = caplen;
      p.wirelen = wirelen;
      p.file_offset = base + o;
      packets++;
      bytes += caplen;
      sink.packet(p);
      o = next;
    }
    this.packets += packets;
    this.bytes += bytes;
    this.lastSec = lastSec;
    this.lastNsec = lastNsec;
    return o;
  }

  protected unitLength(view: DataView, len: number): number {
    if (!this.headerDone) return HEADER;
    if (len < RECORD) return RECORD;
    const caplen = view.getUint32(8, this.le);
    return caplen > MAX_CAPLEN ? RECORD : RECORD + caplen;
  }

  protected cutShort(present: number, view: DataView): string | null {
    if (!this.headerDone) return `file too short for a pcap header: ${present} of ${HEADER} bytes`;
    if (present === 0) return null;
    if (present < RECORD) return `record header cut short at end of input: ${present} of ${RECORD} bytes`;
    const caplen = view.getUint32(8, this.le);
    return `record cut short at end of input: needs ${caplen} data bytes, ${present - RECORD} present`;
  }

  /** Checks the 24-byte file header; false (and stopped) when it cannot be read. */
  private parseHeader(view: DataView, o: number, base: number): boolean {
    const magic = view.getUint32(o, true);
    this.le = magic === PCAP_MAGICS.leMicro || magic === PCAP_MAGICS.leNano;
    this.nano = magic === PCAP_MAGICS.leNano || magic === PCAP_MAGICS.beNano;
    const major = view.getUint16(o + 4, this.le);
    const minor = view.getUint16(o + 6, this.le);
    // libpcap accepts 2.0-2.4 and rejects 1.x and 2.5 (tests/pcap-invalid-version-*.pcap); tshark reads 2.5.
    if (major !== 2 || minor > 4) {
      this.stop(base + o + 4, `unsupported pcap version ${major}.${minor} (libpcap reads 2.0 to 2.4)`);
      return false;
    }
    this.snaplen = view.getUint32(o + 16, this.le);
    const field = view.getUint32(o + 20, this.le);
    if ((field & LT_RESERVED1) !== 0) {
      this.stop(base + o + 20, `pcap link-type field reserved bits are not zero (0x${hex8(field)})`);
      return false;
    }
    if ((field & LT_FCS_MASK) !== 0) {
      this.warn('linktype_fcs_bits', base + o + 20, `pcap link-type field 0x${hex8(field)} carries FCS-length bits; link type ${field & 0xffff} used`);
    }
    this.packet.linktype = field & 0xffff;
    this.addLinkType(field & 0xffff);
    this.headerDone = true;
    return true;
  }
}
