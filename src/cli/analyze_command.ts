/**
 * `nad analyze`: options → pipeline → outputs in reports/<name>/ → terminal summary → exit code.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
// Detection, geo and the baseline are loaded when a run needs them (detectionSetup): a flows-only run starts in
// 0.2 s instead of 0.7 s without vega, tldts and maxmind.
import { loadKeyLogs, mergeKeyLogs, parseKeyLog, type TlsKeyLog } from '../app/tls/keylog.js';
import { embeddedKeyLogs } from '../capture/secrets.js';
import { DEFAULT_THRESHOLD } from '../detect/anomaly.js';
import type { BaselineModel, Detector, IntelFileFacts } from '../detect/index.js';
import type { BaselineInfo } from '../report/types.js';
import { openGeoFromOptions } from '../geo/lookup.js';
import { regularFilesSize } from '../capture/index.js';
import { InputError } from '../capture/types.js';
import type { InputSummary } from '../capture/types.js';
import { AtomicWriter } from '../export/atomic.js';
import { createMemoryGuard, KEEP_SHARE, memoryStopText, STOP_SHARE } from './memory.js';
import { encodeTable } from '../export/csv.js';
import { FLOW_COLUMNS } from '../export/tables.js';
import { readAndAssemble, recordCounts, RunStore, type CaptureData } from './analyze.js';
import { SpilledExports } from '../export/spill.js';
import { checkFilter, filterInputs, type FilteredInputs } from './bpf.js';
import { checkNewFile, defaultOutDir, prepareOutDir } from './outdir.js';
import { createProgress } from './progress.js';
import { handleInterrupts } from './signals.js';
import { EXIT, stripControl, UsageError } from './errors.js';
import { writeRunOutputs, type DetectionSetup, type RunParameters } from './outputs.js';
import { expandCaptureArgs } from '../scale/inputs.js';

/** What commander hands over (see main.ts for each option's meaning). */
export interface AnalyzeCliOptions {
  out?: string;
  force: boolean;
  baseline?: string[];
  saveBaseline?: string;
  threshold?: number;
  geo: boolean;
  geoip?: string;
  asn?: string;
  filter?: string;
  allow?: string;
  intel: string[];
  detector: string[];
  failOn?: 'low' | 'medium' | 'high';
  alertLevel: 'low' | 'medium' | 'high';
  alertLog?: string;
  tcpTimeout: number;
  udpTimeout: number;
  icmpTimeout: number;
  activeTimeout: number;
  app: boolean;
  /** Keep the passwords of cleartext logins (FTP, HTTP Basic, SMTP, POP3, IMAP, LDAP) in ftp.csv and credentials.csv. */
  capturePasswords?: boolean;
  /** --extract-files: write the files seen whole (HTTP bodies and form files, FTP files, mail attachments) to files/ in the output folder. */
  extractFiles?: boolean;
  /** --tls-keylog: key log files (NSS format) whose secrets decrypt the TLS connections they belong to. */
  tlsKeylog?: string[];
  detect: boolean;
  report: boolean;
  quiet: boolean;
  verbose: boolean;
  debug: boolean;
  /** scale: also write the shard tables and edge packets (src/scale/shard.ts). */
  shard?: boolean;
  /** scale: flow tables in this many worker threads (src/scale/workers.ts); 1 = in the reading thread. */
  workers?: number;
}

/** The parameters recorded in summary.json and the report (chain of custody): every option that shaped the result. */
export function runParameters(opts: AnalyzeCliOptions): RunParameters {
  return {
    baseline: opts.baseline ?? [],
    threshold: opts.threshold ?? DEFAULT_THRESHOLD,
    geo: opts.geo !== false,
    geoip: opts.geoip ?? null,
    asn: opts.asn ?? null,
    filter: opts.filter ?? null,
    allow: opts.allow ?? null,
    intel: opts.intel,
    detectors: opts.detector,
    fail_on: opts.failOn ?? null,
    alert_level: opts.alertLevel,
    tcp_timeout_s: opts.tcpTimeout,
    udp_timeout_s: opts.udpTimeout,
    icmp_timeout_s: opts.icmpTimeout,
    active_timeout_s: opts.activeTimeout,
    app: opts.app,
    capture_passwords: opts.capturePasswords === true,
    tls_keylog: opts.tlsKeylog ?? [],
    extract_files: opts.extractFiles === true,
  };
}

/**
 * Reads the inputs (through tcpdump when a filter is set); writes flows.csv when given (its folder takes the other
 * exports too). `records`: what the run keeps —
 * - 'until-memory': every record (detection, the report) until the memory guard's keep level, past which the exports
 *   go on from disk alone (memory.ts);
 * - 'none': exports only, through sorted runs on disk from the start;
 * - 'all': every record or none (learning a baseline, --shard: a partial set would be taken for the whole); the
 *   reading stops at the keep level. Also what a run without flowsCsv does.
 */
