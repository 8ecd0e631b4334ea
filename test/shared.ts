/** Where the shared capture corpus lives, and how tests skip when it is absent. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** ../shared/captures relative to the project root (override with NAD_SHARED). */
export const SHARED = process.env['NAD_SHARED'] ?? resolve(PROJECT_ROOT, '..', 'shared');
export const CAPTURES = join(SHARED, 'captures');
export const HAVE_SHARED = existsSync(join(CAPTURES, 'MANIFEST.md'));
/** Pass as the `skip` option of node:test's test(): a clear message when ../shared is absent. */
export const SKIP_NO_SHARED: string | false = HAVE_SHARED ? false : `../shared/captures not found at ${CAPTURES}: test skipped`;

/** Reads a tshark oracle for a capture path relative to captures/ (e.g. `app/dns_udp.pcap`), or null. */
export function oracle(rel: string): Record<string, unknown> | null {
  const p = join(CAPTURES, 'oracles', `${rel}.json`);
  if (!existsSync(p)) return null;
  return JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
}

/** Rows of one of nad's CSV outputs as objects (RFC 4180 quoting: quoted cells may hold commas and doubled quotes). */
export function readCsv(path: string): Record<string, string>[] {
  const lines = readFileSync(path, 'utf8').split('\r\n').filter((l) => l !== '');
  const header = (lines[0] ?? '').split(',');
  return lines.slice(1).map((l) => {
    const cells = l.match(/("([^"]|"")*"|[^,]*)(,|$)/g)?.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"')) ?? [];
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}
