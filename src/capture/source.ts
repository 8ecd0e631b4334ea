/**
 * Where capture bytes come from: a regular file, a pipe/FIFO/stdin `-`, and either of them gzip-compressed
 * (recognised by the 1f 8b magic, never by the name; node:zlib as a stream). Nothing is ever buffered whole. The
 * sha256 and size are of the raw bytes as read, before decompression.
 *
 * How each is read:
 * - big plain regular files and stdin as a pipe, socket or file: a ReadThread (read_thread.ts) reads and hashes in a
 *   worker, into shared 1 MiB slots the walker takes without a copy;
 * - small regular files (below WORKER_MIN): fs.readSync into one reused 1 MiB buffer, hashed inline (a worker costs
 *   ~30 ms to start), the fastest way per ../shared/bench/ANCHORS.md (14.3 M pkt/s against 9.5 M for createReadStream);
 * - gzip files, named FIFOs and a terminal: streams (a FIFO opened by name may wait for its writer, which may be
 *   in this very process: nad capture), hashed by PipeHasher.
 */
import type { ReadStream } from 'node:fs';
import { closeSync, createReadStream, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type Hasher, InlineHasher, PipeHasher } from './hash.js';
import { enlargePipe } from './pipe_size.js';
import { ReadThread } from './read_thread.js';
import { InputError } from './types.js';

const CHUNK = 1 << 20;
/** Let the event loop run (signals, abort) every this many synchronous file reads. */
const YIELD_EVERY = 16;
/** Slots of a ReadThread's ring (16 MiB ahead of the walker; 64 × 256 KiB and 256 × 64 KiB were no faster from a pipe). */
const SLOTS = 16;
/** Plain regular files at least this big are read by a ReadThread; smaller ones inline. */
const WORKER_MIN = 32 * CHUNK;

export interface SourceOptions {
  signal?: AbortSignal | undefined;
  /** Called after every raw chunk with the raw bytes read so far by this source. */
  onRead?: ((bytesRead: number) => void) | undefined;
  /** Only the first chunk will be read (merge.ts probes a file's first packet): no hash worker. */
  probe?: boolean | undefined;
}

/** One opened input. `chunks` yields decompressed bytes; a yielded Buffer may be reused after the next step. */
export interface Source {
  readonly path: string;
  readonly gzip: boolean;
  /** Raw size when known before reading (regular files), else null. */
  readonly total: number | null;
  readonly chunks: AsyncIterable<Buffer>;
  /** Raw bytes read so far. */
  size(): number;
  /** Hex sha256 of the raw bytes read; call once, after the last chunk. */
  sha256(): Promise<string>;
  /** Releases the hash worker when reading is abandoned (an InputError). */
  close(): void;
  /** True once reading stopped because the signal aborted. */
  interrupted(): boolean;
}

/** Opens path (`-` = stdin). Throws InputError when it cannot be opened or read at all. */
export function openSource(path: string, opts: SourceOptions = {}): Source {
  let size = 0;
  let interrupted = false;
  let fd = -1;
  let regular = false;
  let total: number | null = null;
  if (path !== '-') {
    try {
      // stat before open: opening a FIFO blocks until its writer opens it, and that writer may be in this very
      // process (nad capture), so only regular files are opened synchronously; the rest open in the threadpool.
      const st = statSync(path);
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      if (st.isFile()) {
        fd = openSync(path, 'r');
        regular = true;
        total = fstatSync(fd).size;
      }
    } catch (err) {
      if (fd >= 0) closeSync(fd);
      throw new InputError(path, 0, `cannot open: ${describe(err)}`);
    }
  }

  let gzip = false;
  if (regular) {
    const head = Buffer.alloc(2);
    let n: number;
    try {
      n = readAt(path, fd, head, 0);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    gzip = n === 2 && head[0] === 0x1f && head[1] === 0x8b;
  }
  const onAbort = (): void => {
    interrupted = true;
  };
  /** Counts a raw chunk (hashed already when `hashed`, by a ReadThread). */
  const account = (chunk: Buffer, hashed: boolean): boolean => {
    if (!hashed) hasher?.update(chunk);
    size += chunk.length;
    opts.onRead?.(size);
    if (opts.signal?.aborted === true) interrupted = true;
    return !interrupted;
  };

  let raw: AsyncIterable<Buffer>;
  let thread: ReadThread | null = null;
  let hasher: Hasher | null = null;
  const stdinByThread = path === '-' && readThreadStdin();
  if (regular && !gzip && opts.probe !== true && (total ?? 0) >= WORKER_MIN) {
    thread = new ReadThread(fd, false, SLOTS, CHUNK, true);
    raw = threadChunks(thread, account, opts.signal, onAbort);
  } else if (regular) {
    hasher = new InlineHasher();
    // zlib may hold on to a chunk after write() returns, so gzip input gets fresh buffers from a stream.
    raw = gzip ? streamChunks(createReadStream('', { fd, highWaterMark: CHUNK }), account) : fileChunks(path, fd, account);
  } else if (stdinByThread) {
    thread = new ReadThread(0, true, SLOTS, CHUNK, false);
    raw = threadChunks(thread, account, opts.signal, onAbort);
  } else {
    hasher = new PipeHasher();
    const stream = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: CHUNK });
    raw = streamChunks(stream, account, opts.signal, onAbort);
  }

  const source: Source = {
    path,
    get gzip() {
      return gzip;
    },
    total,
    chunks: regular ? (gzip ? gunzip(raw) : raw) : sniffGzip(raw, (g) => (gzip = g)),
    size: () => size,
    sha256: async () => {
      const hex = thread !== null ? await thread.digest() : await hasher!.digest();
      if (hex === null) throw new Error('the read worker stopped without a digest');
      return hex;
    },
    close: () => {
      thread?.stop();
      hasher?.close();
    },
    interrupted: () => interrupted,
  };
  return source;
}

