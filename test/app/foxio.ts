/** FoxIO's published outputs for the captures of ../shared/captures/tls (FoxIO-LLC/ja4's test data), shared by the JA4 and JA4H tests. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAPTURES, HAVE_SHARED } from '../shared.js';

export interface FoxioCapture {
  /** File name in ../shared/captures/tls, and its path. */
  file: string;
  path: string;
  /** python-testdata/<file>.json (`ja4.py -J -r -o`) and rust-insta-snapshots/ja4__insta@<file>.snap, null when absent. */
  python: string | null;
  rust: string | null;
}

/** Every capture with an output of either implementation, sorted by name; none without ../shared. */
export function foxioCaptures(): FoxioCapture[] {
  if (!HAVE_SHARED) return [];
  const dir = join(CAPTURES, 'tls');
  const expected = join(dir, 'expected');
  const orNull = (p: string): string | null => (existsSync(p) ? p : null);
  return readdirSync(dir)
    .filter((f) => /\.(pcap|pcapng)$/.test(f) && !f.includes('.notest.'))
    .sort()
    .map((file) => ({
      file,
      path: join(dir, file),
      python: orNull(join(expected, 'python-testdata', `${file}.json`)),
      rust: orNull(join(expected, 'rust-insta-snapshots', `ja4__insta@${file}.snap`)),
    }));
}

/** Records grouped by `orig_h|orig_p|resp_h|resp_p`, the key FoxIO's outputs name a stream by (src = the client). */
export function byFourTuple<T extends { orig_h: string; orig_p: number; resp_h: string; resp_p: number }>(records: readonly T[]): Map<string, T[]> {
  const byKey = new Map<string, T[]>();
  for (const r of records) {
    const k = `${r.orig_h}|${r.orig_p}|${r.resp_h}|${r.resp_p}`;
    const list = byKey.get(k);
    if (list === undefined) byKey.set(k, [r]);
    else list.push(r);
  }
  return byKey;
}

/** One fingerprint FoxIO lists for a stream: from which implementation, the stream's 4-tuple key, the value. */
export interface FoxioValue { source: 'python' | 'rust'; key: string; value: string }

/** The `field` of each stream in a python-testdata file that has it (`JA4H`, `JA4X.1`, …). */
export function pythonValues(file: string, field: string): FoxioValue[] {
  const rows = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | number>[];
  return rows
    .filter((r) => typeof r[field] === 'string')
    .map((r) => ({ source: 'python', key: `${r['src']}|${r['srcport']}|${r['dst']}|${r['dstport']}`, value: String(r[field]) }));
}
