/**
 * Several inputs in one run, merged by timestamp (a k-way merge over the inputs' next packets). Each input is read by
 * its own reader into a queue of copied records, one chunk at a time, so memory stays at about one chunk per open
 * input; files are opened when their turn comes (see mergeInputs).
 * Copying is the price of interleaving: the single-input path in index.ts stays zero-copy.
 *
 * Order: earliest (ts_sec, ts_nsec) first; on equal times the lower input index first; within one input, file order
 * is kept even when the file itself is out of time order (the flow table counts that, not the reader).
 */
import { createHash } from 'node:crypto';
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

/** An input not yet opened: its first packet's time (from a probe that read its first chunk) and how to open it. */
interface Pending {
  index: number;
  ts_sec: number;
  ts_nsec: number;
  open: () => OpenInput;
  path: string;
  format: InputSummary['format'];
  gzip: boolean;
}

/** The summary of a file the run was interrupted before reading (nothing read: the sha256 of no bytes). */
function unread(p: Pending): InputSummary {
  return {
    path: p.path, format: p.format, gzip: p.gzip, packets: 0, bytes: 0, lost_bytes: 0, link_types: [], first_ts: null, last_ts: null,
    skipped_blocks: {}, warnings: {}, stopped: null, sha256: createHash('sha256').digest('hex'), size: 0, interrupted: true,
  };
}

/** The cursor with the earliest next record (strictly earlier wins: on a tie the lower input index keeps the turn). */
function earliest(active: readonly Cursor[]): Cursor | null {
  let best: Cursor | null = null;
  let bestRec: QueuedRecord | undefined;
  for (const c of active) {
    const r = c.peek();
    if (r === undefined) continue;
    if (bestRec === undefined || compareTs(r.ts_sec, r.ts_nsec, bestRec.ts_sec, bestRec.ts_nsec) < 0) {
      best = c;
      bestRec = r;
    }
  }
  return best;
}

/**
 * The k-way merge. Regular files are opened only when the merge reaches their first packet, and finished (file,
 * hash worker and buffers released) as soon as they end, so rotated files — which follow one another in time — cost
 * one or two open inputs at a time, not one per file: a probe reads each file's first chunk up front (which also
 * reports a file that is no capture at once), then closes it. Pipes and stdin cannot be read twice and stay open.
 */
export async function mergeInputs(
  opens: readonly { probe: () => OpenInput; open: () => OpenInput }[],
  sink: PacketSink,
  signal?: AbortSignal,
): Promise<InputSummary[]> {
  const active: Cursor[] = [];
  const pending: Pending[] = [];
  const summaries: InputSummary[] = new Array<InputSummary>(opens.length);
  const activate = async (c: Cursor): Promise<void> => {
    await c.fill();
    active.push(c);
    active.sort((a, b) => a.input.index - b.input.index);
  };
  try {
    for (const { probe, open } of opens) {
      // A pipe is opened once, as itself; a file is probed, and opened again in its turn.
      const input = probe();
      const c = new Cursor(input);
      try {
        await input.start(c);
        await c.fill();
      } catch (err) {
        await input.close();
        throw err;
      }
      const first = c.peek();
      if (input.total === null || first === undefined) {
        if (input.total !== null) {
          // Nothing to merge in (no packet in the first chunk): read it whole now, as itself, not as a probe.
          await input.close();
          const whole = new Cursor(open());
          await whole.input.start(whole);
          await whole.fill();
          active.push(whole);
        } else active.push(c);
      } else {
        await input.close();
        pending.push({ index: input.index, ts_sec: first.ts_sec, ts_nsec: first.ts_nsec, open, path: input.path, format: input.format, gzip: input.gzip });
      }
    }
    pending.sort((a, b) => compareTs(a.ts_sec, a.ts_nsec, b.ts_sec, b.ts_nsec) || a.index - b.index);
    const p = createPacket();
    for (;;) {
      let best = earliest(active);
      // Open every file whose first packet is not later than the next one (a tie goes to the lower index).
      // After an abort only what was read is delivered: no new file is opened.
      while (pending.length > 0 && signal?.aborted !== true) {
        const next = pending[0]!;
        const r = best?.peek();
        if (r !== undefined && compareTs(next.ts_sec, next.ts_nsec, r.ts_sec, r.ts_nsec) > 0) break;
        pending.shift();
        const c = new Cursor(next.open());
        await c.input.start(c);
        await activate(c);
        best = earliest(active);
      }
      const rec = best?.peek();
      if (best === null || rec === undefined) break;
      p.buf = rec.data;
      p.view = rec.view;
      p.start = p.off = 0;
      p.end = p.caplen = rec.data.length;
      p.wirelen = rec.wirelen;
      p.ts_sec = rec.ts_sec;
      p.ts_nsec = rec.ts_nsec;
      p.linktype = rec.linktype;
      p.file_offset = rec.file_offset;
      p.input = best.input.index;
      sink.packet(p);
      best.head++;
      if (best.head >= best.queue.length) {
        await best.fill();
        if (best.peek() === undefined) {
          summaries[best.input.index] = await best.input.finish(best);
          active.splice(active.indexOf(best), 1);
        }
      }
    }
    for (const c of active) summaries[c.input.index] = await c.input.finish(c);
    active.length = 0;
    // Interrupted before their turn: nothing of them was read.
    for (const next of pending) summaries[next.index] = unread(next);
    return summaries;
  } catch (err) {
    await Promise.all(active.map((c) => c.input.close()));
    throw err;
  }
}
