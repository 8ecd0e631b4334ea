/**
 * The memory guard, in two levels. A run that detects or reports keeps every flow as a record (detection looks at
 * every flow of a host pair, the report at all of them), about 1 KB of heap each; a capture with millions of flows (a
 * scan, a SYN flood, a long busy pipe) would fill V8's heap, and V8 then aborts the process with a native stack trace
 * and no outputs at all (tried: a 300,000-flow capture under a 400 MiB heap).
 *
 * - keep (55% of the heap limit): records stop being kept. Detection and the report cover the flows that started
 *   before then (those still open are kept when they end); the exports go on through sorted runs on disk
 *   (export/spill.ts), as a run with --no-detect --no-report does from the start, so flows.csv and the app CSVs still
 *   cover the whole input and memory holds only the open flows.
 * - stop (80%): the open flows alone fill the heap; the reading stops as Ctrl-C does, and every output is written
 *   for what was read. Learning a baseline (no exports to go on with) stops at the first level.
 * Each says where it tripped and why: one stderr line, summary.json and the report.
 *
 * With --workers N > 1 each worker holds its share of the flows and hands them over in batches: each worker writes
 * its heap in use to shared memory after every batch, and the guard counts them with this thread's.
 *
 * The keep level leaves room for what comes after the reading: detection and the report take about half as much again
 * as the records (peak RSS of a 300,000-flow capture: 757 MiB reading only, 1,138 MiB with everything).
 */
import { getHeapStatistics } from 'node:v8';

/** Share of the heap limit that kept records may fill (detection and the report need about half as much again). */
export const KEEP_SHARE = 0.55;
/** Share past which the reading stops: the open flows alone fill the heap (or, learning a baseline, KEEP_SHARE). */
export const STOP_SHARE = 0.8;

/** What the guard saw when a level tripped: the heap and the level's budget. */
export interface MemoryTrip {
  heap_used_mib: number;
  heap_limit_mib: number;
  budget_mib: number;
}

/**
 * A trip and where the run was: `stop` — the reading stopped (packets and flows: what was read); `keep` — records
 * stopped being kept for detection and the report, which cover the flows that started in the packets given (flows:
 * how many), while the exports go on through sorted runs on disk and cover the whole input.
 */
export interface MemoryStop extends MemoryTrip {
  kind: 'stop' | 'keep';
  packets: number;
  flows: number;
}

export interface MemoryGuard {
  /** Called with each chunk read, with the heap the --workers threads reported: trips a level (each once) when this
   *  thread's heap and theirs together are over its budget. */
  check(workerHeap?: number): void;
  /** The keep level's trip (records are no longer to be kept), or null. */
  readonly kept: MemoryTrip | null;
  /** The stop level's trip, or null. */
  readonly tripped: MemoryTrip | null;
  /** Aborted when the stop level trips. */
  readonly signal: AbortSignal;
}

const MIB = 1024 * 1024;

/**
 * Shares of V8's heap limit: `keep` (null: no such level) past which records stop being kept, `stop` past which the
 * reading stops. NAD_TEST_HEAP_BUDGET_MB (tests only) sets the first level's budget in MiB of heap grown since the
 * guard was made, so a test can trip it on a small capture.
 */
export function createMemoryGuard(levels: { keep: number | null; stop: number }): MemoryGuard {
  const controller = new AbortController();
  const limit = getHeapStatistics().heap_size_limit;
  const testBudget = Number(process.env['NAD_TEST_HEAP_BUDGET_MB'] ?? NaN);
  const test = Number.isFinite(testBudget) ? getHeapStatistics().used_heap_size + testBudget * MIB : null;
  const keepBudget = levels.keep === null ? Infinity : test ?? limit * levels.keep;
  const stopBudget = levels.keep === null && test !== null ? test : limit * levels.stop;
  let kept: MemoryTrip | null = null;
  let tripped: MemoryTrip | null = null;
  const trip = (used: number, budget: number): MemoryTrip => ({ heap_used_mib: Math.round(used / MIB), heap_limit_mib: Math.round(limit / MIB), budget_mib: Math.round(budget / MIB) });
  return {
    signal: controller.signal,
    get kept() {
      return kept;
    },
    get tripped() {
      return tripped;
    },
    check(workerHeap = 0) {
      if (tripped !== null) return;
      const used = getHeapStatistics().used_heap_size + workerHeap;
      if (kept === null && used > keepBudget) kept = trip(used, keepBudget);
      if (used <= stopBudget) return;
      tripped = trip(used, stopBudget);
      controller.abort(new Error('memory guard'));
    },
  };
}

/** The one-line warning (stderr, summary.json, report). */
export function memoryStopText(s: MemoryStop): string {
  const heap = `the heap held ${s.heap_used_mib} MiB of its ${s.heap_limit_mib} MiB limit`;
  if (s.kind === 'keep') {
    return (
      `detection and the report cover the flows that started in the first ${s.packets} packets (${s.flows} flows): ${heap} (records may use ` +
      `${s.budget_mib}); flows.csv and the other CSVs cover the whole input. Analyse the rest in time slices (--shard, ` +
      `then nad merge) or give node more heap (NODE_OPTIONS=--max-old-space-size=MiB)`
    );
  }
  return (
    `stopped reading after ${s.packets} packets (${s.flows} flows): ${heap} (reading may use ${s.budget_mib}); the ` +
    `outputs cover what was read. Analyse the rest in time slices (--shard, then nad merge) or give node more heap ` +
    `(NODE_OPTIONS=--max-old-space-size=MiB)`
  );
}
