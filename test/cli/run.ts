/** Runs the nad CLI from source (tsx) as a child process, as a user would run it. */
import { spawn, spawnSync, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { PROJECT_ROOT } from '../shared.js';

export const MAIN = join(PROJECT_ROOT, 'src', 'cli', 'main.ts');
/** `npm test` builds first and sets NAD_CLI=dist: the compiled CLI starts 3× faster than through tsx. */
const DIST = join(PROJECT_ROOT, 'dist', 'cli', 'main.js');
// tsx by its resolved URL, so a run from another working directory finds it too.
const ARGV: readonly string[] = process.env['NAD_CLI'] === 'dist' ? [DIST] : ['--import', import.meta.resolve('tsx'), MAIN];

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function nad(args: readonly string[], opts: { input?: Buffer; env?: Record<string, string>; cwd?: string } = {}): RunResult {
  const r = spawnSync(process.execPath, [...ARGV, ...args], {
    cwd: opts.cwd ?? PROJECT_ROOT,
    input: opts.input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    maxBuffer: 1 << 26,
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function nadChild(args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...ARGV, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, NO_COLOR: '1' } });
}

/** The CLI with stdin on a descriptor of the test's own (a FIFO, a file) or another child's output; stdout and stderr piped. */
export function nadChildFrom(args: readonly string[], stdin: number | Readable): ChildProcess {
  return spawn(process.execPath, [...ARGV, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: [stdin, 'pipe', 'pipe'] });
}

/** A stack trace line as Node prints it. */
export const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m;
