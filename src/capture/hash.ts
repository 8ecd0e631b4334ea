/**
 * sha256 of inputs that a ReadThread (read_thread.ts, which hashes in its own worker) does not read.
 *
 * - PipeHasher, for streams (a named FIFO, a terminal): hashing costs ~0.65 s of CPU per GB (node:crypto, SHA-NI),
 *   so it runs in a worker. Stream chunks are copied into 1 MiB blocks that are transferred, not shared, so the
 *   reading thread never waits for the hasher.
 * - InlineHasher, for small files (a worker costs ~30 ms to start) and gzip files.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export interface Hasher {
  /** Hashes the next chunk of the input. */
  update(chunk: Buffer): void;
  digest(): Promise<string>;
  /** Stops the worker, if any, without a digest. */
  close(): void;
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

/**
 * sha256 of a stream beside the reader. Chunks are copied into 1 MiB blocks that are transferred and come back to
 * be reused; a block is only allocated when none has come back yet. Copying costs ~0.1 s per GB on the reading
 * thread, hashing ~0.65 s per GB off it.
 */
export class PipeHasher implements Hasher {
  private readonly worker: Worker;
  private readonly result: Promise<string>;
  private readonly free: ArrayBuffer[] = [];
  private block: Buffer = Buffer.from(new ArrayBuffer(PIPE_BLOCK));
  private used = 0;
  private closed = false;

  constructor() {
    this.worker = new Worker(PIPE_WORKER_SOURCE, { eval: true });
    // Never keep the process alive on its own (e.g. after an InputError).
    this.worker.unref();
    this.result = new Promise((resolve, reject) => {
      this.worker.on('message', (m: { hex?: string; free?: ArrayBuffer }) => {
        if (m.hex !== undefined) resolve(m.hex);
        else if (m.free !== undefined) this.free.push(m.free);
      });
      this.worker.once('error', reject);
    });
    // Not awaited when close() abandons the digest.
    this.result.catch(() => undefined);
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

  async digest(): Promise<string> {
    if (this.used > 0) this.send();
    this.worker.postMessage({ buf: null, len: 0 });
    const hex = await this.result;
    this.close();
    return hex;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.worker.terminate();
  }

  private send(): void {
    const buf = this.block.buffer as ArrayBuffer;
    this.worker.postMessage({ buf, len: this.used }, [buf]);
    this.block = Buffer.from(this.free.pop() ?? new ArrayBuffer(PIPE_BLOCK));
    this.used = 0;
  }
}

export class InlineHasher implements Hasher {
  private readonly hash = createHash('sha256');
  update(chunk: Buffer): void {
    this.hash.update(chunk);
  }
  digest(): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }
  close(): void {}
}
