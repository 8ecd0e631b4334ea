/**
 * The edge where errors become one line. InputError (bad capture) and UsageError (bad arguments, refused overwrite)
 * print `nad: <message>` and exit 2 with no stack trace; anything else is a bug in nad and keeps its stack
 * (or, without --debug, says so in one line and still exits 2).
 */
import { InputError } from '../capture/types.js';
import { OutputError } from '../export/atomic.js';

/** Bad usage: wrong option values, a refused overwrite, a missing tool. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT = { ok: 0, findings: 1, usage: 2, interrupted: 130 } as const;

/** Removes control characters (C0, DEL, C1) so wire-derived text cannot drive the terminal. */
export function stripControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\uFFFD');
}

/** Turns any error into the exit code and the one line a user sees. */
export function reportError(err: unknown, debug: boolean): number {
  if (err instanceof InputError || err instanceof UsageError || err instanceof OutputError) {
    process.stderr.write(`nad: ${stripControl(err.message)}\n`);
    if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
    return EXIT.usage;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EPERM') {
    const path = (e as NodeJS.ErrnoException).path ?? '';
    process.stderr.write(`nad: ${stripControl(path)}: byte 0: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : 'permission denied'}\n`);
    return EXIT.usage;
  }
  if (debug) process.stderr.write(`${e.stack ?? e.message}\n`);
  else process.stderr.write(`nad: internal error: ${stripControl(e.message)} (run with --debug for the stack trace)\n`);
  return EXIT.usage;
}
