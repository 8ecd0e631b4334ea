/**
 * `--workers N`: one capture over N flow tables, one in the reading thread and N - 1 in worker threads, so N cores
 * are busy and none is oversubscribed. The reading thread walks records and decodes each packet once to choose its
 * table by a symmetric hash of the inner IP addresses — both directions of a flow, and every fragment of a datagram,
 * go to the same table. Its own share (localShare) it counts at once; for a worker it copies the record into that
 * worker's current batch (batch.ts), one of
 * RING shared buffers per worker used in turn: one message per full megabyte, none per packet. A buffer's state
 * (free/full) is an Int32 the worker clears when done; the reader waits on it (Atomics.wait) when a worker falls
 * behind, so memory stays bounded.
 *
 * The reading thread keeps the clock of the whole capture (as one FlowTable would: ms since the first IP packet's
 * second) and stamps it on every record, so each worker's table expires flows exactly as one table would; the
 * records are put in one order afterwards (compareTsUid), so every output is byte-identical to --workers 1.
 */
import { Worker } from 'node:worker_threads';
import type { AppStats } from '../app/stats.js';
import type { Packet } from '../decode/layer.js';
import type { ConnRecord } from '../flow/conn.js';
import type { FlowTableOptions } from '../flow/table.js';
import { BatchWriter, BATCH_BYTES, FULL, recordSize } from './batch.js';
import { addAppStats, addFlowStats, createFlowShare, emptyFlowStats, finishShare, type FlowShare, type ShareRecords } from './share.js';
import { createAppStats } from '../app/stats.js';

/** Batch buffers per worker: up to RING - 1 full ones wait while the reader fills the next. */
const RING = 4;

export interface WorkerSetup {
  flow: FlowTableOptions;
  app: boolean;
  /** This worker's RING batch buffers (SharedArrayBuffer, BATCH_BYTES each). */
  ring: SharedArrayBuffer[];
  /** One Int32 per buffer of every worker (FREE/FULL); this worker's are at index * RING. */
  state: SharedArrayBuffer;
  index: number;
}

export type ToWorker =
  | { type: 'batch'; slot: number; used: number; epoch: number }
  /** A record too big for a ring buffer, in a buffer of its own. */
  | { type: 'big'; buf: ArrayBuffer; used: number; epoch: number }
  | { type: 'end'; now: number };
export type FromWorker = { type: 'conns'; conns: ConnRecord[] } | { type: 'done'; records: ShareRecords };

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

/**
 * The share of the hash space the reading thread's own table takes, of n tables: 1 / (2n - 1), each worker twice
 * that, because the reading thread also reads, walks and decodes every packet and copies the workers' ones.
 */
export function localShare(n: number): number {
  return 1 / (2 * n - 1);
}

export class FlowWorkers {
  /** Packets older than the clock, and packets without IP, counted here as one FlowTable would. */
  out_of_order = 0;
  non_ip = 0;
  /** The reading thread's own table (share 0); workers[k] holds share k + 1. */
  private readonly local: FlowShare;
  private readonly localCut: number;
  private readonly workers: Worker[] = [];
  /** Per worker: its ring of batch writers and the one being filled. */
  private readonly rings: BatchWriter[][] = [];
  private readonly current: number[] = [];
  private readonly state: Int32Array;
  private readonly conns: ConnRecord[][];
  private readonly done: Promise<ShareRecords>[];
  private failure: Error | null = null;
  private started = false;
  private epoch = 0;
  private clock = 0;

