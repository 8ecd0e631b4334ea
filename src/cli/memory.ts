/**
 * The memory guard. A run that detects or reports keeps every flow as a record until the end (detection looks at
 * every flow of a host pair, the report at all of them), about 1 KB of heap each; a capture with millions of flows (a
 * scan, a SYN flood, a long busy pipe) would fill V8's heap, and V8 then aborts the process with a native stack trace
 * and no outputs at all (tried: a 300,000-flow capture under a 400 MiB heap). The guard stops reading instead, as
 * Ctrl-C does, when the heap in use passes a share of its limit, so the run finishes every output with what was read
 * and says where it stopped and why. (A run with neither keeps no records: its exports go through sorted runs on disk,
 * export/spill.ts, and only the open flows stay in memory; the guard is then the last resort for those.)
 *
 * With --workers N > 1 each worker holds its share of the flows and hands them over in batches and when the input
 * ends: each worker writes its heap in use to shared memory after every batch, and the guard counts them with this
 * thread's.
 *
 * The share leaves room for what comes after the reading: detection and the report take about half as much again as
 * the records (peak RSS of a 300,000-flow capture: 757 MiB reading only, 1,138 MiB with everything), CSVs alone little.
 */
import { getHeapStatistics } from 'node:v8';

/** Share of the heap limit that reading may fill: with detection or the report after it, and with neither. */
export const READ_SHARE_FULL = 0.55;
export const READ_SHARE_EXPORTS = 0.8;

/** Why the reading stopped: the heap when the guard tripped. */
export interface MemoryTrip {
  heap_used_mib: number;
  heap_limit_mib: number;
  budget_mib: number;
}

/** The trip and what the run kept: the packets read and flows made, counted after the reading ended (the reader
 *  finishes the chunks it holds, up to 16 MiB of read-ahead). */
export interface MemoryStop extends MemoryTrip {
  packets: number;
  flows: number;
}

export interface MemoryGuard {
  /** Called with each chunk read, with the heap the --workers threads reported; stops the reading (once) when this
   *  thread's heap and theirs together are over budget (their open flows come here when the input ends). */
  check(workerHeap?: number): void;
  /** The trip, or null. */
  readonly tripped: MemoryTrip | null;
  /** Aborted when the guard trips. */
  readonly signal: AbortSignal;
}

const MIB = 1024 * 1024;

/**
 * share: of V8's heap limit. NAD_TEST_HEAP_BUDGET_MB (tests only) sets the budget in MiB of heap grown since the
 * guard was made, so a test can trip it on a small capture.
 */
export function createMemoryGuard(share: number): MemoryGuard {
  const controller = new AbortController();
  const limit = getHeapStatistics().heap_size_limit;
  const testBudget = Number(process.env['NAD_TEST_HEAP_BUDGET_MB'] ?? NaN);
  const budget = Number.isFinite(testBudget) ? getHeapStatistics().used_heap_size + testBudget * MIB : limit * share;
  let tripped: MemoryTrip | null = null;
  return {
    signal: controller.signal,
    get tripped() {
      return tripped;
    },
    check(workerHeap = 0) {
      if (tripped !== null) return;
      const used = getHeapStatistics().used_heap_size + workerHeap;
      if (used <= budget) return;
      tripped = { heap_used_mib: Math.round(used / MIB), heap_limit_mib: Math.round(limit / MIB), budget_mib: Math.round(budget / MIB) };
      controller.abort(new Error('memory guard'));
    },
  };
}

/** The one-line warning (stderr, summary.json, report). */
export function memoryStopText(s: MemoryStop): string {
  return (
    `stopped reading after ${s.packets} packets (${s.flows} flows): the heap held ${s.heap_used_mib} MiB of its ` +
    `${s.heap_limit_mib} MiB limit (reading may use ${s.budget_mib}); the outputs cover what was read. Analyse the rest ` +
    `in time slices (--shard, then nad merge) or give node more heap (NODE_OPTIONS=--max-old-space-size=MiB)`
  );
}
