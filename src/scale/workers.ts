/**
 * `--workers N`: one capture over N worker threads. The reading thread walks records and decodes each packet once
 * to choose its worker by a symmetric hash of the inner IP addresses — both directions of a flow, and every fragment
 * of a datagram, go to the same worker — and copies the record into that worker's batch (batch.ts). A batch is
 * transferred when full: one message per megabyte, none per packet. At most MAX_PENDING batches per worker are in
 * flight; the reader waits (Atomics.wait) when a worker falls behind, so memory stays bounded.
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
import { BatchWriter, BATCH_BYTES, recordSize } from './batch.js';
import { addAppStats, addFlowStats, emptyFlowStats, type ShareRecords } from './share.js';
import { createAppStats } from '../app/stats.js';

/** Batches in flight per worker before the reader waits: 4 × 1 MiB. */
const MAX_PENDING = 4;

export interface WorkerSetup {
  flow: FlowTableOptions;
  app: boolean;
  /** SharedArrayBuffer of one Int32 per worker: batches sent and not yet processed. */
  pending: SharedArrayBuffer;
  index: number;
}

export type ToWorker = { type: 'batch'; buf: ArrayBuffer; used: number; epoch: number } | { type: 'end'; now: number };
export type FromWorker = { type: 'conns'; conns: ConnRecord[] } | { type: 'done'; records: ShareRecords };

/** The worker's entry: the compiled .js next to this file, or the .ts source when running under tsx (tests). */
function workerUrl(): URL {
  const self = import.meta.url;
  return new URL(self.endsWith('.ts') ? './flow_worker.ts' : './flow_worker.js', self);
}

/** Which of n workers gets an IP packet: a symmetric (XOR) hash of its innermost addresses. */
export function shareOf(p: Packet, n: number): number {
  const v = p.view, s = p.src_ip_off, d = p.dst_ip_off;
  let h = v.getUint32(s) ^ v.getUint32(d);
  if (p.ip_version === 6) h ^= v.getUint32(s + 4) ^ v.getUint32(d + 4) ^ v.getUint32(s + 8) ^ v.getUint32(d + 8) ^ v.getUint32(s + 12) ^ v.getUint32(d + 12);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return ((h ^ (h >>> 16)) >>> 0) % n;
}

export class FlowWorkers {
  /** Packets older than the clock, and packets without IP, counted here as one FlowTable would. */
  out_of_order = 0;
  non_ip = 0;
  private readonly workers: Worker[] = [];
  private readonly batches: BatchWriter[] = [];
  private readonly pending: Int32Array;
  private readonly conns: ConnRecord[][];
  private readonly done: Promise<ShareRecords>[];
  private failure: Error | null = null;
  private started = false;
  private epoch = 0;
  private clock = 0;

  constructor(n: number, flow: FlowTableOptions, app: boolean) {
    const shared = new SharedArrayBuffer(4 * n);
    this.pending = new Int32Array(shared);
    this.conns = [];
    this.done = [];
    for (let i = 0; i < n; i++) {
      const setup: WorkerSetup = { flow, app, pending: shared, index: i };
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
      this.batches.push(new BatchWriter());
    }
  }

  /** A decoded packet from the reader. */
  packet(p: Packet): void {
    if (this.failure !== null) throw this.failure;
    if (p.ip_version === 0) { this.non_ip++; return; }
    // The clock exactly as FlowTable.packet keeps it.
    if (!this.started) { this.started = true; this.epoch = p.ts_sec; }
    const t = (p.ts_sec - this.epoch) * 1000 + ((p.ts_nsec / 1e6) | 0);
    if (t < this.clock) this.out_of_order++;
    else this.clock = t;
    const i = shareOf(p, this.workers.length);
    let b = this.batches[i]!;
    const len = p.end - p.start;
    if (!b.fits(len)) {
      this.send(i);
      b = this.batches[i] = new BatchWriter(Math.max(BATCH_BYTES, recordSize(len)));
    }
    b.add(p, this.clock);
  }

  private send(i: number): void {
    const b = this.batches[i]!;
    if (b.used === 0) return;
    const pending = this.pending;
    Atomics.add(pending, i, 1);
    for (let v = Atomics.load(pending, i); v > MAX_PENDING; v = Atomics.load(pending, i)) {
      Atomics.wait(pending, i, v, 200);
      if (this.failure !== null) throw this.failure;
    }
    const m: ToWorker = { type: 'batch', buf: b.buf, used: b.used, epoch: this.epoch };
    this.workers[i]!.postMessage(m, [b.buf]);
  }

  /** End of input: the last batches, then every worker ends its flows at the capture's clock and sends its records. */
  async finish(): Promise<ShareRecords> {
    for (let i = 0; i < this.workers.length; i++) {
      this.send(i);
      const m: ToWorker = { type: 'end', now: this.clock };
      this.workers[i]!.postMessage(m);
    }
    try {
      const parts = await Promise.all(this.done);
      const all: ShareRecords = { conns: [], dns: [], tls: [], http: [], ssh: [], flow_stats: emptyFlowStats(), app_stats: createAppStats() };
      parts.forEach((r, i) => {
        for (const list of [this.conns[i]!, r.conns]) for (const c of list) all.conns.push(c);
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
