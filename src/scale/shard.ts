/**
 * `nad analyze --shard`: besides the usual outputs, a shard directory that `nad merge` (or any SQL engine) can join
 * with the shards of the same capture's other time ranges:
 *   flows.parquet dns.parquet tls.parquet http.parquet ssh.parquet ftp.parquet smtp.parquet credentials.parquet   the records (schema.ts), flows with an `edge` column
 *   arp.parquet                                                       ARP who-has requests by (sender, target) pair
 *   edge-<linktype>.pcap                                              every packet of the edge flows (edge.ts)
 *   shard.json                                                        time bounds, timeouts, inputs, counts
 */
import type { AppStats } from '../app/stats.js';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { InputSummary, WarningTally } from '../capture/types.js';
import { formatTs } from '../capture/time.js';
import type { CaptureData } from '../cli/analyze.js';
import { writeFileAtomic } from '../export/atomic.js';
import type { FlowTableOptions, FlowTableStats } from '../flow/table.js';
import { UsageError } from '../cli/errors.js';
import { ARP_TABLE } from './arp_pairs.js';
import { selectEdges, splitTs, writeEdgePackets } from './edge.js';
import { expandCaptureArgs } from './inputs.js';
import { DHCP_TABLE, SHARD_TABLES, toColumnData, type TableColumn } from './schema.js';

export const SHARD_FORMAT = 7;

/** shard.json: what `nad merge` needs besides the tables. */
export interface ShardMeta {
  format: typeof SHARD_FORMAT;
  /** First and last IP packet of the shard (`sec.nnnnnnnnn`), null when it had none. */
  first_ts: string | null;
  last_ts: string | null;
  /** Timeouts the shard was analysed with; every shard of a merge must use the same. */
  flow: Required<Pick<FlowTableOptions, 'tcp_idle_s' | 'udp_idle_s' | 'icmp_idle_s' | 'active_timeout_s'>>;
  app: boolean;
  /** The shard kept every password (--capture-passwords): the merge's replay of edge flows does the same. */
  capture_passwords: boolean;
  /** Flows first seen this many seconds after first_ts or earlier are edge flows (the longest idle timeout). */
  window_s: number;
  flows: number;
  edge_flows: number;
  edge_files: { file: string; linktype: number; packets: number }[];
  inputs: InputSummary[];
  decode_warnings: Record<string, WarningTally>;
  flow_stats: FlowTableStats;
  /** What the app hooks could not parse in this shard (absent in shards written before it was recorded). */
  app_stats?: AppStats;
  /** DHCP datagrams of this shard not read (CaptureData.dhcp_stats). */
  dhcp_stats: CaptureData['dhcp_stats'];
}

export function writeParquet(path: string, columns: readonly TableColumn[], rows: readonly object[]): void {
  const buf = parquetWriteBuffer({ columnData: toColumnData(columns, rows) as Parameters<typeof parquetWriteBuffer>[0]['columnData'] });
  writeFileAtomic(path, new Uint8Array(buf));
}

function minTs(data: CaptureData): [number, number] | null {
  let best: [number, number] | null = null;
  for (const c of data.conns) {
    const t = splitTs(c.ts);
    if (best === null || t[0] < best[0] || (t[0] === best[0] && t[1] < best[1])) best = t;
  }
  return best;
}

/** Writes the shard tables, edge packets and shard.json of an analysed capture into dir. `paths` are the read inputs. */
export async function writeShard(
  dir: string, paths: readonly string[], data: CaptureData, flow: ShardMeta['flow'], app: boolean, capturePasswords = false,
): Promise<ShardMeta> {
  const window_s = Math.max(flow.tcp_idle_s, flow.udp_idle_s, flow.icmp_idle_s);
  const first = minTs(data);
  const sel = selectEdges(data.conns, first ?? [0, 0], window_s);
  const edge = await writeEdgePackets(paths, sel, dir);
  writeParquet(join(dir, 'flows.parquet'), SHARD_TABLES.flows, data.conns.map((c) => ({ ...c, edge: sel.uids.has(c.uid) })));
  writeParquet(join(dir, 'dns.parquet'), SHARD_TABLES.dns, data.dns);
  writeParquet(join(dir, 'tls.parquet'), SHARD_TABLES.tls, data.tls);
  writeParquet(join(dir, 'http.parquet'), SHARD_TABLES.http, data.http);
  writeParquet(join(dir, 'ssh.parquet'), SHARD_TABLES.ssh, data.ssh);
  writeParquet(join(dir, 'ftp.parquet'), SHARD_TABLES.ftp, data.ftp);
  writeParquet(join(dir, 'smtp.parquet'), SHARD_TABLES.smtp, data.smtp);
  writeParquet(join(dir, 'credentials.parquet'), SHARD_TABLES.credentials, data.credentials);
  writeParquet(join(dir, 'arp.parquet'), ARP_TABLE, edge.arp);
  writeParquet(join(dir, 'dhcp.parquet'), DHCP_TABLE, data.dhcp);
  const meta: ShardMeta = {
    format: SHARD_FORMAT,
    first_ts: first === null ? null : formatTs(first[0], first[1]),
    last_ts: edge.last_ip === null ? null : formatTs(edge.last_ip[0], edge.last_ip[1]),
    flow,
    app,
    capture_passwords: capturePasswords,
    window_s,
    flows: data.conns.length,
    edge_flows: sel.uids.size,
    edge_files: edge.files,
    inputs: data.inputs,
    decode_warnings: data.decode_warnings,
    flow_stats: data.flow_stats,
    app_stats: data.app_stats,
    dhcp_stats: data.dhcp_stats,
  };
  writeFileAtomic(join(dir, 'shard.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

/** --shard reads its inputs twice (edge packets), so it needs files, and the BPF filter would not apply to the second pass. */
export function checkShardable(captures: readonly string[], filter: string | undefined): void {
  if (captures.includes('-')) throw new UsageError('--shard needs capture files: stdin (-) cannot be read twice');
  if (filter !== undefined) throw new UsageError('--shard cannot be combined with -f/--filter: filter the shard files first (tcpdump -r … -w …)');
}

/** `nad analyze --shard`: the shard files beside the usual outputs. None after an interrupted read: a shard must cover its whole slice. */
export async function writeShardOutputs(
  outDir: string, captures: readonly string[], data: CaptureData,
  opts: { tcpTimeout: number; udpTimeout: number; icmpTimeout: number; activeTimeout: number; app: boolean; capturePasswords?: boolean },
): Promise<ShardMeta | null> {
  if (data.interrupted) {
    process.stderr.write('nad: warning: interrupted: shard files not written (a shard must cover its whole time slice)\n');
    return null;
  }
  const flow = { tcp_idle_s: opts.tcpTimeout, udp_idle_s: opts.udpTimeout, icmp_idle_s: opts.icmpTimeout, active_timeout_s: opts.activeTimeout };
  return writeShard(outDir, expandCaptureArgs(captures), data, flow, opts.app, opts.capturePasswords === true);
}
