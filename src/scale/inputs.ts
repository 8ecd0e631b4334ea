/**
 * Capture arguments as users give them for rotated files (`tcpdump -C/-G`, Arkime, Stenographer): a directory stands
 * for the capture files in it, and a pattern with `*` or `?` in its last component (quoted, so the shell left it alone)
 * for the files it matches. The files are then read as one capture: readCaptures merges several inputs by timestamp,
 * so a flow that crosses a file boundary stays one flow, whatever order the names sort in.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../capture/types.js';

/** First four bytes of pcap (µs, ns; both byte orders), pcapng's Section Header Block, and gzip. */
const CAPTURE_MAGICS: readonly number[] = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a];
const GZIP_MAGIC = 0x1f8b;

/** Whether the file starts like a capture (or a gzip file, which the reader opens and checks itself). */
export function looksLikeCapture(path: string): boolean {
  const head = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (n < 4) return false;
  return CAPTURE_MAGICS.includes(head.readUInt32BE(0)) || head.readUInt16BE(0) === GZIP_MAGIC;
}

/** Names in natural order, so `cap9` comes before `cap10` (tcpdump -C numbering). */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** `*` and `?` of one path component as a regular expression (no `**`, no brackets: rotated names need neither). */
function componentPattern(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}

function filesIn(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.') && keep(name))
    .sort(naturalCompare)
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile() && looksLikeCapture(path));
}

/**
 * Expands directories and quoted patterns into capture files; other arguments (files, `-`) pass through unchanged so
 * the reader reports their errors. Throws InputError when a directory or pattern yields no capture file.
 */
export function expandCaptureArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (arg === '-') { out.push(arg); continue; }
    const name = basename(arg);
    if (!existsSync(arg) && /[*?]/.test(name)) {
      const re = componentPattern(name);
      const dir = dirname(arg);
      const found = existsSync(dir) && statSync(dir).isDirectory() ? filesIn(dir, (n) => re.test(n)) : [];
      if (found.length === 0) throw new InputError(arg, 0, 'pattern matches no capture file');
      out.push(...found);
    } else if (existsSync(arg) && statSync(arg).isDirectory()) {
      const found = filesIn(arg, () => true);
      if (found.length === 0) throw new InputError(arg, 0, 'directory holds no capture file (pcap, pcapng, gzip)');
      out.push(...found);
    } else {
      out.push(arg);
    }
  }
  return out;
}