export async function readForAnalysis(
  args: readonly string[],
  opts: Pick<AnalyzeCliOptions, 'filter' | 'tcpTimeout' | 'udpTimeout' | 'icmpTimeout' | 'activeTimeout' | 'app' | 'capturePasswords' | 'tlsKeylog' | 'extractFiles' | 'quiet' | 'workers'>,
  flowsCsv: AtomicWriter | null,
  signal: AbortSignal,
  records: 'until-memory' | 'none' | 'all' = 'until-memory',
): Promise<CaptureData> {
  const captures = expandCaptureArgs(args); // scale: directories and quoted patterns of rotated files
  let filtered: FilteredInputs | null = null;
  let paths = [...captures];
  if (opts.filter !== undefined) {
    checkFilter(opts.filter);
    filtered = filterInputs(captures, opts.filter);
    paths = filtered.paths;
    filtered.done.catch(() => undefined);
  }
  const tlsKeys = readKeyLogs(opts.tlsKeylog ?? [], captures, opts.app, opts.quiet);
  const progress = createProgress(opts.quiet, 'reading');
  const exportDir = flowsCsv === null || records === 'all' ? null : dirname(flowsCsv.path);
  const store = new RunStore(records === 'none' && exportDir !== null ? new SpilledExports(exportDir) : null);
  const guard = createMemoryGuard(
    exportDir === null ? { keep: null, stop: KEEP_SHARE } : { keep: store.keeping ? KEEP_SHARE : null, stop: STOP_SHARE },
  );
  /** Packets read when the keep level tripped; -1 while it has not. */
  let cutPackets = -1;
  try {
    const data = await readAndAssemble(paths, {
      flow: {
        tcp_idle_s: opts.tcpTimeout,
        udp_idle_s: opts.udpTimeout,
        icmp_idle_s: opts.icmpTimeout,
        active_timeout_s: opts.activeTimeout,
      },
      app: opts.app,
      capture_passwords: opts.capturePasswords === true,
      ...(tlsKeys === null ? {} : { tls_keys: tlsKeys }),
      // Extraction goes with the run's exports (never while learning a baseline, which writes none).
      ...(opts.extractFiles === true && flowsCsv !== null ? { extract_dir: join(dirname(flowsCsv.path), 'files') } : {}),
      signal: AbortSignal.any([signal, guard.signal]),
      onProgress: (b, t, counts) => {
        progress.update(b, t, counts);
        guard.check(counts.worker_heap);
        if (guard.kept !== null && store.keeping && exportDir !== null) {
          cutPackets = counts.packets;
          store.stopKeeping(new SpilledExports(exportDir), counts.clock_s);
        }
      },
      workers: opts.workers ?? defaultWorkers(paths),
      store,
    });
    const kept = guard.kept;
    if (kept !== null && cutPackets >= 0) {
      data.memory_keep = { ...kept, kind: 'keep', packets: cutPackets, flows: data.conns.length };
      process.stderr.write(`nad: warning: memory: ${memoryStopText(data.memory_keep)}\n`);
    }
    const trip = guard.tripped;
    if (trip !== null) {
      data.memory_stop = { ...trip, kind: 'stop', packets: data.inputs.reduce((n, i) => n + i.packets, 0), flows: recordCounts(data).conns };
      process.stderr.write(`nad: warning: memory: ${memoryStopText(data.memory_stop)}\n`);
    }
    if (flowsCsv) {
      if (data.spilled !== null) data.spilled.flows.writeTo((bytes) => flowsCsv.write(bytes));
      else encodeTable(FLOW_COLUMNS, data.conns, (bytes) => flowsCsv.write(bytes));
    }
    if (filtered) {
      await filtered.done;
      const digests = await filtered.digests;
      data.inputs = data.inputs.map((inp: InputSummary, i) => ({ ...inp, path: captures[i] ?? inp.path, ...(digests[i] ?? {}) }));
    }
    return data;
  } catch (err) {
    store.spill?.discard();
    // A dead tcpdump explains an unreadable FIFO better than the reader can.
    if (filtered && err instanceof InputError) await filtered.done;
    throw err;
  } finally {
    progress.done();
    filtered?.cleanup();
  }
}

/** Inputs from which worker threads pay for their start-up (~0.1 s each): a pipe, or 64 MB of files. */
const WORKERS_FROM_BYTES = 64 * 1024 * 1024;

