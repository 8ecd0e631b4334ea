/**
 * A flow worker (--workers N): decodes the packets of its share again (the dispatcher decoded them only to choose
 * the worker), runs its own flow table and app hooks, and sends the records back in batches while it runs,
 * the rest when the dispatcher says the capture ended.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { createPacket } from '../decode/layer.js';
import { decodePacket } from '../decode/packet.js';
import { FREE, sharedBytes, walkBatch } from './batch.js';
import { createFlowShare, emptyLists, finishShare, keepRecords } from './share.js';
import type { ToWorker, FromWorker, WorkerSetup } from './workers.js';

/** Records a worker holds before it sends them on. */
const RECORD_BATCH = 4096;

function run(): void {
  const port = parentPort;
  if (port === null) throw new Error('flow_worker: not started as a worker thread');
  const setup = workerData as WorkerSetup;
  const state = new Int32Array(setup.state);
  const refs = new Int32Array(setup.refs);
  /** This worker's heap in use after each batch, for the main thread's memory guard (one Float64 per worker). */
  const heap = new Float64Array(setup.heaps);
  const chunks = setup.chunks.map(sharedBytes);
  const ring = setup.ring.map(sharedBytes);
  const ringBase = setup.index * setup.ring.length;
  const store = keepRecords();
  const share = createFlowShare(setup.flow, setup.app, store, setup.app_options);
  const table = share.table;
  const p = createPacket();
  let epochSet = false;
  const each = (q: typeof p, now: number): void => {
    decodePacket(q);
    table.packetAt(q, now);
  };
  const send = (m: FromWorker): void => port.postMessage(m);
  const sendRecords = (): void => {
    send({ type: 'records', lists: store.lists });
    store.lists = emptyLists();
  };
  port.on('message', (m: ToWorker) => {
    if (m.type === 'batch' || m.type === 'big') {
      if (!epochSet) { table.setEpoch(m.epoch); epochSet = true; }
      if (m.type === 'big') walkBatch(sharedBytes(m.buf), m.used, chunks, p, each);
      else {
        walkBatch(ring[m.slot]!, m.used, chunks, p, each);
        for (let s = 0; s < chunks.length; s++) {
          if ((m.chunks & (1 << s)) !== 0 && Atomics.sub(refs, s, 1) === 1) Atomics.notify(refs, s);
        }
        Atomics.store(state, ringBase + m.slot, FREE);
        Atomics.notify(state, ringBase + m.slot);
      }
      heap[setup.index] = getHeapStatistics().used_heap_size;
      const l = store.lists;
      if (l.conns.length + l.dns.length + l.tls.length + l.http.length + l.ssh.length + l.ftp.length + l.smtp.length + l.credentials.length >= RECORD_BATCH) sendRecords();
    } else {
      const stats = finishShare(share, epochSet ? m.now : undefined);
      sendRecords();
      send({ type: 'done', stats });
      port.close();
    }
  });
}

run();
