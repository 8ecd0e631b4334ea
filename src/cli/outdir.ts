/** Where a run's outputs go, and the rule that nothing a user wrote is replaced without --force. */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { removeStaleTempFiles } from '../export/atomic.js';
import { UsageError } from './errors.js';

/** reports/<first input's base name without capture extensions>; `stdin` for `-`. */
export function defaultOutDir(inputs: readonly string[]): string {
  const first = inputs[0] ?? '-';
  if (first === '-') return join('reports', 'stdin');
  let name = basename(first);
  for (;;) {
    const stripped = name.replace(/\.(gz|pcapng|pcap|cap|dmp|erf)$/i, '');
    if (stripped === name) break;
    name = stripped;
  }
  return join('reports', name === '' ? 'capture' : name);
}

/**
 * Creates the directory; refuses an existing non-empty one unless force is set. With force, temp files that killed
 * runs left there (`.NAME.PID.tmp` of a process that is gone) are removed too: they are this tool's, half-written.
 */
export function prepareOutDir(dir: string, force: boolean): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`${dir}: output path exists and is not a directory`);
    if (!force && readdirSync(dir).length > 0) {
      throw new UsageError(`${dir}: output directory is not empty (use --force to replace its files, or --out DIR)`);
    }
    if (force) {
      removeStaleTempFiles(dir);
      removeStaleTempFiles(join(dir, 'files')); // --extract-files bodies a crashed run left half written
    }
  } else {
    mkdirSync(dir, { recursive: true });
  }
}

/** Refuses to replace an existing file unless force is set. */
export function checkNewFile(path: string, force: boolean): void {
  if (!force && existsSync(path)) throw new UsageError(`${path}: file exists (use --force to replace it)`);
}