function readAt(path: string, fd: number, buf: Buffer, pos: number): number {
  try {
    return readSync(fd, buf, 0, buf.length, pos);
  } catch (err) {
    throw new InputError(path, pos, `cannot read: ${describe(err)}`);
  }
}

type Account = (chunk: Buffer, hashed: boolean) => boolean;

/** A small regular file: one reused buffer, read on this thread. */
async function* fileChunks(path: string, fd: number, account: Account): AsyncGenerator<Buffer> {
  const buf = Buffer.allocUnsafe(CHUNK);
  let pos = 0;
  try {
    for (let i = 1; ; i++) {
      const n = readAt(path, fd, buf, pos);
      if (n === 0) return;
      pos += n;
      const chunk = buf.subarray(0, n);
      const go = account(chunk, false);
      yield chunk;
      if (!go) return;
      if (i % YIELD_EVERY === 0) await nextTurn();
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Chunks of a ReadThread. An abort stops the thread at once (a live pipe may send nothing for minutes) and ends
 * the iteration.
 */
async function* threadChunks(t: ReadThread, account: Account, signal?: AbortSignal, onAbort?: () => void): AsyncGenerator<Buffer> {
  const abort = (): void => {
    onAbort?.();
    t.stop();
  };
  if (signal?.aborted === true) abort();
  else signal?.addEventListener('abort', abort, { once: true });
  try {
    for (let i = 1; ; i++) {
      const chunk = await t.chunk();
      if (chunk === null) return;
      const go = account(chunk, true);
      yield chunk;
      if (!go) return;
      // Let the event loop run (signals, abort) now and then: chunks that are ready never wait.
      if (i % YIELD_EVERY === 0) await nextTurn();
    }
  } finally {
    signal?.removeEventListener('abort', abort);
    t.stop();
  }
}

/**
 * Whether a ReadThread can read stdin: a file, or a pipe or socket (made non-blocking here, see read_thread.ts); not a
 * terminal or anything else (read as a stream).
 */
function readThreadStdin(): boolean {
  let st;
  try {
    st = fstatSync(0);
  } catch {
    return false;
  }
  if (st.isFile()) return true;
  if (!st.isFIFO() && !st.isSocket()) return false;
  if (st.isFIFO()) enlargePipe(0);
  // Creating process.stdin opens fd 0 as a libuv pipe, which sets O_NONBLOCK; it stays paused and reads nothing.
  void process.stdin;
  return true;
}

/** For pipes, an abort must not wait for the next chunk (a live capture may send nothing for minutes): it
 *  destroys the stream, which ends the iteration. (Not Promise.race against one long-lived abort promise: every
 *  race leaves a reaction on it that holds its chunk, and a 1.7 GB pipe grew RSS to 1.8 GB.) */
async function* streamChunks(stream: Readable | ReadStream, account: Account, signal?: AbortSignal, onAbort?: () => void): AsyncGenerator<Buffer> {
  let aborted = false;
  const abort = (): void => {
    aborted = true;
    onAbort?.();
    stream.destroy();
  };
  if (signal?.aborted === true) abort();
  else signal?.addEventListener('abort', abort, { once: true });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (aborted) return;
      const go = account(chunk, false);
      yield chunk;
      if (!go) return;
    }
  } catch (err) {
    // A destroyed stream may end its iteration with ERR_STREAM_PREMATURE_CLOSE: that is the abort, not damage.
    if (!aborted) throw err;
  } finally {
    signal?.removeEventListener('abort', abort);
    if (stream !== process.stdin) stream.destroy();
  }
}

/** For streams: peeks at the first two raw bytes, then passes everything through gunzip or unchanged. */
async function* sniffGzip(raw: AsyncIterable<Buffer>, setGzip: (g: boolean) => void): AsyncGenerator<Buffer> {
  const it = raw[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let have = 0;
  while (have < 2) {
    const r = await it.next();
    if (r.done === true) break;
    head.push(r.value);
    have += r.value.length;
  }
  const first = Buffer.concat(head);
  const rest: AsyncIterable<Buffer> = {
    [Symbol.asyncIterator]: () => it,
  };
  async function* all(): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    yield* rest;
  }
  const gzip = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  setGzip(gzip);
  yield* gzip ? gunzip(copies(all())) : all();
}

/** zlib may hold on to a chunk after write() returns: it gets copies of chunks whose buffers are reused. */
async function* copies(raw: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of raw) yield Buffer.from(chunk);
}

async function* gunzip(raw: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const z = createGunzip({ chunkSize: 256 * 1024 });
  const input = Readable.from(raw, { objectMode: false });
  input.on('error', (err) => z.destroy(err));
  input.pipe(z);
  try {
    for await (const chunk of z as AsyncIterable<Buffer>) yield chunk;
  } finally {
    input.destroy();
  }
}

/** A system or zlib error in one phrase. */
export function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    // "ENOENT: no such file or directory, open '/x'" → "no such file or directory (ENOENT)": the path is already named.
    const msg = err.message.replace(/^[A-Z_]+: /, '').replace(/, \w+ '.*'$/, '');
    return code !== undefined && !msg.includes(code) ? `${msg} (${code})` : msg;
  }
  return String(err);
}
