/**
 * readCaptures: the entry point of the capture stage. Files, gzip-compressed files and stdin (`-`), format by magic
 * bytes; one input is streamed zero-copy (the sink sees the reader's own Packet, pointing into the read chunk);
 * several are merged by timestamp (merge.ts). See open.ts for when an input throws InputError and when it is kept
 * as damaged, and time.ts for packets without a usable timestamp.
 */
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

export async function readCaptures(inputs: readonly string[], sink: PacketSink, opts: ReadCapturesOptions = {}): Promise<InputSummary[]> {
  if (inputs.length === 0) throw new InputError('(no input)', 0, 'no capture file given');
  if (inputs.filter((i) => i === '-').length > 1) throw new InputError('-', 0, 'stdin (-) given more than once');
  const read = new Array<number>(inputs.length).fill(0);
  let sum = 0;
  const opened: OpenInput[] = [];
  const onProgress = opts.onProgress;
  let total: number | null = 0;
  try {
    inputs.forEach((path, index) => {
      const onRead =
        onProgress === undefined
          ? undefined
          : (n: number): void => {
              sum += n - (read[index] ?? 0);
              read[index] = n;
              onProgress(sum, total);
            };
      const input = new OpenInput(path, index, { signal: opts.signal, onRead });
      opened.push(input);
      total = total === null || input.total === null ? null : total + input.total;
    });
    const only = opened[0];
    if (opened.length === 1 && only !== undefined) {
      await only.start(sink);
      while (await only.step(sink));
      return [await only.finish(sink)];
    }
    return await mergeInputs(opened, sink);
  } catch (err) {
    await Promise.all(opened.map((i) => i.close()));
    throw err;
  }
}
