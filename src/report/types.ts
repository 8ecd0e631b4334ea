/**
 * What the report, the terminal summary and the alert log are made from. The pipeline (src/cli/analyze.ts) fills it;
 * every string that came off the wire (names, SNI, URIs, user agents, explanations quoting them) is hostile until the
 * renderer escapes it.
 */
import type { CredentialRecord, DnsRecord, FtpRecord, HttpRecord, SmtpRecord, TlsRecord } from '../app/records.js';
import type { InputSummary } from '../capture/types.js';
import type { Finding } from '../findings/finding.js';
import type { ConnRecord } from '../flow/conn.js';
import type { GeoLookup } from '../geo/lookup.js';
import type { HostEntry } from '../features/hosts.js';

/** The baseline a run was compared with (chain of custody), and its traffic mix for the "vs baseline" chart. */
export interface BaselineInfo {
  /** File the baseline model was read from (or the capture it was learnt from). */
  path: string;
  /** sha256 of that file, hex. */
  sha256: string;
  /** Flows the baseline was learnt from. */
  flows: number;
  /** Share of flows per service (`''` = unidentified), summing to 1. Empty when the model does not carry it. */
  service_share: Readonly<Record<string, number>>;
}

export interface ReportData {
  /** `nad`. */
  tool: string;
  version: string;
  /** When the report was made, ISO 8601 UTC. */
  generated_at: string;
  /** Command-line parameters that shape results (timeouts, thresholds, filters), as given or defaulted. */
  params: Readonly<Record<string, string | number | boolean | null>>;
  inputs: readonly InputSummary[];
  conns: readonly ConnRecord[];
  dns: readonly DnsRecord[];
  tls: readonly TlsRecord[];
  http: readonly HttpRecord[];
  /** Ranked findings, rank 1 first. */
  findings: readonly Finding[];
  baseline: BaselineInfo | null;
  /** null with `--no-geo`. */
  geo: GeoLookup | null;
  /** Decoder issue tallies by name (truncated, malformed, unsupported link type …), shown with the inputs' warnings. */
  decode_issues?: Readonly<Record<string, number>>;
  /** Why the memory guard stopped the reading (cli/memory.ts), '' or absent when it did not. */
  memory_stop?: string;
  /** Why detection and the report cover only the start of the input (the guard's keep level), '' or absent. */
  memory_keep?: string;
  /** Flows the run made (flows.csv rows), when not every one was kept in `conns` (export/spill.ts, the memory guard). */
  flows?: number;
  /** Internal hosts named by DHCP (features/hosts.ts), sorted by address; absent or empty without DHCP. */
  hosts?: readonly HostEntry[];
  /** FTP commands (ftp.csv), SMTP messages (smtp.csv) and cleartext logins (credentials.csv); absent or empty when none.
   *  Passwords are never shown. */
  ftp?: readonly FtpRecord[];
  smtp?: readonly SmtpRecord[];
  credentials?: readonly CredentialRecord[];
  /** Connections decrypted with key-log secrets (--tls-keylog, a pcapng's own): TLS ones and how many carried HTTP/2,
   *  the TLS records that did not authenticate; QUIC ones, how many carried HTTP/3, the QUIC packets that did not
   *  authenticate. Absent when nothing was decrypted or failed. */
  decrypted?: DecryptedFacts;
  /** --extract-files: bodies written to files/ (distinct hashes), their bytes, bodies already there, and whole ones not
   *  written; absent without --extract-files. */
  extracted?: { files: number; bytes: number; again: number; failed: number };
  /** With --intel: how many indicators the lists gave, how many the capture showed, in how many flows. */
  intel?: { files: number; indicators: number; matched: number; flows: number };
}

export interface DecryptedFacts {
  tls: number;
  h2: number;
  failed: number;
  quic: number;
  h3: number;
  quic_failed: number;
}

/** The decryption counters of a run, null when no key log opened or failed on anything. */
export function decryptedFacts(s: {
  tls_decrypted: number; tls_decrypted_h2: number; tls_decrypt_failed: number; quic_decrypted: number; quic_decrypted_h3: number; quic_decrypt_failed: number;
}): DecryptedFacts | null {
  const f = { tls: s.tls_decrypted, h2: s.tls_decrypted_h2, failed: s.tls_decrypt_failed, quic: s.quic_decrypted, h3: s.quic_decrypted_h3, quic_failed: s.quic_decrypt_failed };
  return f.tls + f.failed + f.quic + f.quic_failed === 0 ? null : f;
}

/** One line for the terminal and the report: what the secrets opened, and what they did not fit. */
export function decryptedText(d: DecryptedFacts): string {
  const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;
  const opened: string[] = [];
  if (d.tls > 0 || d.failed > 0) opened.push(`${plural(d.tls, 'TLS connection')}${d.h2 === 0 ? '' : ` (${d.h2} HTTP/2)`}`);
  if (d.quic > 0 || d.quic_failed > 0) opened.push(`${plural(d.quic, 'QUIC connection')}${d.h3 === 0 ? '' : ` (${d.h3} HTTP/3)`}`);
  const failed: string[] = [];
  if (d.failed > 0) failed.push(`${plural(d.failed, 'TLS record')}`);
  if (d.quic_failed > 0) failed.push(`${plural(d.quic_failed, 'QUIC packet')}`);
  return `${opened.join(' and ')} with the key log${failed.length === 0 ? '' : `; ${failed.join(' and ')} did not authenticate`}`;
}

/** One line for the terminal and the report: what --extract-files wrote. */
export function extractedText(e: NonNullable<ReportData['extracted']>): string {
  const mb = e.bytes / 1e6;
  return `${e.files} file${e.files === 1 ? '' : 's'} (${mb < 0.1 && e.bytes > 0 ? '< 0.1' : mb.toFixed(1)} MB) in files/, named by SHA-256 (the hashes of http.csv, ftp.csv and smtp.csv)` +
    `${e.again === 0 ? '' : `; ${e.again} seen again`}${e.failed === 0 ? '' : `; ${e.failed} not written (a write failed, or over 512 MiB)`}`;
}
