/** Test helper: captures through readCaptures → decodePacket → FlowTable with the app hooks, collecting app records. */
import { createAppHooks, type AppOptions } from '../../src/app/index.js';
import type { CredentialRecord, DnsRecord, FtpRecord, HttpRecord, RecordSink, SmtpRecord, SshRecord, TlsRecord } from '../../src/app/records.js';
import { createAppStats, type AppStats } from '../../src/app/stats.js';
import { mergeKeyLogs, parseKeyLog, type TlsKeyLog } from '../../src/app/tls/keylog.js';
import { readCaptures } from '../../src/capture/index.js';
import { embeddedKeyLogs } from '../../src/capture/secrets.js';
import { Issue, type Packet } from '../../src/decode/layer.js';
import { decodePacket } from '../../src/decode/packet.js';
import type { ConnRecord } from '../../src/flow/conn.js';
import { FlowTable } from '../../src/flow/table.js';

export interface AppRun {
  dns: DnsRecord[];
  tls: TlsRecord[];
  http: HttpRecord[];
  ssh: SshRecord[];
  ftp: FtpRecord[];
  smtp: SmtpRecord[];
  credentials: CredentialRecord[];
  conns: ConnRecord[];
  stats: AppStats;
  /** Packets whose link type src/decode does not decode (Issue.Unsupported before any layer). */
  undecoded_link: number;
}

export async function runApp(file: string, opts: AppOptions = {}): Promise<AppRun> {
  const run: AppRun = { dns: [], tls: [], http: [], ssh: [], ftp: [], smtp: [], credentials: [], conns: [], stats: createAppStats(), undecoded_link: 0 };
  const records: RecordSink = {
    dns: (r) => run.dns.push(r),
    tls: (r) => run.tls.push(r),
    http: (r) => run.http.push(r),
    ssh: (r) => run.ssh.push(r),
    ftp: (r) => run.ftp.push(r),
    smtp: (r) => run.smtp.push(r),
    credential: (r) => run.credentials.push(r),
  };
  const table = new FlowTable({}, { conn: (c) => run.conns.push(c) }, createAppHooks(run.stats, opts), records);
  const sink = {
    packet(p: Packet): void {
      decodePacket(p);
      if (p.issue === Issue.Unsupported && p.ip_version === 0) run.undecoded_link++;
      table.packet(p);
    },
  };
  await readCaptures([file], sink);
  table.flush();
  return run;
}

/** The app options a run of `nad analyze` gives this capture: the TLS key logs it embeds (pcapng DSBs), if any. */
export function embeddedKeys(file: string): AppOptions {
  const embedded = embeddedKeyLogs([file]);
  if (embedded.length === 0) return {};
  const keys: TlsKeyLog = new Map();
  for (const e of embedded) mergeKeyLogs(keys, parseKeyLog(e.text, file));
  return { tls_keys: keys };
}

/** Sorted distinct non-empty strings. */
export function set(values: Iterable<string>): string[] {
  return [...new Set([...values].filter((v) => v !== ''))].sort();
}
