import type { Packet } from '../decode/layer.js';

/** Damage that stops a reader, or bad usage: the CLI prints `nad: <file>: byte <offset>: <what>` and exits 2. */
export class InputError extends Error {
  readonly file: string;
  readonly offset: number;
  constructor(file: string, offset: number, what: string) {
    super(`${file}: byte ${offset}: ${what}`);
    this.name = 'InputError';
    this.file = file;
    this.offset = offset;
  }
}

/** Receives every record; the Packet is only valid until packet() returns. An object made once (htmlparser2's Callbacks). */
export interface PacketSink {
  packet(p: Packet): void;
  /** Optional: called with each chunk of a single input before its records are handed to packet(); the chunk is
   *  unchanged until the next call (scale/workers.ts copies it once instead of each packet). */
  chunk?(buf: Buffer): void;
}

/** A tally of one kind of warning or damage: how often, and where first (Zeek's weird.log idea). */
export interface WarningTally {
  count: number;
  /** Byte offset of the first occurrence in the (decompressed) input, -1 when it has none. */
  first_offset: number;
  /** One plain sentence about the first occurrence. */
  message: string;
}

/** What a reader saw of one input. Written into summary.json per input. */
export interface ReadSummary {
  format: 'pcap' | 'pcapng' | 'unknown';
  /** Whether the input was gzip-compressed. */
  gzip: boolean;
  packets: number;
  /** Captured bytes of all records (sum of caplen). */
  bytes: number;
  /** Bytes of the (decompressed) input left unread after damage or at a cut, 0 when the input ended cleanly. */
  lost_bytes: number;
  /** LINKTYPE_* numbers seen, in order of first appearance. */
  link_types: number[];
  /** First and last timestamp in file order as `sec.nnnnnnnnn`, null when there were no timestamped packets. */
  first_ts: string | null;
  last_ts: string | null;
  /** pcapng blocks skipped by type name (NRB, ISB, DSB, custom, unknown:0x…), and counted. */
  skipped_blocks: Record<string, number>;
  /** Warnings and damage by kind (e.g. caplen_gt_snaplen, truncated_record, invalid_subsecond). */
  warnings: Record<string, WarningTally>;
  /** Set when reading stopped early because of damage: what and where. The packets before it were kept. */
  stopped: { offset: number; what: string } | null;
}

/** A push parser for one container format (htmlparser2's write(chunk) style): the stream adapter is a thin shell. */
export interface CaptureReader {
  /** Walks the complete records in chunk (after any kept tail), calls sink for each, keeps the partial tail. */
  push(chunk: Buffer, sink: PacketSink): void;
  /** End of input: reports a cut record, returns the summary. */
  end(sink: PacketSink): ReadSummary;
}

/** One input of a run, as the user named it. `-` is stdin. */
export interface InputSpec {
  path: string;
  /** Index of this input in the run, copied into Packet.input. */
  index: number;
}

/** What the run records about each input (summary.json `inputs[]`). */
export interface InputSummary extends ReadSummary {
  path: string;
  /** sha256 of the bytes as read (before decompression), hex. */
  sha256: string;
  /** Bytes read from the file or pipe (before decompression). */
  size: number;
  /** True when reading was cut short by SIGINT/SIGTERM or an abort. */
  interrupted: boolean;
}
