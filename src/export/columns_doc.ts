/**
 * README's column tables are generated from the doc comments of the record types (Zeek's habit: each field is
 * documented where it is declared), so the two cannot drift apart. `npm run docs` rewrites the block between
 * `<!-- columns:FILE -->` and `<!-- /columns -->` in README.md; a test checks that README is up to date.
 */
import { readFileSync } from 'node:fs';
import type { Column } from './csv.js';

/** Doc comment of every field of every interface in a TypeScript source file: interface → field → text. */
export function fieldDocs(source: string): Map<string, Map<string, string>> {
  const result = new Map<string, Map<string, string>>();
  const ifaceRe = /export interface (\w+)(?:<[^>]*>)?(?: extends ([\w, ]+))? \{([\s\S]*?)\n\}/g;
  for (const m of source.matchAll(ifaceRe)) {
    const fields = new Map<string, string>();
    const body = m[3] ?? '';
    const fieldRe = /\/\*\*([\s\S]*?)\*\/\s*(?:readonly\s+)?(\w+)\??:/g;
    for (const f of body.matchAll(fieldRe)) {
      const text = (f[1] ?? '')
        .split('\n')
        .map((l) => l.replace(/^\s*\*\s?/, '').trim())
        .filter((l) => l !== '')
        .join(' ');
      fields.set(f[2] ?? '', text);
    }
    result.set(m[1] ?? '', fields);
  }
  return result;
}

/** Header → source field name, where they differ (Zeek's `id.` prefix; `seen.where` is the field `seen_where`). */
function fieldOf(header: string): string {
  return header.startsWith('id.') ? header.slice(3) : header.replace(/\./g, '_');
}

/** A markdown table of a CSV's columns with the doc text of the fields they come from. */
export function columnTable<T>(columns: readonly Column<T>[], docs: readonly Map<string, string>[]): string {
  const lines = ['| column | meaning |', '|---|---|'];
  for (const c of columns) {
    const name = fieldOf(c.header);
    const doc = docs.map((d) => d.get(name)).find((t) => t !== undefined) ?? '';
    lines.push(`| \`${c.header}\` | ${doc.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}

export function docsOf(path: string, ...interfaces: string[]): Map<string, string>[] {
  const all = fieldDocs(readFileSync(path, 'utf8'));
  return interfaces.map((i) => all.get(i) ?? new Map<string, string>());
}
