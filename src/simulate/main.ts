/**
 * Stand-alone entry until `nad simulate` calls writeSimulation:
 *   node --import tsx src/simulate/main.ts --seed 2 --start 2026-03-09T08:00:00Z --hours 4 --inject all -o samples/suspect.pcap
 */
import { parseArgs } from 'node:util';
import { DEFAULTS, writeSimulation } from './simulate.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' }, start: { type: 'string' }, hours: { type: 'string' }, hosts: { type: 'string' },
    inject: { type: 'string' }, out: { type: 'string', short: 'o' }
  },
});
if (values.out === undefined) {
  process.stderr.write('usage: main.ts [--seed N] [--start ISO] [--hours H] [--hosts K] [--inject list|all] -o out.pcap\n');
  process.exit(2);
}
try {
  const r = writeSimulation({
    seed: values.seed !== undefined ? Number(values.seed) : DEFAULTS.seed,
    start: values.start ?? DEFAULTS.start,
    hours: values.hours !== undefined ? Number(values.hours) : DEFAULTS.hours,
    hosts: values.hosts !== undefined ? Number(values.hosts) : DEFAULTS.hosts,
    inject: (values.inject ?? '').split(','),
  }, values.out);
  process.stderr.write(`${r.pcapPath}: ${r.packets} packets, ${r.truth.capture.file_bytes} bytes; ${r.truth.entities.length} injected entities in ${r.truthPath}\n`);
} catch (e) {
  process.stderr.write(`nad simulate: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
