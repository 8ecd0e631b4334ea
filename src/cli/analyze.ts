/**
 * The pipeline as a library: captures → readers → decode → flow table (+ app hooks) → records; then detection.
 * No files are written here (analyze_command.ts does that). Records come back in one order (by start time, then
 * uid), whatever order flows expired in, so a run with --workers N writes the same bytes as one with a single table.
 */
import type { CredentialRecord, DhcpRecord, DnsRecord, FlowApp, FtpRecord, HttpRecord, SmtpRecord, SshRecord, TlsRecord } from '../app/records.js';
import { createDhcpTally, linkDhcp, sortDhcp, type DhcpTally } from '../app/dhcp/tally.js';
import type { AppOptions } from '../app/index.js';
import type { AppStats } from '../app/stats.js';
import type { TlsKeyLog } from '../app/tls/keylog.js';
import { readCaptures } from '../capture/index.js';
import { createArpTally, type ArpSweep } from '../features/arp.js';
import type { InputSummary, PacketSink, WarningTally } from '../capture/types.js';
import type { Packet } from '../decode/layer.js';
import { createDecodeStats, decodePacket, tallyDecode, decodeWarnings } from '../decode/packet.js';
import { compareTsUid, type ConnRecord } from '../flow/conn.js';
import type { FlowTableOptions, FlowTableStats } from '../flow/table.js';
import type { SpilledExports } from '../export/spill.js';
import { createFlowShare, emptyLists, finishShare, storeLists, type RecordLists, type RecordStore } from '../scale/share.js';
import { FlowWorkers } from '../scale/workers.js';
import type { MemoryStop } from './memory.js';

export interface ReadOptions {
  /** Idle and active timeouts of the flow table, in seconds. */
  flow: FlowTableOptions;
  /** Run the application-layer hooks (DNS, TLS, QUIC, HTTP, SSH, FTP, service by payload). */
  app: boolean;
  /** Keep the passwords of cleartext logins (--capture-passwords: FTP, HTTP Basic, SMTP, POP3, IMAP, LDAP); by default only FTP guests'. */
  capture_passwords?: boolean;
  /** TLS secrets from --tls-keylog files: the connections they belong to are decrypted (app/tls/decrypt_hook.ts). */
  tls_keys?: TlsKeyLog;
  /** --extract-files: the folder HTTP response bodies seen whole go to (app/http/extract.ts). */
  extract_dir?: string;
  /** Stops reading (SIGINT): what was read so far is still assembled and returned. */
  signal?: AbortSignal;
  /** Called now and then while reading, with the bytes read, the total when known, and packets and flows so far. */
  onProgress?: (bytesRead: number, total: number | null, counts: ReadCounts) => void;
  /** Flow tables in worker threads (scale/workers.ts); 1 (default): the flow table runs in this thread. */
  workers?: number;
  /** Where the records go (default: all kept). */
  store?: RunStore;
}

/**
 * Where a run's records go as flows end: kept in lists (detection and the report need them), or to sorted on-disk
 * exports (export/spill.ts; a run that neither detects nor reports), or kept until the memory guard's keep level and
 * from then on spilled (stopKeeping). After that cut the lists still take the flows that started before it (open at
 * the cut: as many as the table held), with their app records, so a long session that began before the cut — a C2
 * channel, an upload — is not lost to detection; every later flow goes to the exports only.
 */
export class RunStore implements RecordStore {
  /** The kept records: every one, or those of flows that started before the cut. */
  readonly lists: RecordLists = emptyLists();
  spill: SpilledExports | null;
  /** Every record goes to the lists (until stopKeeping). */
  private keepAll: boolean;
  /** After stopKeeping: the cut (epoch seconds), the uids kept since, and app records whose flow has not ended yet. */
  private cutSec = NaN;
  private readonly keptSince = new Set<string>();
  private pending: { uid: string; keep: () => void }[] = [];

  constructor(spill: SpilledExports | null) {
    this.keepAll = spill === null;
    this.spill = spill;
  }

  get keeping(): boolean {
    return this.keepAll;
  }

  conn(c: ConnRecord): void {
    this.spill?.conn(c);
    if (this.keepAll) { this.lists.conns.push(c); return; }
    if (Number.isNaN(this.cutSec)) return;
    // One flow's app records come just before its conn (one table) or just after it in the same batch (--workers).
    if (Number(c.ts) < this.cutSec) {
      this.lists.conns.push(c);
      this.keptSince.add(c.uid);
      for (const p of this.pending) if (p.uid === c.uid) p.keep();
    }
    this.pending = [];
  }

