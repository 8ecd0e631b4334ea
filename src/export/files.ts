/**
 * files.csv, Zeek's files.log as the other tools read it: one row per file that went over the wire, whatever carried
 * it: each HTTP body (request and response), each file of a multipart form, each FTP transfer's file, each mail
 * attachment, with its type by content, size and hashes. The rows are derived from the records (http.csv, ftp.csv,
 * smtp.csv) as they are made, so a spilled run and one that keeps its records write the same table.
 */
import { FILE_TRANSFERS, transferFileName } from '../app/ftp.js';
import type { FlowRef, FtpRecord, HttpRecord, SmtpRecord } from '../app/records.js';
import { compareTsUid } from '../flow/conn.js';
import type { Column } from './csv.js';
import { refColumns } from './tables.js';

export interface FileRow extends FlowRef {
  /** What carried it: HTTP, FTP or SMTP. */
  source: 'HTTP' | 'FTP' | 'SMTP';
  /** `upload` when the connection's originator sent it (a request body, a form's file, an FTP upload, a mail attachment), else `download`. */
  direction: 'upload' | 'download';
  /** Its file name when the protocol gave one (a form's or an attachment's, the FTP path's last segment), else ''. */
  filename: string;
  /** Its type by content (the first bytes' magic), '' when no signature fits. */
  mime_type: string;
  /** Bytes, when known (an FTP transfer's as announced; null when it was not). */
  bytes: number | null;
  /** MD5, '' when not seen whole (or not computed: request bodies and form files carry only SHA-256). */
  md5: string;
  /** SHA-256, '' when not seen whole; with --extract-files its name in files/. */
  sha256: string;
}

const ref = (r: FlowRef): FlowRef => ({ ts: r.ts, uid: r.uid, community_id: r.community_id, orig_h: r.orig_h, orig_p: r.orig_p, resp_h: r.resp_h, resp_p: r.resp_p });

/** The files of one HTTP transaction: its request body, its form's files, its response body (each when it had bytes). */
export function httpFiles(h: HttpRecord): FileRow[] {
  const out: FileRow[] = [];
  const base = ref(h);
  if (h.request_body_len > 0) out.push({ ...base, source: 'HTTP', direction: 'upload', filename: '', mime_type: h.orig_mime_types, bytes: h.request_body_len, md5: '', sha256: h.orig_sha256 });
  h.orig_file_sha256.forEach((sha256, i) => {
    out.push({ ...base, source: 'HTTP', direction: 'upload', filename: h.orig_filenames[i] ?? '', mime_type: h.orig_file_mime_types[i] ?? '', bytes: null, md5: '', sha256 });
  });
  if (h.response_body_len > 0) out.push({ ...base, source: 'HTTP', direction: 'download', filename: '', mime_type: h.resp_mime_types, bytes: h.response_body_len, md5: h.resp_md5, sha256: h.resp_sha256 });
  return out;
}

/** The file of one FTP transfer that had a data connection. */
export function ftpFiles(r: FtpRecord): FileRow[] {
  if (!FILE_TRANSFERS.has(r.command) || r.data_uid === '') return [];
  return [{ ...ref(r), source: 'FTP', direction: r.command === 'RETR' ? 'download' : 'upload', filename: transferFileName(r.arg), mime_type: r.mime_type, bytes: r.file_size, md5: r.md5, sha256: r.sha256 }];
}

/** The attachments of one mail message. */
export function smtpFiles(m: SmtpRecord): FileRow[] {
  return m.attachments.map((filename, i) => ({
    ...ref(m), source: 'SMTP' as const, direction: 'upload' as const, filename, mime_type: m.attachment_mime_types[i] ?? '', bytes: m.attachment_bytes[i] ?? null,
    md5: m.attachment_md5[i] ?? '', sha256: m.attachment_sha256[i] ?? '',
  }));
}

/** Every file of a run's records, in files.csv's order (by ts, then uid, as the spilled table sorts them). */
export function fileRows(data: { http: readonly HttpRecord[]; ftp: readonly FtpRecord[]; smtp: readonly SmtpRecord[] }): FileRow[] {
  return [...data.http.flatMap(httpFiles), ...data.ftp.flatMap(ftpFiles), ...data.smtp.flatMap(smtpFiles)].sort(compareTsUid);
}

export const FILE_COLUMNS: readonly Column<FileRow>[] = [
  ...refColumns<FileRow>(),
  { header: 'source', get: (r) => r.source },
  { header: 'direction', get: (r) => r.direction },
  { header: 'filename', get: (r) => r.filename },
  { header: 'mime_type', get: (r) => r.mime_type },
  { header: 'bytes', get: (r) => r.bytes },
  { header: 'md5', get: (r) => r.md5 },
  { header: 'sha256', get: (r) => r.sha256 },
];
