/** Test helper: which captures' tshark oracles carry a key, over the folders the app tests cover. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CAPTURES, HAVE_SHARED, oracle } from '../shared.js';

export const APP_FOLDERS = ['app', 'tls', 'linktypes', 'encap', 'format', 'community-id'] as const;

export interface OracleCase {
  rel: string;
  o: Record<string, unknown>;
}

/** Captures whose oracle has a non-empty array under any of `keys`. */
export function oraclesWith(keys: readonly string[], folders: readonly string[] = APP_FOLDERS): OracleCase[] {
  if (!HAVE_SHARED) return [];
  const out: OracleCase[] = [];
  for (const folder of folders) {
    const dir = join(CAPTURES, 'oracles', folder);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      const rel = `${folder}/${f.replace(/\.json$/, '')}`;
      const o = oracle(rel);
      if (o !== null && keys.some((k) => Array.isArray(o[k]) && (o[k] as unknown[]).length > 0)) out.push({ rel, o });
    }
  }
  return out;
}

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
