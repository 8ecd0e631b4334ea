/**
 * The summary printed after every analysis: counts, the top findings coloured by severity, and a one-line traffic
 * sparkline. Colour only on a TTY without NO_COLOR (https://no-color.org: set and not empty). Every wire-derived
 * string is made printable first, so a DNS name cannot move the cursor or recolour the terminal.
 */
import { FTP_UPLOADS } from '../app/ftp.js';
import type { Severity } from '../findings/finding.js';
import { bucketWidth, movedFiles, severityCounts, span, trafficBuckets } from './summary.js';
import { clip, epochSeconds, formatBytes, formatDuration, printable, shortTime } from './text.js';
import { decryptedText, extractedText, type ReportData } from './types.js';

export interface TerminalOptions {
  color: boolean;
  /** Columns available; default 100. */
  width?: number;
  /** Findings listed; default 10. */
  top?: number;
}

/** Whether to colour output written to `stream` (process.stdout), honouring NO_COLOR. */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const noColor = env['NO_COLOR'];
  return stream.isTTY === true && (noColor === undefined || noColor === '');
}

const SGR: Record<Severity | 'bold' | 'dim', string> = { high: '\x1b[1;31m', medium: '\x1b[33m', low: '\x1b[36m', bold: '\x1b[1m', dim: '\x1b[2m' };
const BARS = '▁▂▃▄▅▆▇█';

/** Unicode sparkline of the values, one character each. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (max === 0 ? BARS[0] : BARS[Math.min(BARS.length - 1, Math.floor((v / max) * (BARS.length - 1) + 0.5))])).join('');
}

function inputSpan(inputs: ReportData['inputs']): { first: number; last: number } | null {
  const first = Math.min(...inputs.filter((i) => i.first_ts !== null).map((i) => epochSeconds(i.first_ts!)));
  const last = Math.max(...inputs.filter((i) => i.last_ts !== null).map((i) => epochSeconds(i.last_ts!)));
  return Number.isFinite(first) && Number.isFinite(last) ? { first, last } : null;
}

export function renderTerminal(data: ReportData, opts: TerminalOptions): string {
  const width = Math.max(60, opts.width ?? 100);
  const paint = (style: keyof typeof SGR, s: string): string => (opts.color ? `${SGR[style]}${s}\x1b[0m` : s);
  const counts = severityCounts(data.findings);
  // When not every flow was kept (exports only, or the memory guard), the inputs give the time span, and there is no
  // sparkline (it would show the kept flows' traffic as the whole capture's).
  const allKept = data.flows === undefined || data.flows === data.conns.length;
  const s = allKept ? span(data.conns) : inputSpan(data.inputs);
  const lines: string[] = [];
  const inputs = data.inputs.map((i) => printable(i.path)).join(', ');
  lines.push(paint('bold', `${data.tool} ${data.version}`) + `  ${inputs}`);
  lines.push(
    `${data.flows ?? data.conns.length} flows` +
      (s === null ? '' : `, ${shortTime(String(s.first))} → ${shortTime(String(s.last))} (${formatDuration(s.last - s.first)})`),
  );
  lines.push(
    counts.total === 0
      ? 'No findings.'
      : `Findings: ${paint('high', `${counts.high} high`)}, ${paint('medium', `${counts.medium} medium`)}, ${paint('low', `${counts.low} low`)}`,
  );
  const intel = data.intel;
  if (intel !== undefined) {
    // Said even when nothing matched: "no match" is an answer the responder came for.
    lines.push(`Intel: ${intel.matched} of ${intel.indicators} indicators seen${intel.matched === 0 ? '' : `, in ${intel.flows} flows`}` +
      ` (${intel.files} list${intel.files === 1 ? '' : 's'}; intel.csv)`);
  }
  // What was downloaded and uploaded, by content: the first things a responder hands to a sandbox, or counts as lost.
  const all = movedFiles(data);
  for (const upload of [false, true]) {
    const files = all.filter((f) => f.upload === upload);
    if (files.length === 0) continue;
    const kinds = [...new Set(files.map((f) => f.mime))].sort();
    const whole = files.filter((f) => f.sha256 !== '').length;
    const n = files.length === 1 ? '' : 's';
    const protocols = [...new Set(files.map((f) => f.protocol))];
    const where = [...new Set(files.map((f) => (f.protocol === 'HTTP' ? `http.csv ${upload ? 'orig' : 'resp'}_sha256` : f.protocol === 'FTP' ? 'ftp.csv sha256' : 'smtp.csv attachment_sha256')))];
    lines.push(`${upload ? 'Uploads' : 'Downloads'}: ${files.length} program${n}, archive${n} or document${n} over ${protocols.join(', ')} ` +
      `(${kinds.join(', ')}); ${whole} hashed (${where.join(', ')}${data.extracted === undefined ? '' : '; files/'})`);
  }
  const clear = cleartextLine(data);
  if (clear !== '') lines.push(clear);
  // The responder gave secrets: say what they opened, and what they did not fit.
  if (data.decrypted !== undefined) lines.push(`Decrypted: ${decryptedText(data.decrypted)} (http.csv)`);
  if (data.extracted !== undefined) lines.push(`Extracted: ${extractedText(data.extracted)}`);
  const top = data.findings.slice(0, opts.top ?? 10);
  if (top.length > 0) {
    lines.push('');
    lines.push(paint('dim', ` ${'#'.padStart(3)}  ${'SEV'.padEnd(6)}  SCORE  ${'KINDS'.padEnd(16)}  ENTITY`));
    for (const f of top) {
      const dst = f.name !== '' ? f.name : f.dst !== '' ? f.dst : 'many hosts';
      const entity = printable(`${f.src}${f.src_host === '' ? '' : ` (${clip(f.src_host, 24)})`} → ${dst}${f.dst_port === null ? '' : `:${f.dst_port}`}${f.dst_country === '' ? '' : ` [${f.dst_country}]`}`);
      const head = ` ${String(f.rank).padStart(3)}  ${paint(f.severity, f.severity.toUpperCase().padEnd(6))}  ${f.score.toFixed(3)}  ${clip(f.kinds.join(','), 16).padEnd(16)}  `;
      lines.push(head + clip(entity, Math.max(20, width - 40)));
      lines.push(`      ${clip(printable(f.explanation), width - 6)}`);
    }
    if (data.findings.length > top.length) lines.push(`      … ${data.findings.length - top.length} more in the report`);
  }
  const buckets = allKept ? trafficBuckets(data.conns, Math.min(60, width - 30), s) : [];
  if (buckets.length > 0 && s !== null) {
    const peak = Math.max(...buckets.map((b) => b.bytes));
    lines.push('');
    lines.push(`Traffic ${sparkline(buckets.map((b) => b.bytes))}  peak ${formatBytes(peak)} per ${formatDuration(bucketWidth(s, buckets.length))}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `Cleartext: 2 FTP uploads; 1 FTP download; 2 mails; 3 logins in the clear (1 rejected) (ftp.csv, smtp.csv, credentials.csv)`, '' when none. */
