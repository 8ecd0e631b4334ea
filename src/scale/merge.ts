/**
 * Joining shards (see shard.ts): the flows that are final inside their shard come from the Parquet tables through
 * DuckDB; the flows that touch a shard edge are rebuilt by reading every shard's edge packets, in time order, through
 * one flow table with the app hooks. The union is what one run over the whole capture produces.
 */
import { createAppStats, type AppStats } from '../app/stats.js';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CredentialRecord, DhcpRecord, DnsRecord, FtpRecord, HttpRecord, SmtpRecord, SshRecord, TlsRecord } from '../app/records.js';
import { linkDhcp, sortDhcp } from '../app/dhcp/tally.js';
import type { WarningTally } from '../capture/types.js';
import { readAndAssemble, type CaptureData } from '../cli/analyze.js';
import { UsageError } from '../cli/errors.js';
import { compareTsUid, type ConnRecord } from '../flow/conn.js';
import type { FlowTableStats } from '../flow/table.js';
import type { ArpSweep } from '../detect/index.js';
import { openDuck, readParquet, type Duck } from './duck.js';
import { splitTs } from './edge.js';
import { DHCP_TABLE, fromRow, SHARD_TABLES, type ShardTable, type TableColumn } from './schema.js';
import { SHARD_FORMAT, type ShardMeta } from './shard.js';

export interface Shard {
  dir: string;
  meta: ShardMeta;
}

export function readShard(dir: string): Shard {
  let meta: ShardMeta;
  try {
    meta = JSON.parse(readFileSync(join(dir, 'shard.json'), 'utf8')) as ShardMeta;
  } catch (err) {
    throw new UsageError(`${dir}: not a shard directory (no readable shard.json: ${(err as Error).message.split('\n')[0]}); make one with nad analyze --shard`);
  }
  if (meta.format !== SHARD_FORMAT) throw new UsageError(`${dir}: shard format ${String(meta.format)}, this nad reads ${SHARD_FORMAT}; analyse the slice again with this nad (nad analyze --shard)`);
  const files = [...Object.keys(SHARD_TABLES).map((t) => `${t}.parquet`), 'arp.parquet', 'dhcp.parquet', ...meta.edge_files.map((f) => f.file)];
  const missing = files.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) throw new UsageError(`${dir}: incomplete shard (missing ${missing.join(', ')}); analyse the slice again with nad analyze --shard`);
  return { dir, meta };
}

function tsKey(ts: string | null): number {
  return ts === null ? Infinity : Number(ts);
}

/** Shards in time order; refuses mixed timeouts and overlapping time ranges (those are not cuts of one capture). */
export function orderShards(shards: readonly Shard[]): Shard[] {
  const sorted = [...shards].sort((a, b) => tsKey(a.meta.first_ts) - tsKey(b.meta.first_ts));
  const first = sorted[0];
  if (first === undefined) throw new UsageError('nad merge: no shard directory given');
  const same = JSON.stringify({ flow: first.meta.flow, app: first.meta.app });
  for (const s of sorted) {
    if (JSON.stringify({ flow: s.meta.flow, app: s.meta.app }) !== same) {
      throw new UsageError(`${s.dir}: analysed with other timeouts or --no-app than ${first.dir}; analyse every shard with the same options`);
    }
  }
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!, cur = sorted[i]!;
    if (prev.meta.last_ts !== null && cur.meta.first_ts !== null && Number(cur.meta.first_ts) < Number(prev.meta.last_ts)) {
      throw new UsageError(`${cur.dir}: starts at ${cur.meta.first_ts}, before ${prev.dir} ends (${prev.meta.last_ts}): shards must be disjoint time ranges`);
    }
  }
  return sorted;
}

/** 192.0.2.1 → 192.0.2.2, IP protocol 253 (RFC 3692 experimentation), raw IPv4: the replay's end-of-capture clock tick. */
const CLOCK_PROTO = 253;
function clockPacket(): Buffer {
  const ip = Buffer.from([0x45, 0, 0, 20, 0, 0, 0, 0, 64, CLOCK_PROTO, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2]);
  return ip;
}

/**
 * A pcap of `count` clock packets at the capture's last IP packet time. After the edge packets, the replay's flow
 * table must see time reach the end of the whole capture, so flows that a single run expires on idle (or after a TCP
 * close) are written with that reason instead of `end`. Several packets because a sweep writes at most 1000 flows per list.
 */