/**
 * --workers when not given: the number of cores for a pipe or a large capture on a machine with more than two cores,
 * else 1 (the outputs are the same). On two cores a second table did not pay (README, bench): with one table nad
 * already keeps ~1.3 cores busy (sha256 in a worker, V8's parallel GC), and splitting costs ~30% more CPU.
 */
export function defaultWorkers(paths: readonly string[]): number {
  const cores = availableParallelism();
  if (cores <= 2) return 1;
  // null: stdin or a FIFO (a stream of unknown length), or a missing file the reader will report.
  const bytes = regularFilesSize(paths);
  return bytes === null || bytes >= WORKERS_FROM_BYTES ? cores : 1;
}

/** What an intel list could not check, said once on stderr (summary.json's detection.intel has the counts). */
function warnSkipped(f: IntelFileFacts): void {
  const n = Object.values(f.skipped).reduce((a, b) => a + b, 0);
  const reasons = Object.entries(f.skipped).sort((a, b) => b[1] - a[1]).map(([r, c]) => `${c} × ${r}`).join(', ');
  process.stderr.write(stripControl(`nad: ${f.path}: ${f.indicators} indicators; ${n} line${n === 1 ? '' : 's'} left out (${reasons}); first: ${f.first_skipped}`) + '\n');
}

/** A plain Error from a loader (model, allow-list, intel list, detector module) is the user's input problem: one line, exit 2. */
/**
 * TLS secrets: the --tls-keylog files (a malformed one is a usage error naming its line and byte) and the key logs
 * embedded in pcapng captures (Decryption Secrets Blocks, used as Wireshark uses them; a malformed one is a warning).
 * null when there are none.
 */
function readKeyLogs(paths: readonly string[], captures: readonly string[], app: boolean, quiet: boolean): TlsKeyLog | null {
  if (paths.length > 0 && !app) throw new UsageError('--tls-keylog needs application parsing: the decrypted data goes to the HTTP parser (drop --no-app)');
  if (!app) return null;
  let keys: TlsKeyLog | null = null;
  if (paths.length > 0) {
    try {
      keys = loadKeyLogs(paths);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== undefined) throw err; // a missing file: reportError names it
      throw new UsageError((err as Error).message);
    }
  }
  for (const e of embeddedKeyLogs(captures)) {
    const where = `${e.path}: byte ${e.offset}: embedded TLS key log`;
    try {
      const found = parseKeyLog(e.text, where);
      keys = mergeKeyLogs(keys ?? new Map(), found);
      if (!quiet) process.stderr.write(`nad: ${stripControl(e.path)}: decrypting TLS and QUIC with the key log embedded in the capture (${found.size} connections' secrets)\n`);
    } catch (err) {
      if (!quiet) process.stderr.write(`nad: warning: ${stripControl((err as Error).message)}; that key log is not used\n`);
    }
  }
  return keys;
}

function asUsage<T>(what: () => T): T {
  try {
    return what();
  } catch (err) {
    if (err instanceof Error && !(err instanceof UsageError) && !(err instanceof InputError)) throw new UsageError(err.message.split('\n')[0] ?? err.message);
    throw err;
  }
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function isModelFile(path: string): boolean {
  if (path === '-' || !existsSync(path) || !statSync(path).isFile()) return false;
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(64);
    const n = readSync(fd, head, 0, 64, 0);
    return head.subarray(0, n).toString('utf8').trimStart().startsWith('{');
  } finally {
    closeSync(fd);
  }
}

function serviceShare(model: BaselineModel): Record<string, number> {
  const total = Object.values(model.services).reduce((n, s) => n + s.conns, 0);
  const unidentified = Math.max(0, model.conns - total);
  const share: Record<string, number> = {};
  if (model.conns === 0) return share;
  for (const [name, s] of Object.entries(model.services)) share[name] = s.conns / model.conns;
  if (unidentified > 0) share[''] = unidentified / model.conns;
  return share;
}

/** Geo, allow-list, custom detectors and the baseline (a model file, or captures learned now), checked before the
 *  suspect capture is read so that a wrong path fails at once. */