function cleartextLine(data: ReportData): string {
  const ftp = data.ftp ?? [];
  const creds = data.credentials ?? [];
  const ok = (r: { reply_code: number | null }): boolean => r.reply_code !== null && r.reply_code >= 200 && r.reply_code < 300;
  const uploads = ftp.filter((r) => FTP_UPLOADS.has(r.command) && ok(r)).length;
  const downloads = ftp.filter((r) => r.command === 'RETR' && ok(r)).length;
  const mails = (data.smtp ?? []).length;
  if (uploads + downloads + creds.length + mails === 0) return '';
  const n = (k: number, one: string): string => `${k} ${one}${k === 1 ? '' : 's'}`;
  const parts: string[] = [];
  if (uploads > 0) parts.push(n(uploads, 'FTP upload'));
  if (downloads > 0) parts.push(n(downloads, 'FTP download'));
  const attached = (data.smtp ?? []).reduce((k, m) => k + m.attachments.length, 0);
  if (mails > 0) parts.push(`${n(mails, 'mail')}${attached === 0 ? '' : ` (${n(attached, 'attachment')})`}`);
  const rejected = creds.filter((c) => c.outcome === 'rejected').length;
  if (creds.length > 0) parts.push(`${n(creds.length, 'login')} in the clear${rejected === 0 ? '' : ` (${rejected} rejected)`}`);
  const files = [...(ftp.length > 0 ? ['ftp.csv'] : []), ...(mails > 0 ? ['smtp.csv'] : []), ...(creds.length > 0 ? ['credentials.csv'] : [])];
  return `Cleartext: ${parts.join('; ')} (${files.join(', ')})`;
}
