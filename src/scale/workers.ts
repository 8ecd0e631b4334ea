/**
 * `--workers N`: one capture over N flow tables, one in the reading thread and N - 1 in worker threads, so N cores
 * are busy and none is oversubscribed. The reading thread walks records and decodes each packet once to choose its
 * table by a symmetric hash of the inner IP addresses — both directions of a flow, and every fragment of a datagram,
 * go to the same table. The hash's buckets are given out as they first appear, to a worker unless the workers are
 * behind (choose), so the reading thread takes the share it has time for. Its own packets it counts at once. Each
 * reader chunk is copied once, whole, into a shared chunk slot (chunk), and a worker's packet becomes a header in
 * that worker's current batch pointing into it (batch.ts): one of RING shared buffers per worker used in turn, one
 * message per full batch (256 KiB of headers), none per packet. A buffer's state (free/full) is an Int32 the worker
 * clears when done, and each chunk slot counts the sent batches that point into it; the reader waits on them
 * (Atomics.wait) when a worker falls behind, so memory stays bounded.
 *
 * The reading thread's own table keeps the clock of the whole capture (it ticks with every IP packet: ms since the
 * first IP packet's second), and the reading thread stamps that clock on every record, so each worker's table
 * expires flows exactly as one table would; the records are put in one order afterwards (compareTsUid), so every
 * output is byte-identical to --workers 1.
 */
import type { AppOptions } from '../app/index.js';
import { Worker } from 'node:worker_threads';
import type { Packet } from '../decode/layer.js';
import type { FlowTable, FlowTableOptions } from '../flow/table.js';
import { BatchWriter, BATCH_BYTES, FULL, INLINE, RECORD_HEAD, recordSize } from './batch.js';
import { addShareStats, createFlowShare, emptyShareStats, finishShare, storeLists, type FlowShare, type RecordLists, type RecordStore, type ShareStats } from './share.js';

/** Batch buffers per worker: up to RING - 1 full ones wait while the reader fills the next. */
const RING = 8;

/**
 * Chunk slots: the reader's chunks are copied here whole, once, and batches point into them (batch.ts). Tests shrink
 * them (NAD_TEST_CHUNK_SLOTS="count×bytes", e.g. "2x65536") so that slots are reused within samples/.
 */
const [CHUNK_SLOTS, CHUNK_SLOT_BYTES] = chunkSlotShape(process.env['NAD_TEST_CHUNK_SLOTS']);

function chunkSlotShape(test: string | undefined): [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(test ?? '');
  if (m === null) return [24, 1 << 20];
  return [Math.min(31, Math.max(2, Number(m[1]))), Math.max(1 << 12, Number(m[2]))];
}

export interface WorkerSetup {
  flow: FlowTableOptions;
  app: boolean;
  app_options: AppOptions;
  /** The chunk slots (CHUNK_SLOTS × CHUNK_SLOT_BYTES), and per slot the number of sent batches not yet walked. */
  chunks: SharedArrayBuffer[];
  refs: SharedArrayBuffer;
  /** This worker's RING batch buffers (SharedArrayBuffer, BATCH_BYTES each). */
  ring: SharedArrayBuffer[];
  /** One Int32 per buffer of every worker (FREE/FULL); this worker's are at index * RING. */
  state: SharedArrayBuffer;
  /** One Float64 per worker: its heap in use, bytes, written after every batch (the memory guard, cli/memory.ts). */
  heaps: SharedArrayBuffer;
  index: number;
}

export type ToWorker =
  /** Ring buffer `slot` holds `used` bytes of headers; `chunks` is the bitmask of chunk slots they point into. */
  | { type: 'batch'; slot: number; used: number; epoch: number; chunks: number }
  /** A record too big for a ring buffer, in a buffer of its own. */
  | { type: 'big'; buf: ArrayBuffer; used: number; epoch: number }
  | { type: 'end'; now: number };
/** A worker's records go in batches while it runs (and the last ones before `done`), so it holds few of them. */
export type FromWorker = { type: 'records'; lists: RecordLists } | { type: 'done'; stats: ShareStats };

/** The worker's entry: the compiled .js next to this file, or the .ts source when running under tsx (tests). */
function workerUrl(): URL {
  const self = import.meta.url;
  return new URL(self.endsWith('.ts') ? './flow_worker.ts' : './flow_worker.js', self);
}