  /** n flow tables: one in this thread, n - 1 in worker threads (n >= 2). */
  constructor(n: number, flow: FlowTableOptions, app: boolean) {
    this.local = createFlowShare(flow, app);
    this.localCut = Math.floor(localShare(n) * 2 ** 32);
    const state = new SharedArrayBuffer(4 * RING * (n - 1));
    this.state = new Int32Array(state);
    this.conns = [];
    this.done = [];
    for (let i = 0; i < n - 1; i++) {
      const ring = Array.from({ length: RING }, () => new SharedArrayBuffer(BATCH_BYTES));
      const setup: WorkerSetup = { flow, app, ring, state, index: i };
      const w = new Worker(workerUrl(), { workerData: setup });
      const conns: ConnRecord[] = [];
      this.conns.push(conns);
      const done = new Promise<ShareRecords>((resolve, reject) => {
          w.on('message', (m: FromWorker) => {
            if (m.type === 'conns') { for (const c of m.conns) conns.push(c); }
            else resolve(m.records);
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

  /** A decoded packet from the reader. */
  packet(p: Packet): void {
    if (this.failure !== null) throw this.failure;
    if (p.ip_version === 0) { this.non_ip++; return; }
    // The clock exactly as FlowTable.packet keeps it.
    if (!this.started) { this.started = true; this.epoch = p.ts_sec; this.local.table.setEpoch(p.ts_sec); }
    const t = (p.ts_sec - this.epoch) * 1000 + ((p.ts_nsec / 1e6) | 0);
    if (t < this.clock) this.out_of_order++;
    else this.clock = t;
    const h = addressHash(p);
    if (h < this.localCut) { this.local.table.packetAt(p, this.clock); return; }
    const i = (h - this.localCut) % this.workers.length;
    const len = p.end - p.start;
    let b = this.rings[i]![this.current[i]!]!;
    if (!b.fits(len)) {
      this.send(i);
      b = this.rings[i]![this.current[i]!]!;
      if (!b.fits(len)) { this.sendBig(i, p); return; }
    }
    b.add(p, this.clock);
  }

  /** Hands worker i its current batch and moves to the next buffer of its ring, waiting until the worker freed it. */
  private send(i: number): void {
    const j = this.current[i]!;
    const b = this.rings[i]![j]!;
    if (b.used === 0) return;
    const state = this.state;
    Atomics.store(state, i * RING + j, FULL);
    const m: ToWorker = { type: 'batch', slot: j, used: b.used, epoch: this.epoch };
    this.workers[i]!.postMessage(m);
    const next = (j + 1) % RING;
    while (Atomics.load(state, i * RING + next) === FULL) {
      Atomics.wait(state, i * RING + next, FULL, 200);
      if (this.failure !== null) throw this.failure;
    }
    this.rings[i]![next]!.used = 0;
    this.current[i] = next;
  }

  private sendBig(i: number, p: Packet): void {
    const b = new BatchWriter(new ArrayBuffer(recordSize(p.end - p.start)));
    b.add(p, this.clock);
    const m: ToWorker = { type: 'big', buf: b.buf as ArrayBuffer, used: b.used, epoch: this.epoch };
    this.workers[i]!.postMessage(m, [b.buf as ArrayBuffer]);
  }

  /** End of input: the last batches, then every worker ends its flows at the capture's clock and sends its records. */
  async finish(): Promise<ShareRecords> {
    for (let i = 0; i < this.workers.length; i++) {
      this.send(i);
      const m: ToWorker = { type: 'end', now: this.clock };
      this.workers[i]!.postMessage(m);
    }
    try {
      const parts = [finishShare(this.local, this.started ? this.clock : undefined), ...(await Promise.all(this.done))];
      const all: ShareRecords = { conns: [], dns: [], tls: [], http: [], ssh: [], flow_stats: emptyFlowStats(), app_stats: createAppStats() };
      parts.forEach((r, i) => {
        for (const list of [i > 0 ? this.conns[i - 1]! : [], r.conns]) for (const c of list) all.conns.push(c);
        for (const x of r.dns) all.dns.push(x);
        for (const x of r.tls) all.tls.push(x);
        for (const x of r.http) all.http.push(x);
        for (const x of r.ssh) all.ssh.push(x);
        addFlowStats(all.flow_stats, r.flow_stats);
        addAppStats(all.app_stats, r.app_stats as AppStats);
      });
      all.flow_stats.out_of_order += this.out_of_order;
      all.flow_stats.non_ip += this.non_ip;
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
