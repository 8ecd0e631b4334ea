/** Test helper: reads inputs with readCaptures and keeps what the sink saw, copied (the Packet is reused). */
import { readCaptures } from '../../src/capture/index.js';
import { formatTs } from '../../src/capture/time.js';
import type { InputSummary } from '../../src/capture/types.js';
import type { Packet } from '../../src/decode/layer.js';

export interface SeenPacket {
  ts: string;
  caplen: number;
  wirelen: number;
  linktype: number;
  input: number;
  file_offset: number;
  /** Hex of the record bytes, only when asked for (bytes: true). */
  hex: string;
}

export interface ReadResult {
  summaries: InputSummary[];
  seen: SeenPacket[];
}

export async function readAll(inputs: string[], bytes = false): Promise<ReadResult> {
  const seen: SeenPacket[] = [];
  const sink = {
    packet(p: Packet): void {
      seen.push({
        ts: formatTs(p.ts_sec, p.ts_nsec),
        caplen: p.caplen,
        wirelen: p.wirelen,
        linktype: p.linktype,
        input: p.input,
        file_offset: p.file_offset,
        hex: bytes ? p.buf.toString('hex', p.start, p.end) : '',
      });
    },
  };
  const summaries = await readCaptures(inputs, sink);
  return { summaries, seen };
}

/** Like readAll, but returns the thrown error (or null) together with the packets seen before it. */
export async function readCatching(inputs: string[]): Promise<{ error: unknown; seen: SeenPacket[]; summaries: InputSummary[] }> {
  const seen: SeenPacket[] = [];
  const sink = {
    packet(p: Packet): void {
      seen.push({ ts: formatTs(p.ts_sec, p.ts_nsec), caplen: p.caplen, wirelen: p.wirelen, linktype: p.linktype, input: p.input, file_offset: p.file_offset, hex: '' });
    },
  };
  try {
    return { error: null, seen, summaries: await readCaptures(inputs, sink) };
  } catch (error) {
    return { error, seen, summaries: [] };
  }
}