  dns(r: DnsRecord): void { this.spill?.dns(r); this.app(r, this.lists.dns); }
  tls(r: TlsRecord): void { this.spill?.tls(r); this.app(r, this.lists.tls); }
  http(r: HttpRecord): void { this.spill?.http(r); this.app(r, this.lists.http); }
  ssh(r: SshRecord): void { this.spill?.ssh(r); this.app(r, this.lists.ssh); }
  ftp(r: FtpRecord): void { this.spill?.ftp(r); this.app(r, this.lists.ftp); }
  smtp(r: SmtpRecord): void { this.spill?.smtp(r); this.app(r, this.lists.smtp); }
  credential(r: CredentialRecord): void { this.spill?.credential(r); this.app(r, this.lists.credentials); }

  /**
   * From now on records go to `spill`, and are kept only for flows that started before `cutSec` (the capture's
   * clock); those kept so far stay kept and go to `spill` too.
   */
  stopKeeping(spill: SpilledExports, cutSec: number): void {
    if (!this.keepAll) return;
    storeLists(spill, this.lists);
    this.keepAll = false;
    this.spill = spill;
    this.cutSec = cutSec;
  }

  private app<T extends { uid: string }>(r: T, list: T[]): void {
    if (this.keepAll) { list.push(r); return; }
    if (Number.isNaN(this.cutSec)) return;
    if (this.keptSince.has(r.uid)) list.push(r);
    else this.pending.push({ uid: r.uid, keep: () => list.push(r) });
  }
}

/** How many records a run made of each kind (also when they were spilled rather than kept). */
export interface RecordCounts {
  conns: number;
  dns: number;
  /** TLS hellos over TCP (tls.csv rows less the QUIC ones). */
  tls: number;
  quic: number;
  http: number;
  ssh: number;
  ftp: number;
  smtp: number;
  credentials: number;
}

/** What onProgress is told besides the bytes. */
export interface ReadCounts {
  packets: number;
  /** Flows made so far; null with --workers (the workers' tables are not asked). */
  flows: number | null;
  /** Heap the --workers threads last reported in use, bytes (0 without workers). */
  worker_heap: number;
  /** The capture's clock: the newest packet time seen, epoch seconds (NaN before the first IP packet). */
  clock_s: number;
}

/** Everything the readers, decoders, flow table and hooks produced for one run. */
export interface CaptureData {
  inputs: InputSummary[];
  /** The kept records, in compareTsUid order: every record, none (exports only), or those before memory_keep. */
  conns: ConnRecord[];
  dns: DnsRecord[];
  tls: TlsRecord[];
  http: HttpRecord[];
  ssh: SshRecord[];
  /** FTP commands (ftp.csv), SMTP messages (smtp.csv) and credentials sent in the clear (credentials.csv). */
  ftp: FtpRecord[];
  smtp: SmtpRecord[];
  credentials: CredentialRecord[];
  /** Decoder warnings (truncated, malformed, unsupported link types…) by kind. */
  decode_warnings: Record<string, WarningTally>;
  /** Flow-table counters (created, expired by reason, out-of-order packets, non-IP packets…). */
  flow_stats: FlowTableStats;
  /** What the app hooks could not parse, by protocol (malformed DNS, TLS, QUIC, HTTP…). */
  app_stats: AppStats;
  /** ARP who-has requests per sender (scan detector: ARP sweeps, which make no IP flows). */
  arp: ArpSweep[];
  /** DHCP messages (app/dhcp: read beside the flow table, tied to their flows), in time order; none without app. */
  dhcp: DhcpRecord[];
  /** DHCP datagrams not read: not DHCP, cut short, or past the records kept. */
  dhcp_stats: DhcpTally['stats'];
  /** True when the run was interrupted (SIGINT/SIGTERM, or the memory guard) before the inputs ended. */
  interrupted: boolean;
  /** Set when the memory guard (memory.ts) stopped the reading. */
  memory_stop: MemoryStop | null;
  /** Set when the memory guard's keep level tripped: the lists hold what detection covers, `spilled` every record. */
  memory_keep: MemoryStop | null;
  /** The sorted on-disk exports the records went to (RunStore), still to be written out; null when all were kept. */
  spilled: SpilledExports | null;
}

