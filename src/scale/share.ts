/**
 * One flow table with its app hooks and the records it writes: the whole per-flow pipeline of one thread. The
 * single-threaded run has one; `--workers N` has one per worker, each fed its share of the packets (workers.ts).
 */
import { createAppHooks } from '../app/index.js';
import type { DnsRecord, HttpRecord, RecordSink, SshRecord, TlsRecord } from '../app/records.js';
import { createAppStats, type AppStats } from '../app/stats.js';
import type { ConnRecord } from '../flow/conn.js';
import { emptyFlowStats, FlowTable, type FlowTableOptions, type FlowTableStats } from '../flow/table.js';

/** What one flow table produced: the records, in the order its flows ended, and its counters. */
export interface ShareRecords {
  conns: ConnRecord[];
  dns: DnsRecord[];
  tls: TlsRecord[];
  http: HttpRecord[];
  ssh: SshRecord[];
  flow_stats: FlowTableStats;
  app_stats: AppStats;
}

export interface FlowShare {
  table: FlowTable;
  /** The records so far (a worker hands conns on in batches and empties the array); counters are copied when the share is done. */
  records: ShareRecords;
}

export function createFlowShare(flow: FlowTableOptions, app: boolean): FlowShare {
  const appStats = createAppStats();
  const r: ShareRecords = { conns: [], dns: [], tls: [], http: [], ssh: [], flow_stats: emptyFlowStats(), app_stats: appStats };
  const sink: RecordSink = {
    dns: (x) => r.dns.push(x),
    tls: (x) => r.tls.push(x),
    http: (x) => r.http.push(x),
    ssh: (x) => r.ssh.push(x),
  };
  const connSink = {
    conn(c: ConnRecord): void {
      r.conns.push(c);
    },
  };
  return { table: new FlowTable(flow, connSink, app ? createAppHooks(appStats) : [], sink), records: r };
}

/** Ends the share's flows (`now`: the clock of the whole capture, for a worker's share) and copies its counters. */
export function finishShare(share: FlowShare, now?: number): ShareRecords {
  share.table.flush(now);
  const s = share.table.stats;
  share.records.flow_stats = { ...s, expired: { ...s.expired } };
  return share.records;
}

/** Adds b's counters into a (several workers' shares make one run's counters). */
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