function writeClockPcap(path: string, ts: string, count: number): void {
  const [sec, nsec] = splitTs(ts);
  const pkt = clockPacket();
  const out = Buffer.alloc(24 + count * (16 + pkt.length));
  out.writeUInt32LE(0xa1b23c4d, 0); out.writeUInt16LE(2, 4); out.writeUInt16LE(4, 6); out.writeUInt32LE(65535, 16); out.writeUInt32LE(101, 20);
  for (let i = 0, o = 24; i < count; i++, o += 16 + pkt.length) {
    out.writeUInt32LE(sec, o); out.writeUInt32LE(nsec, o + 4); out.writeUInt32LE(pkt.length, o + 8); out.writeUInt32LE(pkt.length, o + 12);
    pkt.copy(out, o + 16);
  }
  writeFileSync(path, out);
}

function isClockFlow(c: ConnRecord): boolean {
  return c.ip_proto === CLOCK_PROTO && c.orig_h === '192.0.2.1' && c.resp_h === '192.0.2.2';
}

/** Rebuilds the edge flows (and their app records) from every shard's edge packets. */
async function replayEdges(shards: readonly Shard[]): Promise<CaptureData | null> {
  const files = shards.flatMap((s) => s.meta.edge_files.map((f) => join(s.dir, f.file)));
  if (files.length === 0) return null;
  const last = shards.map((s) => s.meta.last_ts).filter((t): t is string => t !== null).sort((a, b) => Number(a) - Number(b)).pop();
  const edgeFlows = shards.reduce((n, s) => n + s.meta.edge_flows, 0);
  const tmp = mkdtempSync(join(tmpdir(), 'nad-merge-'));
  try {
    if (last !== undefined) {
      const clock = join(tmp, 'clock.pcap');
      writeClockPcap(clock, last, Math.ceil(edgeFlows / 1000) + 2);
      files.push(clock);
    }
    const meta = shards[0]!.meta;
    const data = await readAndAssemble(files, {
      flow: { tcp_idle_s: meta.flow.tcp_idle_s, udp_idle_s: meta.flow.udp_idle_s, icmp_idle_s: meta.flow.icmp_idle_s, active_timeout_s: meta.flow.active_timeout_s },
      app: meta.app,
      capture_passwords: meta.capture_passwords,
    });
    data.conns = data.conns.filter((c) => !isClockFlow(c));
    return data;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function addTallies(into: Record<string, WarningTally>, from: Readonly<Record<string, WarningTally>>): void {
  for (const [k, v] of Object.entries(from)) {
    const t = into[k];
    into[k] = t === undefined ? { ...v } : { ...t, count: t.count + v.count };
  }
}

function flowStats(shards: readonly Shard[], conns: readonly ConnRecord[]): FlowTableStats {
  const sum = (pick: (s: FlowTableStats) => number): number => shards.reduce((n, s) => n + pick(s.meta.flow_stats), 0);
  const expired: FlowTableStats['expired'] = { idle: 0, active: 0, end: 0, fin: 0 };
  for (const c of conns) expired[c.end_reason]++;
  return {
    flows_created: conns.length, active: 0, expired,
    out_of_order: sum((s) => s.out_of_order), non_ip: sum((s) => s.non_ip),
    fragments_mapped: sum((s) => s.fragments_mapped), fragments_unmapped: sum((s) => s.fragments_unmapped),
  };
}

/** The SQL nad runs over the shard tables (README documents it for other engines). */
export function finalRowsSql(table: ShardTable, shards: readonly Shard[]): string {
  const flows = readParquet(shards.map((s) => join(s.dir, 'flows.parquet')));
  if (table === 'flows') return `SELECT * FROM ${flows} WHERE NOT edge`;
  const files = readParquet(shards.map((s) => join(s.dir, `${table}.parquet`)));
  return `SELECT * FROM ${files} WHERE uid IN (SELECT uid FROM ${flows} WHERE NOT edge)`;
}

/** The SQL that turns the shards' ARP pairs into features/arp.ts sweeps (distinct targets per sender). */
export function arpSweepsSql(shards: readonly Shard[]): string {
  const files = readParquet(shards.map((s) => join(s.dir, 'arp.parquet')));
  return `SELECT src, COUNT(DISTINCT target) AS targets, SUM(requests) AS requests, MIN(first_ts) AS first_ts, MAX(last_ts) AS last_ts FROM ${files} GROUP BY src`;
}

async function arpSweeps(duck: Duck, shards: readonly Shard[]): Promise<ArpSweep[]> {
  const rows = await duck.rows(arpSweepsSql(shards));
  return rows
    .map((r) => ({ src: String(r['src']), targets: Number(r['targets']), requests: Number(r['requests']), first_ts: Number(r['first_ts']), last_ts: Number(r['last_ts']) }))
    .sort((a, b) => (a.src < b.src ? -1 : a.src > b.src ? 1 : 0));
}

function sumDhcpStats(all: readonly CaptureData['dhcp_stats'][]): CaptureData['dhcp_stats'] {
  const out = { not_dhcp: 0, truncated: 0, dropped: 0 };
  for (const s of all) { out.not_dhcp += s.not_dhcp; out.truncated += s.truncated; out.dropped += s.dropped; }
  return out;
}

/** Joins shard directories into the records of one run over the whole capture; also returns the shards in time order. */
export async function mergeShards(dirs: readonly string[]): Promise<{ data: CaptureData; shards: Shard[] }> {
  const shards = orderShards(dirs.map(readShard));
  const duck = await openDuck();
  const final = async <T>(table: ShardTable): Promise<T[]> => {
    const columns: readonly TableColumn[] = SHARD_TABLES[table];
    const rows = await duck.rows(finalRowsSql(table, shards));
    return rows.map((r) => fromRow(columns, r) as unknown as T);
  };
  let conns: ConnRecord[], dns: DnsRecord[], tls: TlsRecord[], http: HttpRecord[], ssh: SshRecord[], ftp: FtpRecord[], smtp: SmtpRecord[], credentials: CredentialRecord[];
  let arp: ArpSweep[], dhcp: DhcpRecord[];
  try {
    conns = (await final<ConnRecord & { edge?: boolean }>('flows')).map(({ edge: _edge, ...c }) => c);
    dns = await final<DnsRecord>('dns');
    tls = await final<TlsRecord>('tls');
    http = await final<HttpRecord>('http');
    ssh = await final<SshRecord>('ssh');
    ftp = await final<FtpRecord>('ftp');
    smtp = await final<SmtpRecord>('smtp');
    credentials = await final<CredentialRecord>('credentials');
    arp = await arpSweeps(duck, shards);
    // Every shard's DHCP messages are its own packets': all rows, in shard order (time order within each).
    const dhcpFiles = readParquet(shards.map((s) => join(s.dir, 'dhcp.parquet')));
    dhcp = (await duck.rows(`SELECT * FROM ${dhcpFiles}`)).map((r) => fromRow(DHCP_TABLE, r) as unknown as DhcpRecord);
  } finally {
    duck.close();
  }
  const replay = await replayEdges(shards);
  if (replay !== null) {
    conns.push(...replay.conns);
    dns.push(...replay.dns);
    tls.push(...replay.tls);
    http.push(...replay.http);
    ssh.push(...replay.ssh);
    ftp.push(...replay.ftp);
    smtp.push(...replay.smtp);
    credentials.push(...replay.credentials);
  }
  const decode_warnings: Record<string, WarningTally> = {};
  for (const s of shards) addTallies(decode_warnings, s.meta.decode_warnings);
  const inputs = shards.flatMap((s) => s.meta.inputs);
  // Counters add up over shards (edge flows were parsed in their shards too, so a problem there may count twice).
  const app_stats = createAppStats();
  for (const s of shards) {
    for (const k of Object.keys(app_stats) as (keyof AppStats)[]) app_stats[k] += s.meta.app_stats?.[k] ?? 0;
  }
  const data: CaptureData = {
    inputs,
    conns: conns.sort(compareTsUid),
    dns: dns.sort(compareTsUid),
    tls: tls.sort(compareTsUid),
    http: http.sort(compareTsUid),
    ssh: ssh.sort(compareTsUid),
    ftp: ftp.sort(compareTsUid),
    smtp: smtp.sort(compareTsUid),
    credentials: credentials.sort(compareTsUid),
    decode_warnings,
    flow_stats: flowStats(shards, conns),
    app_stats,
    arp,
    // Tied again to the flows of the whole capture: a flow across a shard edge has the uid of its first packet.
    dhcp: linkDhcp(sortDhcp(dhcp.map((r) => ({ ...r, uid: '' }))), conns),
    dhcp_stats: sumDhcpStats(shards.map((s) => s.meta.dhcp_stats)),
    interrupted: inputs.some((i) => i.interrupted),
    memory_stop: null,
    memory_keep: null,
    spilled: null,
  };
  return { data, shards };
}
