/**
 * `nad capture -i IFACE`: tcpdump captures, nad analyses while it streams, and the raw capture is kept beside the
 * report as evidence (its sha256 goes into summary.json). Stops on -c packets, -t seconds, or Ctrl-C.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { AnalyzeCliOptions } from './analyze_command.js';
import { detectionSetup, readForAnalysis, runParameters } from './analyze_command.js';
import { runBaselineFromData } from './baseline.js';
import { UsageError } from './errors.js';
import { AtomicWriter, outputError } from '../export/atomic.js';
import { checkNewFile, prepareOutDir } from './outdir.js';
import { writeRunOutputs } from './outputs.js';
import { handleInterrupts } from './signals.js';

export interface CaptureCliOptions extends AnalyzeCliOptions {
  interface: string;
  count: number;
  timeout?: number;
  write?: string;
  trainMode: boolean;
}

function tcpdumpArgs(opts: CaptureCliOptions): string[] {
  const args = ['-i', opts.interface, '-U', '-n', '-w', '-'];
  if (opts.count > 0) args.push('-c', String(opts.count));
  if (opts.filter !== undefined) args.push(opts.filter);
  return args;
}

export async function runCaptureCommand(opts: CaptureCliOptions): Promise<number> {
  const probe = spawnSync('tcpdump', ['--version'], { stdio: 'ignore' });
  if (probe.error !== undefined) throw new UsageError('capture needs tcpdump, and it is not installed (apt-get install tcpdump)');
  const outDir = opts.out ?? (opts.trainMode ? 'models' : join('reports', `capture-${opts.interface.replace(/[^A-Za-z0-9_.-]/g, '_')}`));
  const modelPath = opts.trainMode ? (opts.out?.endsWith('.json') ? opts.out : join(outDir, 'baseline.json')) : null;
  if (modelPath) checkNewFile(modelPath, opts.force);
  else prepareOutDir(outDir, opts.force);
  const rawPath = opts.write ?? join(modelPath ? dirname(modelPath) : outDir, modelPath ? `${basename(modelPath, '.json')}.pcap` : 'capture.pcap');
  checkNewFile(rawPath, opts.force || rawPath === join(outDir, 'capture.pcap'));

  const setup = await detectionSetup(opts, new AbortController().signal);
  const dir = mkdtempSync(join(tmpdir(), 'nad-capture-'));
  const fifo = join(dir, 'live.pcap');
  if (spawnSync('mkfifo', [fifo]).status !== 0) throw new UsageError(`cannot create a FIFO in ${dir}`);
  const tmpRaw = `${rawPath}.${process.pid}.tmp`;
  // tcpdump writes to a pipe; every byte goes both to the evidence file and to the FIFO that the readers stream from.
  const child = spawn('tcpdump', tcpdumpArgs(opts), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  child.on('error', () => undefined);
  const timer = opts.timeout !== undefined ? setTimeout(() => child.kill('SIGINT'), opts.timeout * 1000) : null;
  const interrupts = handleInterrupts(() => child.kill('SIGINT'));
  const evidence = createWriteStream(tmpRaw);
  // A failed write of the evidence (a full disk) ends the run with an OutputError below, not an uncaught 'error'.
  let evidenceError: unknown = null;
  evidence.on('error', (err) => { evidenceError ??= err; });
  const toReader = createWriteStream(fifo);
  toReader.on('error', () => undefined);
  // The evidence's sha256 as its bytes go by: reading the file back whole would hold a long capture in memory.
  const evidenceHash = createHash('sha256');
  child.stdout.on('data', (d: Buffer) => evidenceHash.update(d));
  child.stdout.pipe(evidence);
  child.stdout.pipe(toReader);
  const flowsCsv = modelPath ? null : new AtomicWriter(join(outDir, 'flows.csv'));
  try {
    const tcpdumpFailed = (code: number): UsageError => {
      const line = stderr.split('\n').find((l) => /tcpdump:|permission|denied|No such device/i.test(l)) ?? `tcpdump exited with ${code}`;
      return new UsageError(`capture on ${opts.interface} failed: ${line.replace(/^tcpdump: /, '').trim()}`);
    };
    let data;
    try {
      data = await readForAnalysis([fifo], opts, flowsCsv, new AbortController().signal);
    } catch (err) {
      // tcpdump died before writing a capture header (no permission, no such device): its message explains it.
      const code = await exited;
      if (code !== 0) throw tcpdumpFailed(code);
      throw err;
    }
    const code = await exited;
    if (code !== 0 && data.inputs.every((i) => i.packets === 0)) throw tcpdumpFailed(code);
    flowsCsv?.commit();
    if (!evidence.closed) await new Promise<void>((resolve) => evidence.on('close', () => resolve()));
    if (evidenceError !== null) throw outputError(rawPath, evidence.bytesWritten, evidenceError);
    const sha256 = evidenceHash.digest('hex');
    renameSync(tmpRaw, rawPath);
    for (const inp of data.inputs) inp.path = `tcpdump -i ${opts.interface}`;
    if (modelPath) return await runBaselineFromData(data, modelPath, [{ path: rawPath, sha256 }], opts);
    const extra = { evidence: { path: rawPath, sha256, interface: opts.interface, tcpdump: tcpdumpArgs(opts).join(' ') } };
    const result = await writeRunOutputs(outDir, data, runParameters(opts), opts, setup, extra);
    return result.exitCode;
  } catch (err) {
    flowsCsv?.abort();
    evidence.destroy();
    rmSync(tmpRaw, { force: true });
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
    if (child.exitCode === null) child.kill('SIGINT');
    interrupts.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
