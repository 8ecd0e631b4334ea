/** Reads Zeek conn.log baselines (full TSV with #fields, or zeek-cut output with a header row). */
import { readFileSync } from 'node:fs';

export type ZeekRow = Record<string, string>;

export function readZeekLog(file: string): ZeekRow[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0 && !l.startsWith('### '));
  let fields: string[] | null = null;
  const rows: ZeekRow[] = [];
  for (const line of lines) {
    if (line.startsWith('#fields\t')) { fields = line.split('\t').slice(1); continue; }
    if (line.startsWith('#')) continue;
    if (fields === null) { fields = line.split('\t'); continue; } // zeek-cut -m: the first line names the columns
    const cells = line.split('\t');
    const row: ZeekRow = {};
    fields.forEach((f, i) => { row[f] = cells[i] ?? ''; });
    rows.push(row);
  }
  return rows;
}
