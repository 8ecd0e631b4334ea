/**
 * Several inputs in one run, merged by timestamp (a k-way merge over the inputs' next packets). Each input is read by
 * its own reader into a queue of copied records, one chunk at a time, so memory stays at about one chunk per input.
 * Copying is the price of interleaving: the single-input path in index.ts stays zero-copy.
 *
 * Order: earliest (ts_sec, ts_nsec) first; on equal times the lower input index first; within one input, file order
 * is kept even when the file itself is out of time order (the flow table counts that, not the reader).
 */
import type { Packet } from '../decode/layer.js';
import { createPacket } from '../decode/layer.js';
import type { OpenInput } from './open.js';
import { compareTs } from './time.js';
import type { InputSummary, PacketSink } from './types.js';

interface QueuedRecord {
  data: Buffer;
  view: DataView;
  ts_sec: number;
  ts_nsec: number;
  wirelen: number;
  linktype: number;
  file_offset: number;
}

/** One input's queue of records copied out of the reader's chunk. */
class Cursor implements PacketSink {
  readonly input: OpenInput;
  queue: QueuedRecord[] = [];
  head = 0;
  done = false;

  constructor(input: OpenInput) {
    this.input = input;
  }

  packet(p: Packet): void {
    const data = Buffer.allocUnsafe(p.end - p.start);
    p.buf.copy(data, 0, p.start, p.end);
    this.queue.push({
      data,
      view: new DataView(data.buffer, data.byteOffset, data.byteLength),
      ts_sec: p.ts_sec,
      ts_nsec: p.ts_nsec,
      wirelen: p.wirelen,
      linktype: p.linktype,
      file_offset: p.file_offset,
    });
  }

  /** Reads chunks until a record is queued or the input ends. */
  async fill(): Promise<void> {
    while (this.head >= this.queue.length && !this.done) {
      this.queue = [];
      this.head = 0;
      if (!(await this.input.step(this))) this.done = true;
    }
  }

  peek(): QueuedRecord | undefined {
    return this.queue[this.head];
  }
}

export async function mergeInputs(inputs: readonly OpenInput[], sink: PacketSink): Promise<InputSummary[]> {
  const cursors = inputs.map((i) => new Cursor(i));
  for (const c of cursors) await c.input.start(c);
  for (const c of cursors) await c.fill();
  const p = createPacket();
  for (;;) {
    let best: Cursor | null = null;
    let bestRec: QueuedRecord | undefined;
    for (const c of cursors) {
      const r = c.peek();
      if (r === undefined) continue;
      // Strictly earlier only: on a tie the cursor met first (the lower input index) keeps the turn.
      if (bestRec === undefined || compareTs(r.ts_sec, r.ts_nsec, bestRec.ts_sec, bestRec.ts_nsec) < 0) {
        best = c;
        bestRec = r;
      }
    }
    if (best === null || bestRec === undefined) break;
    p.buf = bestRec.data;
    p.view = bestRec.view;
    p.start = p.off = 0;
    p.end = p.caplen = bestRec.data.length;
    p.wirelen = bestRec.wirelen;
    p.ts_sec = bestRec.ts_sec;
    p.ts_nsec = bestRec.ts_nsec;
    p.linktype = bestRec.linktype;
    p.file_offset = bestRec.file_offset;
    p.input = best.input.index;
    sink.packet(p);
    best.head++;
    if (best.head >= best.queue.length) await best.fill();
  }
  const summaries: InputSummary[] = [];
  for (const c of cursors) summaries.push(await c.input.finish(c));
  return summaries;
}
