/** `nad simulate`: a labelled synthetic capture (src/simulate) and its ground truth, never over a user's file. */
import { parseInjectList, truthPathFor, writeSimulation } from '../simulate/index.js';
import { EXIT, UsageError } from './errors.js';
import { checkNewFile } from './outdir.js';

export interface SimulateCliOptions {
  out: string;
  seed: number;
  start: string;
  hours: number;
  hosts: number;
  inject: string;
  force: boolean;
}

export async function runSimulateCommand(opts: SimulateCliOptions): Promise<number> {
  const start = Date.parse(opts.start);
  if (!Number.isFinite(start)) throw new UsageError(`--start ${opts.start}: not an ISO 8601 time`);
  const truthPath = truthPathFor(opts.out);
  checkNewFile(opts.out, opts.force);
  checkNewFile(truthPath, opts.force);
  let inject: string[];
  try {
    inject = parseInjectList(opts.inject);
  } catch (err) {
    throw new UsageError(`--inject: ${(err as Error).message}`);
  }
  const result = writeSimulation({ seed: opts.seed, start: opts.start, hours: opts.hours, hosts: opts.hosts, inject }, opts.out);
  process.stderr.write(`nad: wrote ${opts.out} (${result.packets} packets) and ${result.truthPath}\n`);
  return EXIT.ok;
}
