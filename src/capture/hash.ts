/**
 * sha256 of the raw input, computed beside the reader instead of in front of it.
 *
 * Why a worker: on big.pcap (1.73 GB) hashing costs ~1.1 s of CPU (node:crypto, 1.57 GB/s with SHA-NI) against
 * ~0.4 s for reading and walking every record, so an inline hash would make sha256 the slowest stage of the
 * whole pipeline. The worker hashes chunk i while the main thread walks it: both only read the same shared slot,
 * so the file path stays zero-copy. Coordination is Atomics on one Int32Array (state per slot, then length per
 * slot); no message per chunk. Only big regular files use it (big.pcap from a file, 2 cores under load 11-14:
 * 2.7-2.9 s with the worker, 5.6-5.9 s inline, same CPU). Pipes hash inline: copying each chunk into the ring and
 * blocking the event loop on a full ring stalled the pipe (500 MB piped: 3.8-4.3 s inline, 6.2-6.3 s worker).
 * Small files hash inline too: a worker costs ~30 ms to start.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** Slots of the shared ring, each CHUNK bytes. */
const SLOTS = 4;
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
parentPort.postMessage(hash.digest('hex'));
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

class WorkerHasher implements Hasher {
  private readonly state: Int32Array;
  private readonly slots: Buffer[];
  private readonly worker: Worker;
  private readonly result: Promise<string>;
  private next = 0;
  private closed = false;

  constructor(slotSize: number) {
    const data = new SharedArrayBuffer(SLOTS * slotSize);
    const control = new SharedArrayBuffer(2 * SLOTS * Int32Array.BYTES_PER_ELEMENT);
    this.state = new Int32Array(control);
    this.slots = Array.from({ length: SLOTS }, (_, i) => Buffer.from(data, i * slotSize, slotSize));
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { data, control, slots: SLOTS, slotSize } });
    // A blocked worker must never keep the process alive (e.g. after an InputError).
    this.worker.unref();
    this.result = new Promise((resolve, reject) => {
      this.worker.once('message', (hex: string) => resolve(hex));
      this.worker.once('error', reject);
    });
    // Not awaited when close() abandons the digest.
    this.result.catch(() => undefined);
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

  async digest(): Promise<string> {
    this.slot();
    this.commit(-1);
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
