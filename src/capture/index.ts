/**
 * readCaptures: the entry point of the capture stage. Files, gzip-compressed files and stdin (`-`), format by magic
 * bytes; one input is streamed zero-copy (the sink sees the reader's own Packet, pointing into the read chunk);
 * several are merged by timestamp (merge.ts). See open.ts for when an input throws InputError and when it is kept
 * as damaged, and time.ts for packets without a usable timestamp.
 */
import { statSync } from 'node:fs';
import { mergeInputs } from './merge.js';
import { OpenInput } from './open.js';
import type { InputSummary, PacketSink } from './types.js';
import { InputError } from './types.js';

export interface ReadCapturesOptions {
  /** Stops reading at the next chunk when aborted; the summaries then say interrupted: true. */
  signal?: AbortSignal;
  /** Raw bytes read so far over all inputs, and their total size when every input is a regular file. */
  onProgress?: (bytesRead: number, total: number | null) => void;
}

/** The inputs' total raw size when every one is a regular file, else null (stdin, a FIFO, or a file that cannot be
 *  stat'ed: the reader reports that one). For progress, and for the CLI's default --workers. */
export function regularFilesSize(inputs: readonly string[]): number | null {
  let sum = 0;
  for (const path of inputs) {
    if (path === '-') return null;
    try {
      const st = statSync(path);
      if (!st.isFile()) return null;
      sum += st.size;
    } catch {
      return null;
    }
  }
  return sum;
}

export async function readCaptures(inputs: readonly string[], sink: PacketSink, opts: ReadCapturesOptions = {}): Promise<InputSummary[]> {
  if (inputs.length === 0) throw new InputError('(no input)', 0, 'no capture file given');
  if (inputs.filter((i) => i === '-').length > 1) throw new InputError('-', 0, 'stdin (-) given more than once');
  const read = new Array<number>(inputs.length).fill(0);
  let sum = 0;
  const opened: OpenInput[] = [];
  const onProgress = opts.onProgress;
  let total: number | null = 0;
  try {
    const opener = (path: string, index: number, probe: boolean) => (): OpenInput => {
      const onRead =
        onProgress === undefined
          ? undefined
          : (n: number): void => {
              sum += n - (read[index] ?? 0);
              read[index] = n;
              onProgress(sum, total);
            };
      return new OpenInput(path, index, { signal: opts.signal, onRead, probe });
    };
    if (inputs.length === 1) {
      const only = opener(inputs[0]!, 0, false)();
      opened.push(only);
      total = only.total;
      await only.start(sink);
      while (await only.step(sink));
      return [await only.finish(sink)];
    }
    total = regularFilesSize(inputs);
    return await mergeInputs(
      inputs.map((path, index) => ({ probe: opener(path, index, true), open: opener(path, index, false) })),
      sink,
      opts.signal,
    );
  } catch (err) {
    await Promise.all(opened.map((i) => i.close()));
    throw err;
  }
}
