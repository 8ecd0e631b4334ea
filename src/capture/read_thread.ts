/**
 * Reading and sha256 in a thread beside the walker: a worker reads the input's file descriptor into a ring of
 * shared 1 MiB slots and hashes each slot; the reading thread only walks full slots. Used for big regular files
 * and for stdin when it is a pipe, a socket or a file.
 *
 * Why. From a file, the read syscalls (a page-cache copy, ~0.45 s for big.pcap) and the hash (~1.1 s) leave the
 * reading thread. From a pipe, Node's stream gave the reading thread 64 KiB at a time, and it sat idle half the
 * run waiting on the writer (profile: 5.1 of 10.1 s idle with `cat big.pcap |`): the pipe holds 64 KiB, so the
 * writer could never run ahead of the walker. The worker drains the pipe into the ring while the walker works.
 *
 * A pipe must never keep nad alive after it has finished (a worker blocked in read(2) holds the process until the
 * writer writes or closes, even after process.exit). So a pipe or socket on fd 0 is put in non-blocking mode first
 * (creating process.stdin does that through libuv; Node restores the flags at exit); the worker then polls: a read
 * that would block commits what the slot holds and sleeps 50 µs…5 ms on the stop word, which stop() wakes.
 *
 * Each slot is hashed as soon as it is read (hot in the reading core's cache); the hash state after each of the last
 * ring + 1 slots is kept, so an interrupted run digests exactly the slots the walker consumed.
 *
 * Coordination is Atomics on one Int32Array: a state per slot (FREE/FULL), a length per slot (−1 end of input,
 * −2 error, whose details arrive as a message), and a stop word. No message per chunk.
 */
import { closeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const FREE = 0;
const FULL = 1;
const END = -1;
const FAILED = -2;

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { readSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { fd, data, control, slots, slotSize, sequential } = workerData;
const BATCH = 4;
// A read that would block throws EAGAIN: thousands per second on a pipe, so no stack traces.
Error.stackTraceLimit = 0;
const state = new Int32Array(control);
const STOP = 2 * slots;
const hash = createHash('sha256');
// Slots are numbered in read order (seq). Each is hashed as soon as it is read, while its bytes are still in this
// core's cache, and the hash state after it is kept (hash.copy()) until the slot is refilled: an interrupted run
// then digests exactly the slots the walker consumed (it releases them in order), not what was read ahead.
// One more than the ring: the digest may need the state after the slot just before the oldest one still held.
const after = new Array(slots + 1).fill(null);
let fillSeq = 0;
const stopped = () => Atomics.load(state, STOP) !== 0;
function waitFree(i) {
  while (Atomics.load(state, i) !== ${FREE}) {
    if (stopped()) return false;
    Atomics.wait(state, i, ${FULL}, 50);
  }
  return !stopped();
}
function commit(i, len) {
  state[slots + i] = len;
  Atomics.store(state, i, ${FULL});
  Atomics.notify(state, i);
}
/** The digest of the slots the walker released: every seq before the oldest one still held or unread. */
function consumedDigest() {
  // An end marker, once committed, sits in the slot of seq fillSeq - slots, which was released before it (waitFree).
  let c = Math.max(0, fillSeq - slots + (marked ? 1 : 0));
  while (c < fillSeq && Atomics.load(state, c % slots) === ${FREE}) c++;
  if (c === fillSeq) return hash.digest('hex');
  return c === 0 ? createHash('sha256').digest('hex') : after[(c - 1) % (slots + 1)].digest('hex');
}
let pos = 0, nap = 0, end = ${END}, marked = false;
outer: for (;;) {
  const i = fillSeq % slots;
  // Wait until BATCH slots are free, not one: the walker releases in order, so slot i + BATCH - 1 free means all of
  // them are, and this thread wakes once per BATCH slots instead of once per slot (the walker's notify is a syscall
  // only when this thread waits on that very slot).
  if (!waitFree((fillSeq + BATCH - 1) % slots) || !waitFree(i)) break;
  const view = new Uint8Array(data, i * slotSize, slotSize);
  let off = 0, eof = false;
  while (off < slotSize) {
    let n;
    try {
      n = readSync(fd, view, off, slotSize - off, sequential ? null : pos);
    } catch (err) {
      if (err && err.code === 'EAGAIN') {
        // The pipe is empty for now: hand over what the slot holds at once (holding it back until the slot filled
        // up made the walker wait for it: cat big.pcap | nad, 4.9 → 5.8 s).
        if (off > 0) break;
        if (stopped()) break outer;
        nap = nap === 0 ? 0.05 : Math.min(nap * 2, 5);
        Atomics.wait(state, STOP, 0, nap);
        continue;
      }
      parentPort.postMessage({ error: { message: String(err && err.message), code: String((err && err.code) || 'EIO'), offset: pos } });
      end = ${FAILED};
      eof = true;
      break;
    }
    nap = 0;
    if (n === 0) { eof = true; break; }
    off += n;
    pos += n;
  }
  if (off > 0) {
    hash.update(new Uint8Array(data, i * slotSize, off));
    after[fillSeq % (slots + 1)] = hash.copy();
    commit(i, off);
    fillSeq++;
  }
  if (eof) {
    const j = fillSeq % slots;
    if (waitFree(j)) { commit(j, end); marked = true; }
    break;
  }
}
parentPort.postMessage({ hex: stopped() ? consumedDigest() : hash.digest('hex') });
`;

/** Atomics.waitAsync (V8, Node >= 16) is in TypeScript's ES2024 lib; the project's lib is ES2023 (Node 20). */
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

/** A read error of the worker, as node:fs would have thrown it (OpenInput turns it into damage or an InputError). */
export class ReadThreadError extends Error {
  readonly code: string;
  readonly offset: number;
  constructor(message: string, code: string, offset: number) {
    super(message);
    this.code = code;
    this.offset = offset;
  }
}

export class ReadThread {
  private readonly worker: Worker;
  /** Number of slots. */
  private readonly n: number;
  private readonly state: Int32Array;
  private readonly slots: Buffer[];
  private readonly stopIndex: number;
  private readonly digestP: Promise<string | null>;
  private error: ReadThreadError | null = null;
  private next = 0;
  /** The slot handed out last, released when the next one is asked for. */
  private held = -1;
  private done = false;

  /**
   * fd: an open descriptor (a pipe or socket already non-blocking, see above), closed when the worker has exited if
   * closeFd. sequential: read at the current position (stdin) instead of from offset 0.
   */
  constructor(fd: number, sequential: boolean, slots: number, slotSize: number, closeFd: boolean) {
    this.n = slots;
    const data = new SharedArrayBuffer(slots * slotSize);
    const control = new SharedArrayBuffer((2 * slots + 1) * Int32Array.BYTES_PER_ELEMENT);
    this.state = new Int32Array(control);
    this.stopIndex = 2 * slots;
    this.slots = Array.from({ length: slots }, (_, i) => Buffer.from(data, i * slotSize, slotSize));
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { fd, data, control, slots, slotSize, sequential } });
    // Never keep the process alive on its own (after an InputError, or an abandoned input).
    this.worker.unref();
    this.digestP = new Promise((resolve, reject) => {
      this.worker.on('message', (m: { hex?: string | null; error?: { message: string; code: string; offset: number } }) => {
        if (m.error !== undefined) this.error = new ReadThreadError(m.error.message, m.error.code, m.error.offset);
        if (m.hex !== undefined) resolve(m.hex);
      });
      this.worker.once('error', reject);
      this.worker.once('exit', () => {
        // Closed only once the worker is gone: a descriptor closed under a read could be reused by the next open.
        if (closeFd) closeSync(fd);
        resolve(null);
      });
    });
    this.digestP.catch(() => undefined);
  }

  /**
   * The next chunk (valid until the next call), or null at end of input. Resolves at once when the slot is full;
   * otherwise waits without blocking the event loop (signals still run; stop() wakes it).
   */
  async chunk(): Promise<Buffer | null> {
    this.release();
    if (this.done) return null;
    const i = this.next;
    for (;;) {
      if (Atomics.load(this.state, this.stopIndex) !== 0) return this.finish();
      if (Atomics.load(this.state, i) === FULL) break;
      const w = waitAsync(this.state, i, FREE, 1000);
      if (w.async) await w.value;
    }
    const len = this.state[this.n + i]!;
    if (len < 0) {
      this.finish();
      if (len === FAILED) {
        // The worker posts the error before it marks the slot; the message may still be on its way.
        await this.digestP;
        throw this.error ?? new ReadThreadError('read failed', 'EIO', 0);
      }
      return null;
    }
    this.held = i;
    this.next = (i + 1) % this.n;
    return this.slots[i]!.subarray(0, len);
  }

  /** Hex sha256 of the bytes handed out (all of them once chunk() returned null); null if the worker died. */
  digest(): Promise<string | null> {
    return this.digestP;
  }

  /** Stops reading (an abort, or an abandoned input): the worker exits within one poll; a waiting chunk() returns null. */
  stop(): void {
    // The held slot is released first, so the digest counts it (stop runs between chunks: the walker is done with it).
    this.release();
    Atomics.store(this.state, this.stopIndex, 1);
    Atomics.notify(this.state, this.stopIndex);
    for (let i = 0; i < this.n; i++) Atomics.notify(this.state, i);
  }

  private release(): void {
    const h = this.held;
    if (h < 0) return;
    this.held = -1;
    Atomics.store(this.state, h, FREE);
    Atomics.notify(this.state, h);
  }

  private finish(): null {
    this.done = true;
    return null;
  }
}
