/**
 * Everything a run writes after the input ended: the app-layer CSVs, findings.csv, summary.json, alerts.jsonl and
 * report.html, each through a temp file and a rename; then the terminal summary and the exit code.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AllowList, BaselineModel, Detector, IntelList, IntelMatch } from '../detect/index.js';
import type { Finding, Severity } from '../findings/finding.js';
import type { GeoLookup } from '../geo/lookup.js';
import { toEcs } from '../report/alerts.js';
import { severityCounts } from '../report/summary.js';
import { hostInventory, type HostInventory } from '../features/hosts.js';
import { renderTerminal, useColor } from '../report/terminal.js';
import { decryptedFacts, type BaselineInfo, type ReportData } from '../report/types.js';
import type { InputSummary } from '../capture/types.js';
import { AtomicWriter, outputError, writeFileAtomic } from '../export/atomic.js';
import { encodeTable, type Column } from '../export/csv.js';
import { FILE_COLUMNS, fileRows } from '../export/files.js';
import type { SpilledTable } from '../export/spill.js';
import {
  CREDENTIAL_COLUMNS, DHCP_COLUMNS, DNS_COLUMNS, FINDING_COLUMNS, FTP_COLUMNS, HTTP_COLUMNS, INTEL_COLUMNS, SMTP_COLUMNS, SSH_COLUMNS, TLS_COLUMNS,
} from '../export/tables.js';
import { linkTypeName } from '../decode/packet.js';
import { appByUid, recordCounts, type CaptureData } from './analyze.js';
import { EXIT } from './errors.js';
import { memoryStopText } from './memory.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';

/** Every option that shaped the result, recorded for chain of custody. */
export interface RunParameters {
  baseline: string[];
  threshold: number;
  geo: boolean;
  geoip: string | null;
  asn: string | null;
  filter: string | null;
  allow: string | null;
  intel: string[];
  detectors: string[];
  fail_on: 'low' | 'medium' | 'high' | null;
  alert_level: 'low' | 'medium' | 'high';
  tcp_timeout_s: number;
  udp_timeout_s: number;
  icmp_timeout_s: number;
  active_timeout_s: number;
  app: boolean;
  /** --capture-passwords: ftp.csv and credentials.csv hold every password sent in the clear. */
  capture_passwords: boolean;
  /** --tls-keylog files whose secrets decrypted TLS connections. */
  tls_keylog: string[];
  /** --extract-files: response bodies written to files/ under their SHA-256. */
  extract_files: boolean;
}

export interface OutputOptions {
  quiet: boolean;
  verbose: boolean;
  report: boolean;
}

export function writeCsv<T>(path: string, columns: readonly Column<T>[], rows: readonly T[]): void {
  const w = new AtomicWriter(path);
  try {
    encodeTable(columns, rows, (bytes) => w.write(bytes));
    w.commit();
  } catch (err) {
    w.abort();
    throw err;
  }
}

/** A spilled export (export/spill.ts) merged into its file. */
export function writeSpilled(t: SpilledTable): void {
  const w = new AtomicWriter(t.target);
  try {
    t.writeTo((bytes) => w.write(bytes));
    w.commit();
  } catch (err) {
    w.abort();
    t.discard();
    throw err;
  }
}

/** summary.json `inputs[]`: the reader's facts plus link type names. */
export function inputFacts(inp: InputSummary): Record<string, unknown> {
  return {
    path: inp.path,
    sha256: inp.sha256,
    size: inp.size,
    format: inp.format,
    gzip: inp.gzip,
    link_types: inp.link_types.map((n) => ({ linktype: n, name: linkTypeName(n) })),
    packets: inp.packets,
    bytes: inp.bytes,
    first_ts: inp.first_ts,
    last_ts: inp.last_ts,
    lost_bytes: inp.lost_bytes,
    stopped: inp.stopped,
    interrupted: inp.interrupted,
    skipped_blocks: inp.skipped_blocks,
    warnings: inp.warnings,
  };
}

/** `files`: files.csv's rows (written before the summary). */
export function captureSummary(data: CaptureData, params: RunParameters, files: number): Record<string, unknown> {
  const packets = data.inputs.reduce((n, i) => n + i.packets, 0);
  const counts = recordCounts(data);
  return {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    parameters: params,
    interrupted: data.interrupted,
    memory_stop: data.memory_stop === null ? null : { ...data.memory_stop, what: memoryStopText(data.memory_stop) },
    memory_keep: data.memory_keep === null ? null : { ...data.memory_keep, what: memoryStopText(data.memory_keep) },
    inputs: data.inputs.map(inputFacts),
    packets,
    flows: counts.conns,
    decode_warnings: data.decode_warnings,
    flow_stats: data.flow_stats,
    app: {
      dns: counts.dns, tls: counts.tls, quic: counts.quic, http: counts.http, ssh: counts.ssh, ftp: counts.ftp, smtp: counts.smtp, credentials: counts.credentials,
      files, dhcp: data.dhcp.length, problems: data.app_stats, dhcp_problems: data.dhcp_stats,
    },
  };
}

