/**
 * The pipeline as a library: captures → readers → decode → flow table (+ app hooks) → records; then detection.
 * No files are written here (analyze_command.ts does that), except through the optional streaming `onConn` callback,
 * which sees every flow as it expires, while the input still streams.
 */
import type { DnsRecord, FlowApp, HttpRecord, RecordSink, SshRecord, TlsRecord } from '../app/records.js';
import { createAppHooks } from '../app/index.js';
import { createAppStats, type AppStats } from '../app/stats.js';
import { readCaptures } from '../capture/index.js';
import { createArpTally, type ArpSweep } from '../detect/index.js';
import type { InputSummary, PacketSink, WarningTally } from '../capture/types.js';
import type { Packet } from '../decode/layer.js';
import { createDecodeStats, decodePacket, tallyDecode, decodeWarnings } from '../decode/packet.js';
import type { ConnRecord } from '../flow/conn.js';
import { FlowTable, type FlowTableOptions, type FlowTableStats } from '../flow/table.js';

export interface ReadOptions {
  /** Idle and active timeouts of the flow table, in seconds. */
  flow: FlowTableOptions;
  /** Run the application-layer hooks (DNS, TLS, QUIC, HTTP, SSH, service by payload). */
  app: boolean;
  /** Stops reading (SIGINT): what was read so far is still assembled and returned. */
  signal?: AbortSignal;
  /** Called now and then while reading, with the bytes read, the total when known, and packets and flows so far. */
  onProgress?: (bytesRead: number, total: number | null, counts: { packets: number; flows: number }) => void;
  /** Called for every flow as it expires (streams flows.csv while the input is read). */
  onConn?: (c: ConnRecord) => void;
}

/** Everything the readers, decoders, flow table and hooks produced for one run. */
export interface CaptureData {
  inputs: InputSummary[];
  conns: ConnRecord[];
  dns: DnsRecord[];
  tls: TlsRecord[];
  http: HttpRecord[];
  ssh: SshRecord[];
  /** Decoder warnings (truncated, malformed, unsupported link types…) by kind. */
  decode_warnings: Record<string, WarningTally>;
  /** Flow-table counters (created, expired by reason, out-of-order packets, non-IP packets…). */
  flow_stats: FlowTableStats;
  /** What the app hooks could not parse, by protocol (malformed DNS, TLS, QUIC, HTTP…). */
  app_stats: AppStats;
  /** ARP who-has requests per sender (scan detector: ARP sweeps, which make no IP flows). */
  arp: ArpSweep[];
  /** True when the run was interrupted (SIGINT/SIGTERM) before the inputs ended. */
  interrupted: boolean;
}

/** Reads the captures through the whole per-packet pipeline and returns the records. */
export async function readAndAssemble(paths: readonly string[], opts: ReadOptions): Promise<CaptureData> {
  const conns: ConnRecord[] = [];
  const dns: DnsRecord[] = [];
  const tls: TlsRecord[] = [];
  const http: HttpRecord[] = [];
  const ssh: SshRecord[] = [];
  const onConn = opts.onConn;
  const connSink = {
    conn(c: ConnRecord): void {
      conns.push(c);
      if (onConn) onConn(c);
    },
  };
  const records: RecordSink = {
    dns: (r) => dns.push(r),
    tls: (r) => tls.push(r),
    http: (r) => http.push(r),
    ssh: (r) => ssh.push(r),
  };
  const stats = createDecodeStats();
  const arp = createArpTally();
  const appStats = createAppStats();
  const table = new FlowTable(opts.flow, connSink, opts.app ? createAppHooks(appStats) : [], records);
  // One object made once: the reader calls it for every record (no closure per packet).
  const sink: PacketSink = {
    packet(p: Packet): void {
      decodePacket(p);
      tallyDecode(stats, p);
      arp.packet(p);
      table.packet(p);
    },
  };
  const readOpts: Parameters<typeof readCaptures>[2] = {};
  if (opts.signal) readOpts.signal = opts.signal;
  const onProgress = opts.onProgress;
  if (onProgress) readOpts.onProgress = (b, t) => onProgress(b, t, { packets: stats.packets, flows: table.stats.flows_created });
  const inputs = await readCaptures([...paths], sink, readOpts);
  table.flush();
  return {
    inputs,
    conns,
    dns,
    tls,
    http,
    ssh,
    decode_warnings: decodeWarnings(stats),
    flow_stats: { ...table.stats, expired: { ...table.stats.expired } },
    app_stats: appStats,
    arp: [...arp.sweeps()],
    interrupted: inputs.some((i) => i.interrupted),
  };
}

/** The app records of every flow, by uid (what detectors and the baseline learner take). */
export function appByUid(data: Pick<CaptureData, 'dns' | 'tls' | 'http' | 'ssh'>): Map<string, FlowApp> {
  const map = new Map<string, { dns: DnsRecord[]; tls: TlsRecord[]; http: HttpRecord[]; ssh: SshRecord[] }>();
  const get = (uid: string): { dns: DnsRecord[]; tls: TlsRecord[]; http: HttpRecord[]; ssh: SshRecord[] } => {
    let app = map.get(uid);
    if (app === undefined) {
      app = { dns: [], tls: [], http: [], ssh: [] };
      map.set(uid, app);
    }
    return app;
  };
  for (const r of data.dns) get(r.uid).dns.push(r);
  for (const r of data.tls) get(r.uid).tls.push(r);
  for (const r of data.http) get(r.uid).http.push(r);
  for (const r of data.ssh) get(r.uid).ssh.push(r);
  return map;
}
