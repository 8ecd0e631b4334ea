/**
 * One input from open to summary: the source, the format by magic bytes, and the rule that decides between an
 * error and a damaged-but-usable input.
 *
 * The rule. An input that yields no packet at all because of damage (bad magic, empty, short or unsupported header,
 * bad byte-order magic, a block that is damaged before the first packet) throws InputError(file, offset, what): the
 * CLI prints one line and exits 2. Damage after at least one packet does not throw: the packets read stay delivered,
 * and the summary says where and why reading stopped (`stopped`), how many bytes were lost, and the warnings.
 * Reading continues to the end of the raw input after damage (not parsing it), so sha256 and size always cover the
 * whole file.
 */
import { PcapReader, isPcapMagic } from './pcap.js';
import { PCAPNG_SHB, PcapngReader } from './pcapng.js';
import type { ChunkedReader } from './reader.js';
import type { Source, SourceOptions } from './source.js';
import { describe, openSource } from './source.js';
import type { InputSummary, PacketSink } from './types.js';
import { InputError } from './types.js';

/** An input being read: push its chunks with step() until it returns false, then finish(). */
export class OpenInput {
  readonly path: string;
  readonly index: number;
  private readonly source: Source;
  private readonly it: AsyncIterator<Buffer>;
  private reader: ChunkedReader | null = null;

  constructor(path: string, index: number, opts: SourceOptions) {
    this.path = path;
    this.index = index;
    this.source = openSource(path, opts);
    this.it = this.source.chunks[Symbol.asyncIterator]();
  }

  get total(): number | null {
    return this.source.total;
  }

  /** The container format, once start() has read the magic. */
  get format(): 'pcap' | 'pcapng' | 'unknown' {
    return this.reader instanceof PcapReader ? 'pcap' : this.reader instanceof PcapngReader ? 'pcapng' : 'unknown';
  }

  get gzip(): boolean {
    return this.source.gzip;
  }

  /** Reads the first bytes and picks the reader by magic. Throws InputError when the input is no capture. */
  async start(sink: PacketSink): Promise<void> {
    const head: Buffer[] = [];
    let have = 0;
    while (have < 4) {
      let r: Buffer | null;
      try {
        r = await this.next();
      } catch (err) {
        if (!isIoError(err)) throw err;
        throw new InputError(this.path, have, `cannot read: ${describe(err)}`);
      }
      if (r === null) break;
      head.push(Buffer.from(r));
      have += r.length;
    }
    const first = Buffer.concat(head);
    const what = this.source.gzip ? ' after gunzip' : '';
    if (first.length < 4 && this.source.interrupted()) throw new InputError(this.path, 0, 'interrupted before a capture header was read');
    if (first.length === 0) throw new InputError(this.path, 0, `empty file${what}: no capture header`);
    if (first.length < 4) throw new InputError(this.path, 0, `file too short for a capture header${what}: ${first.length} bytes`);
    const le = first.readUInt32LE(0);
    if (isPcapMagic(le)) this.reader = new PcapReader(this.index);
    else if (le === PCAPNG_SHB) this.reader = new PcapngReader(this.index);
    else {
      const nested = first[0] === 0x1f && first[1] === 0x8b ? ' (gzip inside gzip is not supported)' : '';
      throw new InputError(this.path, 0, `unknown file format${what}: magic 0x${first.toString('hex', 0, 4)} is neither pcap nor pcapng${nested}`);
    }
    this.reader.push(first, sink);
  }

  /** Pushes the next chunk; false at end of input. A read or gunzip error midway becomes damage, not a throw. */
  async step(sink: PacketSink): Promise<boolean> {
    const reader = this.reader;
    if (reader === null) throw new Error('OpenInput.step before start');
    let chunk: Buffer | null;
    try {
      chunk = await this.next();
    } catch (err) {
      if (!isIoError(err)) throw err;
      reader.fail(`${this.source.gzip ? 'gzip data' : 'input'} cut short or corrupt: ${describe(err)}`);
      return false;
    }
    if (chunk === null) return false;
    reader.push(chunk, sink);
    return true;
  }

  /** End of input: the summary, or InputError under the rule above. */
  async finish(sink: PacketSink): Promise<InputSummary> {
    const reader = this.reader;
    if (reader === null) throw new Error('OpenInput.finish before start');
    if (this.source.interrupted()) reader.interrupt();
    const s = reader.end(sink);
    if (s.stopped !== null && s.packets === 0) throw new InputError(this.path, s.stopped.offset, s.stopped.what);
    return {
      ...s,
      gzip: this.source.gzip,
      path: this.path,
      sha256: await this.source.sha256(),
      size: this.source.size(),
      interrupted: this.source.interrupted(),
    };
  }

  /** Abandons the input (after an error elsewhere): closes the file and the hash worker. */
  async close(): Promise<void> {
    await this.it.return?.();
    this.source.close();
  }

  private async next(): Promise<Buffer | null> {
    const r = await this.it.next();
    return r.done === true ? null : r.value;
  }
}

/** Errors of the file system or zlib (they carry a code); anything else is a bug and keeps its stack. */
function isIoError(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}
