/**
 * A flow worker (--workers N): decodes the packets of its share again (the dispatcher decoded them only to choose
 * the worker), runs its own flow table and app hooks, and sends the records back — flows in batches while it runs,
 * the rest when the dispatcher says the capture ended.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createPacket } from '../decode/layer.js';
import { decodePacket } from '../decode/packet.js';
import { walkBatch } from './batch.js';
import { createFlowShare, finishShare } from './share.js';
import type { ToWorker, FromWorker, WorkerSetup } from './workers.js';

const CONN_BATCH = 4096;

function run(): void {
  const port = parentPort;
  if (port === null) throw new Error('flow_worker: not started as a worker thread');
  const setup = workerData as WorkerSetup;
  const pending = new Int32Array(setup.pending);
  const share = createFlowShare(setup.flow, setup.app);
  const table = share.table;
  const p = createPacket();
  let epochSet = false;
  const each = (q: typeof p, now: number): void => {
    decodePacket(q);
    table.packetAt(q, now);
  };
  const send = (m: FromWorker): void => port.postMessage(m);
  port.on('message', (m: ToWorker) => {
    if (m.type === 'batch') {
      if (!epochSet) { table.setEpoch(m.epoch); epochSet = true; }
      walkBatch(m.buf, m.used, p, each);
      Atomics.sub(pending, setup.index, 1);
      Atomics.notify(pending, setup.index);
      if (share.records.conns.length >= CONN_BATCH) {
        send({ type: 'conns', conns: share.records.conns });
        share.records.conns = [];
      }
    } else {
      const r = finishShare(share, epochSet ? m.now : undefined);
      send({ type: 'done', records: r });
      port.close();
    }
  });
}

run();