export interface RunResult {
  exitCode: number;
}

/** What detection needs besides the capture data: the baseline, geo, allow-list, extra detectors. */
export interface DetectionSetup {
  baseline: BaselineModel | null;
  baselineInfo: BaselineInfo | null;
  geo: GeoLookup;
  allow: AllowList | null;
  intel: IntelList | null;
  detectors: Detector[];
  threshold?: number;
}

/** Country and ASN of each finding's destination, from the geo stage; the source's host name, from DHCP. */
export function enrichFindings(findings: Finding[], geo: GeoLookup, hosts: HostInventory): Finding[] {
  return findings.map((f) => {
    const named = hosts.nameOf(f.src);
    const h = named === '' ? f : { ...f, src_host: named };
    if (!geo.enabled || h.dst === '') return h;
    const g = geo.lookup(h.dst);
    if (g.scope !== 'public') return { ...h, dst_country: g.scope };
    return { ...h, dst_country: g.country, dst_asn: g.asn === null ? '' : `AS${g.asn}${g.as_org ? ` ${g.as_org}` : ''}` };
  });
}

/**
 * Signal handlers run only when the event loop turns; detection and rendering are long synchronous stretches. A turn
 * between stages lets a second Ctrl-C end the run there instead of after the last file.
 */
function letSignalsIn(): Promise<void> {
  return nextTurn();
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { low: 1, medium: 2, high: 3 };

/** Wall-clock time of the report; SOURCE_DATE_EPOCH (reproducible builds' convention) pins it for byte-identical runs. */
function generatedAt(): string {
  const pinned = process.env['SOURCE_DATE_EPOCH'];
  const ms = pinned !== undefined && /^\d+$/.test(pinned) ? Number(pinned) * 1000 : Date.now();
  return new Date(ms).toISOString();
}

export async function writeRunOutputs(
  outDir: string,
  data: CaptureData,
  params: RunParameters,
  opts: OutputOptions & { detect: boolean; failOn?: Severity | undefined; alertLevel: Severity; alertLog?: string | undefined },
  setup: DetectionSetup,
  extra: Record<string, unknown> = {},
): Promise<RunResult> {
  /** Files of this run, for the terminal's last line (flows.csv was written while reading). */
  const written = ['flows.csv', 'dns.csv', 'tls.csv', 'http.csv', 'ssh.csv', 'ftp.csv', 'smtp.csv', 'credentials.csv', 'files.csv', 'dhcp.csv'];
  // DHCP messages are few and kept whole (app/dhcp/tally.ts bounds them), spilled run or not.
  writeCsv(join(outDir, 'dhcp.csv'), DHCP_COLUMNS, data.dhcp);
  let fileCount: number;
  if (data.spilled !== null) {
    for (const t of data.spilled.appTables()) writeSpilled(t);
    fileCount = data.spilled.fileRows.count;
  } else {
    writeCsv(join(outDir, 'dns.csv'), DNS_COLUMNS, data.dns);
    writeCsv(join(outDir, 'tls.csv'), TLS_COLUMNS, data.tls);
    writeCsv(join(outDir, 'http.csv'), HTTP_COLUMNS, data.http);
    writeCsv(join(outDir, 'ssh.csv'), SSH_COLUMNS, data.ssh);
    writeCsv(join(outDir, 'ftp.csv'), FTP_COLUMNS, data.ftp);
    writeCsv(join(outDir, 'smtp.csv'), SMTP_COLUMNS, data.smtp);
    writeCsv(join(outDir, 'credentials.csv'), CREDENTIAL_COLUMNS, data.credentials);
    const files = fileRows(data);
    writeCsv(join(outDir, 'files.csv'), FILE_COLUMNS, files);
    fileCount = files.length;
  }
  await letSignalsIn();

  const hosts = hostInventory(data.dhcp);
  const hostList = hosts.list();
  let findings: Finding[] = [];
  /** intel.csv's rows by flow, for the alerts' threat.enrichments. */
  const intelByUid = new Map<string, IntelMatch[]>();
  let detection: Record<string, unknown> | null = null;
  let intelSummary: ReportData['intel'] | null = null;
  if (opts.detect) {
    // Loaded here, not at start-up: a run with --no-detect never pays for the detectors' modules.
    const { detect } = await import('../detect/index.js');
    const { detectGeo } = await import('./baseline.js');
    const result = detect({
      conns: data.conns,
      app: appByUid(data),
      baseline: setup.baseline,
      arp: data.arp,
      dhcp: data.dhcp,
      ftp: data.ftp,
      smtp: data.smtp,
      credentials: data.credentials,
      options: {
        allow: setup.allow,
        intel: setup.intel,
        detectors: setup.detectors,
        geo: detectGeo(setup.geo),
        ...(setup.threshold !== undefined ? { threshold: setup.threshold } : {}),
      },
    });
    findings = enrichFindings(result.findings, setup.geo, hosts);
    detection = { stats: result.stats, suppressed: result.suppressed, intel: setup.intel?.files ?? [] };
    if (setup.intel !== null) {
      writeCsv(join(outDir, 'intel.csv'), INTEL_COLUMNS, result.intel);
      for (const m of result.intel) {
        const l = intelByUid.get(m.uid);
        if (l === undefined) intelByUid.set(m.uid, [m]);
        else l.push(m);
      }
      written.push('intel.csv');
      const by = result.stats.by_detector['intel'] ?? {};
      intelSummary = { files: setup.intel.files.length, indicators: by['indicators'] ?? 0, matched: by['indicators_matched'] ?? 0, flows: by['flows_matched'] ?? 0 };
    }
  }
  await letSignalsIn();
  writeCsv(join(outDir, 'findings.csv'), FINDING_COLUMNS, findings);

  const created = generatedAt();
  const alertLines = findings
    .filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[opts.alertLevel])
    .map((f) => JSON.stringify(toEcs(f, { version: TOOL_VERSION, tls: data.tls, geo: setup.geo, created, intel: intelByUid })) + '\n')
    .join('');
  writeFileAtomic(join(outDir, 'alerts.jsonl'), alertLines);
  if (opts.alertLog !== undefined && alertLines !== '') {
    try {
      appendFileSync(opts.alertLog, alertLines);
    } catch (err) {
      throw outputError(opts.alertLog, 0, err);
    }
  }

  const summary = {
    ...captureSummary(data, params, fileCount),
    baseline: setup.baselineInfo === null ? null : { path: setup.baselineInfo.path, sha256: setup.baselineInfo.sha256, flows: setup.baselineInfo.flows },
    detection,
    findings_by_severity: severityCounts(findings),
    findings,
    hosts: hostList,
    ...extra,
  };
  writeFileAtomic(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);

  const decrypted = decryptedFacts(data.app_stats);
  const reportData: ReportData = {
    tool: TOOL_NAME,
    version: TOOL_VERSION,
    generated_at: created,
    params: { ...params, baseline: params.baseline.join(' '), intel: params.intel.join(' '), detectors: params.detectors.join(' '), tls_keylog: params.tls_keylog.join(' ') },
    inputs: data.inputs,
    conns: data.conns,
    dns: data.dns,
    tls: data.tls,
    http: data.http,
    findings,
    baseline: setup.baselineInfo,
    geo: setup.geo.enabled ? setup.geo : null,
    decode_issues: Object.fromEntries(Object.entries(data.decode_warnings).map(([k, v]) => [k, v.count])),
    memory_stop: data.memory_stop === null ? '' : memoryStopText(data.memory_stop),
    memory_keep: data.memory_keep === null ? '' : memoryStopText(data.memory_keep),
    flows: recordCounts(data).conns,
    hosts: hostList,
    ftp: data.ftp,
    smtp: data.smtp,
    credentials: data.credentials,
    ...(intelSummary === null ? {} : { intel: intelSummary }),
    ...(decrypted === null ? {} : { decrypted }),
    ...(params.extract_files
      ? { extracted: { files: data.app_stats.files_extracted, bytes: data.app_stats.files_extracted_bytes, again: data.app_stats.files_extracted_again, failed: data.app_stats.files_not_extracted } }
      : {}),
  };
  await letSignalsIn();
  if (opts.report) {
    // vega, vega-lite, handlebars and the world map load only for a report (~0.35 s).
    const { renderReport } = await import('../report/html.js');
    writeFileAtomic(join(outDir, 'report.html'), await renderReport(reportData));
  }
  await letSignalsIn();
  if (!opts.quiet) {
    process.stdout.write(renderTerminal(reportData, { color: useColor(process.stdout), width: process.stdout.columns ?? 100, top: opts.verbose ? 25 : 10 }));
    const files = [...(opts.report ? ['report.html'] : []), ...written, 'findings.csv', 'summary.json', 'alerts.jsonl'];
    process.stdout.write(`\nOutputs: ${outDir}/ (${files.join(', ')})\n`);
  }
  const failed = opts.failOn !== undefined && findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[opts.failOn!]);
  return { exitCode: failed ? EXIT.findings : EXIT.ok };
}
