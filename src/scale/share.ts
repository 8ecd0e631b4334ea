/**
 * One flow table with its app hooks and the records it writes: the whole per-flow pipeline of one thread. The
 * single-threaded run has one; `--workers N` has one per worker, each fed its share of the packets (workers.ts).
 */
import { createAppHooks, type AppOptions } from '../app/index.js';
import type { CredentialRecord, DnsRecord, FtpRecord, HttpRecord, RecordSink, SmtpRecord, SshRecord, TlsRecord } from '../app/records.js';
import { createAppStats, type AppStats } from '../app/stats.js';
import type { ConnRecord } from '../flow/conn.js';
import { emptyFlowStats, FlowTable, type FlowTableOptions, type FlowTableStats } from '../flow/table.js';

/** Where a run's records go as flows end: kept in lists (keepRecords, cli/analyze.ts RunStore), or sorted on disk
 *  (export/spill.ts SpilledExports). */
export interface RecordStore extends RecordSink {
  conn(c: ConnRecord): void;
}

/** The records of a run, in the order flows ended. */
export interface RecordLists {
  conns: ConnRecord[];
  dns: DnsRecord[];
  tls: TlsRecord[];
  http: HttpRecord[];
  ssh: SshRecord[];
  ftp: FtpRecord[];
  smtp: SmtpRecord[];
  credentials: CredentialRecord[];
}

export function emptyLists(): RecordLists {
  return { conns: [], dns: [], tls: [], http: [], ssh: [], ftp: [], smtp: [], credentials: [] };
}

/** A store that keeps every record (`lists` may be swapped for empty ones: a worker hands its records on in batches). */
export function keepRecords(): RecordStore & { lists: RecordLists } {
  const store = {
    lists: emptyLists(),
    conn: (x: ConnRecord) => store.lists.conns.push(x),
    dns: (x: DnsRecord) => store.lists.dns.push(x),
    tls: (x: TlsRecord) => store.lists.tls.push(x),
    http: (x: HttpRecord) => store.lists.http.push(x),
    ssh: (x: SshRecord) => store.lists.ssh.push(x),
    ftp: (x: FtpRecord) => store.lists.ftp.push(x),
    smtp: (x: SmtpRecord) => store.lists.smtp.push(x),
    credential: (x: CredentialRecord) => store.lists.credentials.push(x),
  };
  return store;
}

/** Hands every record of `lists` to `store`, in list order. */
export function storeLists(store: RecordStore, lists: RecordLists): void {
  for (const x of lists.conns) store.conn(x);
  for (const x of lists.dns) store.dns(x);
  for (const x of lists.tls) store.tls(x);
  for (const x of lists.http) store.http(x);
  for (const x of lists.ssh) store.ssh(x);
  for (const x of lists.ftp) store.ftp(x);
  for (const x of lists.smtp) store.smtp(x);
  for (const x of lists.credentials) store.credential(x);
}

/** A share's counters, copied when it is done. */
export interface ShareStats {
  flow_stats: FlowTableStats;
  app_stats: AppStats;
}

export interface FlowShare {
  table: FlowTable;
  app_stats: AppStats;
}

export function createFlowShare(flow: FlowTableOptions, app: boolean, store: RecordStore, appOpts: AppOptions = {}): FlowShare {
  const appStats = createAppStats();
  return { table: new FlowTable(flow, store, app ? createAppHooks(appStats, appOpts) : [], store), app_stats: appStats };
}

/** Ends the share's flows (`now`: the clock of the whole capture, for a worker's share) and copies its counters. */
export function finishShare(share: FlowShare, now?: number): ShareStats {
  share.table.flush(now);
  const s = share.table.stats;
  return { flow_stats: { ...s, expired: { ...s.expired } }, app_stats: { ...share.app_stats } };
}

export function emptyShareStats(): ShareStats {
  return { flow_stats: emptyFlowStats(), app_stats: createAppStats() };
}

/** Adds b's counters into a (several workers' shares make one run's counters). */
export function addShareStats(a: ShareStats, b: ShareStats): void {
  addFlowStats(a.flow_stats, b.flow_stats);
  addAppStats(a.app_stats, b.app_stats);
}

/** Adds b's counters into a. */
export function addFlowStats(a: FlowTableStats, b: FlowTableStats): void {
  a.flows_created += b.flows_created;
  a.active += b.active;
  for (const k of Object.keys(a.expired) as (keyof FlowTableStats['expired'])[]) a.expired[k] += b.expired[k];
  a.out_of_order += b.out_of_order;
  a.non_ip += b.non_ip;
  a.fragments_mapped += b.fragments_mapped;
  a.fragments_unmapped += b.fragments_unmapped;
}

export function addAppStats(a: AppStats, b: AppStats): void {
  for (const k of Object.keys(a) as (keyof AppStats)[]) a[k] += b[k];
}