export async function detectionSetup(opts: AnalyzeCliOptions, signal: AbortSignal): Promise<DetectionSetup> {
  const geo = asUsage(() => openGeoFromOptions(opts));
  const paths = opts.baseline ?? [];
  const learn = paths.length > 0 && opts.detect;
  // The detection modules load only when something below needs them: a plain run starts without them.
  const d = opts.allow !== undefined || opts.intel.length > 0 || opts.detector.length > 0 || learn ? await import('../detect/index.js') : null;
  const allow = opts.allow === undefined ? null : asUsage(() => d!.loadAllowList(opts.allow!));
  // A list is matched by a detector: with --no-detect it would be read and silently ignored.
  if (opts.intel.length > 0 && !opts.detect) throw new UsageError('--intel needs detection: its indicators are matched by the intel detector (drop --no-detect)');
  const intel = opts.intel.length === 0 ? null : asUsage(() => d!.loadIntel(opts.intel));
  if (intel !== null && !opts.quiet) for (const f of intel.files) if (f.first_skipped !== '') warnSkipped(f);
  const detectors: Detector[] = [];
  for (const path of opts.detector) {
    try {
      detectors.push(await d!.loadDetectorModule(path));
    } catch (err) {
      throw new UsageError(`${path}: cannot load detector: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  let baseline: BaselineModel | null = null;
  let baselineInfo: BaselineInfo | null = null;
  if (learn) {
    if (paths.length === 1 && isModelFile(paths[0]!)) {
      const path = paths[0]!;
      const model = asUsage(() => d!.loadBaseline(path));
      baseline = model;
      baselineInfo = { path, sha256: sha256File(path), flows: model.conns, service_share: serviceShare(model) };
    } else {
      const data = await readForAnalysis(paths, { ...opts, quiet: opts.quiet }, null, signal);
      const { learnFromData } = await import('./baseline.js');
      const model = learnFromData(data, geo);
      baseline = model;
      baselineInfo = {
        path: paths.join(' '),
        sha256: data.inputs.map((i) => i.sha256).join(' '),
        flows: model.conns,
        service_share: serviceShare(model),
      };
    }
    if (opts.saveBaseline !== undefined) {
      checkNewFile(opts.saveBaseline, opts.force);
      d!.saveBaseline(opts.saveBaseline, baseline);
    }
  }
  return { baseline, baselineInfo, geo, allow, intel, detectors, ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}) };
}

export async function runAnalyzeCommand(captures: string[], opts: AnalyzeCliOptions): Promise<number> {
  const outDir = opts.out ?? defaultOutDir(captures);
  prepareOutDir(outDir, opts.force);
  const interrupts = handleInterrupts(() => {
    if (!opts.quiet) process.stderr.write('\nnad: interrupted: finishing the report with what was read (Ctrl-C again to quit now)\n');
  });
  const flowsCsv = new AtomicWriter(join(outDir, 'flows.csv'));
  /** The commit of flows.csv in flight: resolves to its error, or null (never rejects, so no rejection goes unhandled). */
  let flowsCommitted: Promise<unknown> | null = null;
  let spilled: SpilledExports | null = null;
  try {
    // scale: --shard (loaded only when asked: it brings the Parquet writer)
    const shard = opts.shard ? await import('../scale/shard.js') : null;
    shard?.checkShardable(captures, opts.filter);
    if (shard !== null && (opts.tlsKeylog ?? []).length > 0) {
      throw new UsageError('--tls-keylog cannot go with --shard: nad merge rebuilds the flows at slice edges without the secrets');
    }
    if (shard !== null && opts.extractFiles === true) {
      throw new UsageError('--extract-files cannot go with --shard: a body that crosses a slice edge is in no shard whole');
    }
    if (opts.extractFiles === true && !opts.app) throw new UsageError('--extract-files needs application parsing: the files come from the HTTP, FTP and mail parsers (drop --no-app)');
    const setup = await detectionSetup(opts, interrupts.signal);
    // A run that keeps no records for detection or the report writes its exports through sorted runs on disk, so its
    // memory holds the open flows, not every flow of the capture (export/spill.ts). --shard needs the records.
    const records = shard !== null ? 'all' : opts.detect || opts.report ? 'until-memory' : 'none';
    const data = await readForAnalysis(captures, opts, flowsCsv, interrupts.signal, records);
    spilled = data.spilled;
    // Its fsync runs while detection and the report work; awaited before the run reports success.
    flowsCommitted = flowsCsv.commitAsync().then(() => null, (err: unknown) => err);
    if (shard) await shard.writeShardOutputs(outDir, captures, data, opts);
    for (const inp of data.inputs) {
      if (inp.stopped) {
        process.stderr.write(
          `nad: warning: ${stripControl(inp.path)}: byte ${inp.stopped.offset}: ${stripControl(inp.stopped.what)} (kept ${inp.packets} packets read before it, ${inp.lost_bytes} bytes not read)\n`,
        );
      }
    }
    const result = await writeRunOutputs(outDir, data, runParameters(opts), opts, setup);
    const commitError = await flowsCommitted;
    if (commitError !== null) throw commitError;
    return result.exitCode;
  } catch (err) {
    // A commit in flight owns the descriptor: let it finish (or fail) before the temp file is dropped.
    await flowsCommitted;
    flowsCsv.abort();
    spilled?.discard();
    throw err;
  } finally {
    interrupts.dispose();
  }
}

export { EXIT };