/** A symmetric (XOR, then mixed) hash of an IP packet's innermost addresses: the same for both directions. */
export function addressHash(p: Packet): number {
  const v = p.view, s = p.src_ip_off, d = p.dst_ip_off;
  let h = v.getUint32(s) ^ v.getUint32(d);
  if (p.ip_version === 6) h ^= v.getUint32(s + 4) ^ v.getUint32(d + 4) ^ v.getUint32(s + 8) ^ v.getUint32(d + 8) ^ v.getUint32(s + 12) ^ v.getUint32(d + 12);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Buckets of the address hash (its top 20 bits): each is given to a table the first time a packet falls in it. */
const BUCKET_SHIFT = 12;
const LOCAL = 1;

export class FlowWorkers {
  /** The reading thread's own table (share 0); workers[k] holds share k + 1. */
  private readonly local: FlowShare;
  /** Table of each hash bucket: 0 not yet given, LOCAL, or 2 + the worker's index. */
  private readonly owner = new Uint8Array(1 << (32 - BUCKET_SHIFT));
  private readonly workers: Worker[] = [];
  /** Per worker: its ring of batch writers and the one being filled. */
  private readonly rings: BatchWriter[][] = [];
  private readonly current: number[] = [];
  private readonly state: Int32Array;
  /** Chunk slots: bytes, references from sent batches, and which slot and where the current chunk went. */
  private readonly chunkBufs: Buffer[];
  private readonly refs: Int32Array;
  private chunkSlot = -1;
  private chunkFill = CHUNK_SLOT_BYTES;
  private chunkBase = 0;
  private chunkBuf: Buffer | null = null;
  private readonly done: Promise<ShareStats>[];
  private failure: Error | null = null;
  /** Each worker's heap in use, bytes, as it last wrote it (shared memory: read without a turn of the event loop). */
  private readonly heaps: Float64Array;

  /** n flow tables: one in this thread, n - 1 in worker threads (n >= 2); every table's records go to `store`. */
  constructor(n: number, flow: FlowTableOptions, app: boolean, store: RecordStore, appOpts: AppOptions = {}) {
    this.local = createFlowShare(flow, app, store, appOpts);
    const state = new SharedArrayBuffer(4 * RING * (n - 1));
    this.state = new Int32Array(state);
    const heaps = new SharedArrayBuffer(8 * (n - 1));
    this.heaps = new Float64Array(heaps);
    const chunks = Array.from({ length: CHUNK_SLOTS }, () => new SharedArrayBuffer(CHUNK_SLOT_BYTES));
    this.chunkBufs = chunks.map((c) => Buffer.from(c));
    const refs = new SharedArrayBuffer(4 * CHUNK_SLOTS);
    this.refs = new Int32Array(refs);
    this.done = [];
    for (let i = 0; i < n - 1; i++) {
      const ring = Array.from({ length: RING }, () => new SharedArrayBuffer(BATCH_BYTES));
      const setup: WorkerSetup = { flow, app, app_options: appOpts, chunks, refs, ring, state, heaps, index: i };
      const w = new Worker(workerUrl(), { workerData: setup });
      const done = new Promise<ShareStats>((resolve, reject) => {
          w.on('message', (m: FromWorker) => {
            if (m.type === 'records') storeLists(store, m.lists);
            else resolve(m.stats);
          });
          w.on('error', (err) => { this.failure = err; reject(err); });
          w.on('exit', (code) => reject(new Error(`flow worker ${i} exited with code ${code} before it finished`)));
      });
      done.catch(() => undefined); // seen by finish(); a failure while reading surfaces through packet()
      this.done.push(done);
      this.workers.push(w);
      this.rings.push(ring.map((b) => new BatchWriter(b)));
      this.current.push(0);
    }
  }

  /** The reading thread's table: it keeps the clock of the whole capture. */
  get table(): FlowTable {
    return this.local.table;
  }

  /** Heap the workers are using, bytes: their open flows and records, which all come to this thread. */
  get workerHeap(): number {
    let sum = 0;
    for (const h of this.heaps) sum += h;
    return sum;
  }

  /** A decoded packet from the reader. */
  packet(p: Packet): void {
    if (this.failure !== null) throw this.failure;
    // The reading thread's own table keeps the clock of the whole capture and counts non-IP and late packets.
    const table = this.local.table;
    if (p.ip_version === 0) { table.stats.non_ip++; return; }
    const t = table.tick(p);
    const bucket = addressHash(p) >>> BUCKET_SHIFT;
    let o = this.owner[bucket]!;
    if (o === 0) o = this.owner[bucket] = this.choose();
    if (o === LOCAL) { table.packetTicked(p, t); return; }
    const i = o - 2;
    const inChunk = p.buf === this.chunkBuf;
    const need = inChunk ? RECORD_HEAD : recordSize(p.end - p.start);
    let b = this.rings[i]![this.current[i]!]!;
    if (!b.fits(need)) {
      this.send(i);
      b = this.rings[i]![this.current[i]!]!;
      if (!b.fits(need)) { this.sendBig(i, p); return; }
    }
    if (inChunk) b.add(p, table.now, this.chunkSlot, this.chunkBase + p.start);
    else b.add(p, table.now, INLINE, 0);
  }

  /**
   * The reader's next chunk (its records follow until the next call): copied whole into a chunk slot, after the
   * chunks already there when it fits, else into the next slot once no batch points into that one any more.
   */
  chunk(buf: Buffer): void {
    if (this.failure !== null) throw this.failure;
    if (buf.length > CHUNK_SLOT_BYTES) { this.chunkBuf = null; return; }
    if (this.chunkFill + buf.length > CHUNK_SLOT_BYTES) {
      const next = (this.chunkSlot + 1) % CHUNK_SLOTS;
      const bit = 1 << next;
      // Batches still being filled that point into it go now; then wait until every sent one was walked.
      for (let i = 0; i < this.workers.length; i++) if ((this.rings[i]![this.current[i]!]!.slots & bit) !== 0) this.send(i);
      for (let v = Atomics.load(this.refs, next); v !== 0; v = Atomics.load(this.refs, next)) {
        Atomics.wait(this.refs, next, v, 200);
        if (this.failure !== null) throw this.failure;
      }
      this.chunkSlot = next;
      this.chunkFill = 0;
    }
    buf.copy(this.chunkBufs[this.chunkSlot]!, this.chunkFill);
    this.chunkBase = this.chunkFill;
    this.chunkFill += buf.length;
    this.chunkBuf = buf;
  }

  /**
   * Who takes a bucket seen for the first time: the worker with the fewest full batches waiting, unless even it has
   * half its ring waiting — then this thread, which is ahead. New address pairs keep arriving through a capture, so
   * the split follows the load all along; any split gives the same outputs.
   */
  private choose(): number {
    let best = 0, bestFull = RING + 1;
    for (let i = 0; i < this.workers.length; i++) {
      let full = 0;
      for (let j = 0; j < RING; j++) full += Atomics.load(this.state, i * RING + j);
      if (full < bestFull) { best = i; bestFull = full; }
    }
    return bestFull >= RING / 2 ? LOCAL : 2 + best;
  }

  /** Hands worker i its current batch and moves to the next buffer of its ring, waiting until the worker freed it. */
  private send(i: number): void {
    const j = this.current[i]!;
    const b = this.rings[i]![j]!;
    if (b.used === 0) return;
    const state = this.state;
    Atomics.store(state, i * RING + j, FULL);
    for (let s = 0; s < CHUNK_SLOTS; s++) if ((b.slots & (1 << s)) !== 0) Atomics.add(this.refs, s, 1);
    const m: ToWorker = { type: 'batch', slot: j, used: b.used, epoch: this.local.table.epochSec, chunks: b.slots };
    b.slots = 0;
    this.workers[i]!.postMessage(m);
    const next = (j + 1) % RING;
    while (Atomics.load(state, i * RING + next) === FULL) {
      Atomics.wait(state, i * RING + next, FULL, 200);
      if (this.failure !== null) throw this.failure;
    }
    const nb = this.rings[i]![next]!;
    nb.used = 0;
    nb.slots = 0;
    this.current[i] = next;
  }

  private sendBig(i: number, p: Packet): void {
    const b = new BatchWriter(new ArrayBuffer(recordSize(p.end - p.start)));
    b.add(p, this.local.table.now, INLINE, 0);
    const m: ToWorker = { type: 'big', buf: b.buf as ArrayBuffer, used: b.used, epoch: this.local.table.epochSec };
    this.workers[i]!.postMessage(m, [b.buf as ArrayBuffer]);
  }

  /** End of input: the last batches, then every worker ends its flows at the capture's clock and sends its records. */
  async finish(): Promise<ShareStats> {
    for (let i = 0; i < this.workers.length; i++) {
      this.send(i);
      const m: ToWorker = { type: 'end', now: this.local.table.now };
      this.workers[i]!.postMessage(m);
    }
    try {
      const parts = [finishShare(this.local), ...(await Promise.all(this.done))];
      const all = emptyShareStats();
      for (const r of parts) addShareStats(all, r);
      return all;
    } finally {
      await this.close();
    }
  }

  /** Stops the workers (after finish, or when reading failed). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
