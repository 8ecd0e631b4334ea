/**
 * sha256 of the raw input, computed beside the reader instead of in front of it.
 *
 * Why a worker: on big.pcap (1.73 GB) hashing costs ~1.1 s of CPU (node:crypto, 1.57 GB/s with SHA-NI) against
 * ~0.4 s for reading and walking every record, so an inline hash would make sha256 the slowest stage of the
 * whole pipeline. The worker hashes chunk i while the main thread walks it: both only read the same shared slot,
 * so the file path stays zero-copy. Coordination is Atomics on one Int32Array (state per slot, then length per
 * slot); no message per chunk. Only big regular files use it (big.pcap from a file, 2 cores under load 11-14:
 * 2.7-2.9 s with the worker, 5.6-5.9 s inline, same CPU). Pipes did not take that ring: copying each chunk into it
 * and blocking the event loop on a full ring stalled the pipe (500 MB piped: 3.8-4.3 s inline, 6.2-6.3 s worker);
 * they use PipeHasher (transferred blocks, never a wait). Small files hash inline: a worker costs ~30 ms to start.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** Slots of the shared ring, each CHUNK bytes. */
const SLOTS = 16;
const FREE = 0;
const FULL = 1;
/** A wait longer than this means the worker is gone: fail loudly rather than hang. */
const WAIT_MS = 60_000;

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { data, control, slots, slotSize } = workerData;
const state = new Int32Array(control);
const hash = createHash('sha256');
for (let i = 0; ; i = (i + 1) % slots) {
  Atomics.wait(state, i, ${FREE});
  const len = state[slots + i];
  if (len < 0) break;
  hash.update(new Uint8Array(data, i * slotSize, len));
  Atomics.store(state, i, ${FREE});
  Atomics.notify(state, i);
}
parentPort.postMessage({ hex: hash.digest('hex') });
`;

export interface Hasher {
  /** A buffer to read the next raw chunk into, then commit(n); or null when the hasher takes copies only. */
  slot(): Buffer | null;
  commit(len: number): void;
  /** Hashes a chunk read elsewhere (inline hashers only). */
  update(chunk: Buffer): void;
  digest(): Promise<string>;
  /** Stops the worker, if any, without a digest. */
  close(): void;
}

export function createHasher(useWorker: boolean, slotSize: number): Hasher {
  return useWorker ? new WorkerHasher(slotSize) : new InlineHasher();
}

const PIPE_WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hash = createHash('sha256');
parentPort.on('message', (m) => {
  if (m.buf === null) { parentPort.postMessage({ hex: hash.digest('hex') }); parentPort.close(); return; }
  hash.update(new Uint8Array(m.buf, 0, m.len));
  parentPort.postMessage({ free: m.buf }, [m.buf]);
});
`;

/** Copies of a pipe's chunks, gathered into blocks this big before they travel to the hash worker. */
const PIPE_BLOCK = 1 << 20;

/** A hash worker: the digest arrives as { hex }; other messages go to onMessage. */
abstract class ThreadHasher implements Hasher {
  protected readonly worker: Worker;
  private readonly result: Promise<string>;
  private closed = false;

  constructor(source: string, workerData?: unknown) {
    this.worker = new Worker(source, { eval: true, workerData });
    // A blocked worker must never keep the process alive (e.g. after an InputError).
    this.worker.unref();
    this.result = new Promise((resolve, reject) => {
      this.worker.on('message', (m: { hex?: string; free?: ArrayBuffer }) => {
        if (m.hex !== undefined) resolve(m.hex);
        else this.onMessage(m);
      });
      this.worker.once('error', reject);
    });
    // Not awaited when close() abandons the digest.
    this.result.catch(() => undefined);
  }

  abstract slot(): Buffer | null;
  abstract commit(len: number): void;
  abstract update(chunk: Buffer): void;
  /** Tells the worker that the input ended (it then sends the digest). */
  protected abstract end(): void;

  protected onMessage(_m: { free?: ArrayBuffer }): void {}

  async digest(): Promise<string> {
    this.end();
    const hex = await this.result;
    this.close();
    return hex;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.worker.terminate();
  }
}

/**
 * sha256 of a pipe beside the reader. Stream chunks are copied into 1 MiB blocks that are transferred (not shared,
 * so nothing ever waits for a slot: the ring that stalled pipes, see above, is not used) and come back to be
 * reused; a block is only allocated when none has come back yet. Copying costs ~0.1 s per GB on the reading thread,
 * hashing ~0.65 s per GB off it.
 */
export class PipeHasher extends ThreadHasher {
  private readonly free: ArrayBuffer[] = [];
  private block: Buffer = Buffer.from(new ArrayBuffer(PIPE_BLOCK));
  private used = 0;

  constructor() {
    super(PIPE_WORKER_SOURCE);
  }

  protected override onMessage(m: { free?: ArrayBuffer }): void {
    if (m.free !== undefined) this.free.push(m.free);
  }

  slot(): Buffer | null {
    return null;
  }
  commit(): void {
    throw new Error('PipeHasher has no slots');
  }

  update(chunk: Buffer): void {
    for (let off = 0; off < chunk.length; ) {
      const n = Math.min(chunk.length - off, PIPE_BLOCK - this.used);
      chunk.copy(this.block, this.used, off, off + n);
      this.used += n;
      off += n;
      if (this.used === PIPE_BLOCK) this.send();
    }
  }

  private send(): void {
    const buf = this.block.buffer as ArrayBuffer;
    this.worker.postMessage({ buf, len: this.used }, [buf]);
    this.block = Buffer.from(this.free.pop() ?? new ArrayBuffer(PIPE_BLOCK));
    this.used = 0;
  }

  protected end(): void {
    if (this.used > 0) this.send();
    this.worker.postMessage({ buf: null, len: 0 });
  }
}

class InlineHasher implements Hasher {
  private readonly hash = createHash('sha256');
  slot(): Buffer | null {
    return null;
  }
  commit(): void {
    throw new Error('InlineHasher has no slots');
  }
  update(chunk: Buffer): void {
    this.hash.update(chunk);
  }
  digest(): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }
  close(): void {}
}

class WorkerHasher extends ThreadHasher {
  private readonly state: Int32Array;
  private readonly slots: Buffer[];
  private next = 0;

  constructor(slotSize: number) {
    const data = new SharedArrayBuffer(SLOTS * slotSize);
    const control = new SharedArrayBuffer(2 * SLOTS * Int32Array.BYTES_PER_ELEMENT);
    super(WORKER_SOURCE, { data, control, slots: SLOTS, slotSize });
    this.state = new Int32Array(control);
    this.slots = Array.from({ length: SLOTS }, (_, i) => Buffer.from(data, i * slotSize, slotSize));
  }

  slot(): Buffer {
    const i = this.next;
    if (Atomics.wait(this.state, i, FULL, WAIT_MS) === 'timed-out') throw new Error('sha256 worker stopped responding');
    const s = this.slots[i];
    if (s === undefined) throw new Error('hash ring slot out of range');
    return s;
  }

  commit(len: number): void {
    const i = this.next;
    this.state[SLOTS + i] = len;
    Atomics.store(this.state, i, FULL);
    Atomics.notify(this.state, i);
    this.next = (i + 1) % SLOTS;
  }

  update(): void {
    throw new Error('WorkerHasher hashes its own slots only');
  }

  protected end(): void {
    this.slot();
    this.commit(-1);
  }
}