/** Reads the captures through the whole per-packet pipeline and returns the records, in one order (compareTsUid). */
export async function readAndAssemble(paths: readonly string[], opts: ReadOptions): Promise<CaptureData> {
  const stats = createDecodeStats();
  const arp = createArpTally();
  const dhcp = createDhcpTally();
  const app = opts.app;
  const workers = opts.workers ?? 1;
  const store = opts.store ?? new RunStore(null);
  const appOpts: AppOptions = {
    capture_passwords: opts.capture_passwords === true,
    ...(opts.tls_keys === undefined ? {} : { tls_keys: opts.tls_keys }),
    ...(opts.extract_dir === undefined ? {} : { extract_dir: opts.extract_dir }),
  };
  const pool = workers > 1 ? new FlowWorkers(workers, opts.flow, opts.app, store, appOpts) : null;
  const share = pool === null ? createFlowShare(opts.flow, opts.app, store, appOpts) : null;
  // One object made once: the reader calls it for every record (no closure per packet). The flows go to the one
  // table, or to the --workers dispatcher (which also takes each chunk whole).
  const flows: PacketSink = pool ?? share!.table;
  const sink: PacketSink = {
    packet(p: Packet): void {
      decodePacket(p);
      tallyDecode(stats, p);
      arp.packet(p);
      if (app) dhcp.packet(p);
      flows.packet(p);
    },
  };
  if (pool !== null) sink.chunk = (buf: Buffer): void => pool.chunk(buf);
  const readOpts: Parameters<typeof readCaptures>[2] = {};
  if (opts.signal) readOpts.signal = opts.signal;
  const onProgress = opts.onProgress;
  if (onProgress) {
    const table = share?.table ?? pool!.table;
    readOpts.onProgress = (b, t) => onProgress(b, t, {
      packets: stats.packets,
      flows: share?.table.stats.flows_created ?? null,
      worker_heap: pool?.workerHeap ?? 0,
      clock_s: table.epochSec === 0 && table.now === 0 ? NaN : table.epochSec + table.now / 1000,
    });
  }
  let inputs: InputSummary[];
  try {
    inputs = await readCaptures([...paths], sink, readOpts);
  } catch (err) {
    await pool?.close();
    throw err;
  }
  const r = pool !== null ? await pool.finish() : finishShare(share!);
  const lists = store.lists;
  return {
    inputs,
    conns: lists.conns.sort(compareTsUid),
    dns: lists.dns.sort(compareTsUid),
    tls: lists.tls.sort(compareTsUid),
    http: lists.http.sort(compareTsUid),
    ssh: lists.ssh.sort(compareTsUid),
    ftp: lists.ftp.sort(compareTsUid),
    smtp: lists.smtp.sort(compareTsUid),
    credentials: lists.credentials.sort(compareTsUid),
    decode_warnings: decodeWarnings(stats),
    flow_stats: r.flow_stats,
    app_stats: r.app_stats,
    arp: [...arp.sweeps()],
    dhcp: linkDhcp(sortDhcp(dhcp.records()), lists.conns),
    dhcp_stats: { ...dhcp.stats },
    interrupted: inputs.some((i) => i.interrupted),
    memory_stop: null,
    memory_keep: null,
    spilled: store.spill,
  };
}

/** How many records of each kind the run made: the lists' lengths, or the spilled exports' counts. */
export function recordCounts(data: CaptureData): RecordCounts {
  const s = data.spilled;
  if (s !== null) {
    return {
      conns: s.flows.count, dns: s.dnsRows.count, tls: s.tlsRows.count - s.quic, quic: s.quic, http: s.httpRows.count, ssh: s.sshRows.count,
      ftp: s.ftpRows.count, smtp: s.smtpRows.count, credentials: s.credentialRows.count,
    };
  }
  const quic = data.tls.filter((t) => t.transport === 'quic').length;
  return {
    conns: data.conns.length, dns: data.dns.length, tls: data.tls.length - quic, quic, http: data.http.length, ssh: data.ssh.length,
    ftp: data.ftp.length, smtp: data.smtp.length, credentials: data.credentials.length,
  };
}

/** Shared by every flow without records of a kind (read-only: frozen, so a detector that pushed would throw). */
const NONE = Object.freeze([]) as unknown as never[];

/** The app records of every flow, by uid (what detectors and the baseline learner take). */
export function appByUid(data: Pick<CaptureData, 'dns' | 'tls' | 'http' | 'ssh'>): Map<string, FlowApp> {
  const map = new Map<string, { dns: DnsRecord[]; tls: TlsRecord[]; http: HttpRecord[]; ssh: SshRecord[] }>();
  const get = (uid: string): { dns: DnsRecord[]; tls: TlsRecord[]; http: HttpRecord[]; ssh: SshRecord[] } => {
    let app = map.get(uid);
    if (app === undefined) {
      app = { dns: NONE, tls: NONE, http: NONE, ssh: NONE };
      map.set(uid, app);
    }
    return app;
  };
  for (const r of data.dns) { const a = get(r.uid); if (a.dns === NONE) a.dns = [r]; else a.dns.push(r); }
  for (const r of data.tls) { const a = get(r.uid); if (a.tls === NONE) a.tls = [r]; else a.tls.push(r); }
  for (const r of data.http) { const a = get(r.uid); if (a.http === NONE) a.http = [r]; else a.http.push(r); }
  for (const r of data.ssh) { const a = get(r.uid); if (a.ssh === NONE) a.ssh = [r]; else a.ssh.push(r); }
  return map;
}
