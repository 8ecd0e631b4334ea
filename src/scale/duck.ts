/**
 * DuckDB (an embedded engine, no server) for `nad merge`. It is an optional dependency (70 MB of prebuilt binaries),
 * so it is loaded on first use and its absence is one clear line.
 */
import { UsageError } from '../cli/errors.js';

export interface Duck {
  /** Runs a query and returns its rows as plain objects (BIGINT as bigint). */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}

/** The part of @duckdb/node-api nad uses, typed here so nad type-checks without the optional package. */
interface DuckApi {
  DuckDBInstance: {
    create(path: string): Promise<{
      connect(): Promise<{ runAndReadAll(sql: string): Promise<{ getRowObjectsJS(): unknown[] }>; closeSync(): void }>;
      closeSync(): void;
    }>;
  };
}

/** A variable, not a literal, so the compiler does not require the optional package to be installed. */
const DUCKDB_PACKAGE = '@duckdb/node-api';

export async function openDuck(): Promise<Duck> {
  let api: DuckApi;
  try {
    api = (await import(DUCKDB_PACKAGE)) as DuckApi;
  } catch {
    throw new UsageError('nad merge needs DuckDB: npm install @duckdb/node-api (an optional dependency of nad)');
  }
  const instance = await api.DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  return {
    async rows(sql: string): Promise<Record<string, unknown>[]> {
      const reader = await conn.runAndReadAll(sql);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    },
    close(): void {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** A string literal for SQL (single quotes doubled). */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** `read_parquet([...])` over the given files; union_by_name lets shards written by different nad versions add columns. */
export function readParquet(files: readonly string[]): string {
  return `read_parquet([${files.map(sqlString).join(', ')}], union_by_name = true)`;
}
