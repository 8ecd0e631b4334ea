/** FoxIO's published outputs for the captures of ../shared/captures/tls (FoxIO-LLC/ja4's test data), shared by the JA4 and JA4H tests. */
import { existsSync, readdirSync } from 'node:fs';
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
