/**
 * `-f/--filter BPF` with real BPF semantics: each input is passed through `tcpdump -r - -w - FILTER` and nad reads
 * tcpdump's output from a FIFO. No home-made BPF subset: without tcpdump the filter is refused with a clear error.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, constants, createReadStream, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { UsageError } from './errors.js';

export function haveTcpdump(): boolean {
  const r = spawnSync('tcpdump', ['--version'], { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

/** Checks that tcpdump exists and compiles the filter (for DLT_EN10MB; link-type specific checks happen per input). */
export function checkFilter(filter: string): void {
  if (!haveTcpdump()) {
    throw new UsageError(`-f/--filter needs tcpdump for real BPF semantics, and tcpdump is not installed (apt-get install tcpdump)`);
  }
  const r = spawnSync('tcpdump', ['-y', 'EN10MB', '-d', filter], { encoding: 'utf8' });
  if (r.status !== 0) {
    const why = (r.stderr || '').split('\n').find((l) => l.trim() !== '' && !l.startsWith('Warning')) ?? 'invalid filter';
    throw new UsageError(`-f/--filter: ${why.replace(/^tcpdump: /, '')}`);
  }
}

export interface FilteredInputs {
  /** Paths to read instead of the originals (FIFOs fed by tcpdump). */
  paths: string[];
  /** sha256 and size of each original input, computed while it streams into tcpdump. */
  digests: Promise<{ sha256: string; size: number }[]>;
  /** Resolves when every tcpdump has exited; rejects with a UsageError on failure. */
  done: Promise<void>;
  cleanup(): void;
}

/** A reader blocked opening a FIFO whose writer died first would wait forever: open and close the write end. */
function unblockReader(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // ENXIO: no reader is waiting, nothing to unblock.
  }
}

function openRaw(path: string): Readable {
  return path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
}

/** Starts one tcpdump per input; gzip inputs are decompressed first (tcpdump cannot read gzip from a pipe). */
export function filterInputs(paths: readonly string[], filter: string): FilteredInputs {
  const dir = mkdtempSync(join(tmpdir(), 'nad-bpf-'));
  const children: ChildProcess[] = [];
  const fifos: string[] = [];
  const digests: Promise<{ sha256: string; size: number }>[] = [];
  const exits: Promise<void>[] = [];
  paths.forEach((path, i) => {
    const fifo = join(dir, `in${i}.pcap`);
    const mk = spawnSync('mkfifo', [fifo]);
    if (mk.status !== 0) throw new UsageError(`-f/--filter: cannot create a FIFO in ${dir}`);
    fifos.push(fifo);
    const raw = openRaw(path);
    const hash = createHash('sha256');
    let size = 0;
    let sniffed = false;
    const body = new PassThrough();
    digests.push(
      new Promise((resolve, reject) => {
        raw.on('error', reject);
        raw.on('end', () => resolve({ sha256: hash.digest('hex'), size }));
      }),
    );
    raw.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
      if (!sniffed) {
        sniffed = true;
        if (chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b) {
          const gunzip = createGunzip();
          gunzip.pipe(body);
          raw.removeAllListeners('end');
          raw.on('end', () => gunzip.end());
          raw.on('data', (c: Buffer) => gunzip.write(c));
          gunzip.write(chunk);
          return;
        }
        raw.on('data', (c: Buffer) => body.write(c));
        raw.on('end', () => body.end());
        body.write(chunk);
      }
    });
    const child = spawn('tcpdump', ['-r', '-', '-w', fifo, '-U', filter], { stdio: ['pipe', 'ignore', 'pipe'] });
    children.push(child);
    body.pipe(child.stdin!);
    child.stdin!.on('error', () => undefined);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    exits.push(
      new Promise((resolve, reject) => {
        child.on('error', (e) => reject(new UsageError(`-f/--filter: cannot run tcpdump: ${e.message}`)));
        child.on('close', (code) => {
          if (code === 0) resolve();
          else {
            unblockReader(fifo);
            const line = stderr.split('\n').find((l) => l.trim() !== '' && !l.startsWith('reading from')) ?? `exit ${code}`;
            reject(new UsageError(`${path}: byte 0: tcpdump -f filter failed: ${line.replace(/^tcpdump: /, '')}`));
          }
        });
      }),
    );
  });
  return {
    paths: fifos,
    digests: Promise.all(digests),
    done: Promise.all(exits).then(() => undefined),
    cleanup() {
      for (const c of children) if (c.exitCode === null) c.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
