/**
 * What cleartext protocols gave away (ftp.csv, credentials.csv), as a responder reads NetworkMiner's files and
 * credentials and Zeek's FTP::Bruteforcing notice. One finding per (client, server, port) and kind:
 *   cleartext   files uploaded over FTP (STOR, APPE, STOU accepted) to a public server              0.55 (medium:
 *               data left over a protocol anyone on the path reads; infostealers send their loot this way)
 *               the same to an internal server                                                        0.25
 *               a login accepted in the clear by a public server (FTP, HTTP Basic, SMTP AUTH, POP3, IMAP, LDAP simple
 *               bind; not FTP guests)                                                                               0.45 (low: an
 *               account is exposed, not yet a compromise)
 *               the same by an internal server                                                        0.3
 *               mail with attachments sent in the clear to a public server (smtp.csv)                 0.45
 *               the same with a program, archive or document among them (by content)                 0.55
 * The SHA-256s of what left (FTP uploads' files, mail attachments, seen whole) are in the evidence.
 *   bruteforce  at least 20 rejected logins from one client to one server (Zeek's FTP::bruteforce_threshold) 0.65
 * The strongest reason of an entity scores; the others are in its evidence.
 */
import { FTP_GUEST_IDS, FTP_UPLOADS, transferBytes, transferFileName } from '../app/ftp.js';
import { isFileOfInterest } from '../app/http/body.js';
import type { CredentialRecord, FlowApp, FtpRecord, SmtpRecord } from '../app/records.js';
import { isInternal } from '../features/address.js';
import type { ConnRecord } from '../flow/conn.js';
import { round3 } from '../features/stats.js';
import type { DetectContext, Detector, RawFinding } from './detector.js';
import { formatBytes } from './exfil.js';

const UPLOAD_PUBLIC = 0.55;
const UPLOAD_INTERNAL = 0.25;
const LOGIN_PUBLIC = 0.45;
const LOGIN_INTERNAL = 0.3;
const MAIL_PUBLIC = 0.45;
/** Mail carrying a program, an archive or a document (by content) out in the clear: data leaving, as an FTP upload. */
const MAIL_FILES_PUBLIC = 0.55;
/** Flows whose records this detector reads: their services, and ports the service hook names no service for. */
const SERVICES = new Set(['ftp', 'ftp-data', 'smtp', 'pop3', 'imap', 'ldap']);
const PORTS = new Set([21, 389, 3268]);
const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  ftp: 'FTP', 'http-basic': 'HTTP Basic authentication', smtp: 'SMTP AUTH', pop3: 'POP3', imap: 'IMAP', ldap: 'an LDAP simple bind',
};
const BRUTEFORCE = 0.65;
/** Zeek's FTP::bruteforce_threshold. */
const BRUTEFORCE_REJECTED = 20;
/** File names named in the evidence at most. */
const NAMES_SHOWN = 5;

interface Entity {
  src: string;
  dst: string;
  /** The server's name (DNS, SNI, Host) as the other detectors name it, so findings on one server merge. */
  name: string;
  port: number;
  protocols: Set<string>;
  conns: Map<string, ConnRecord>;
  files: string[];
  bytes: number;
  /** Messages with attachments (smtp.csv), and the attachments' names. */
  mails: number;
  attachments: string[];
  /** Attachments that are programs, archives or documents by their content. */
  mailFiles: number;
  /** SHA-256s of the files that left (FTP uploads, attachments), seen whole. */
  hashes: Set<string>;
  accepted: Set<string>;
  rejected: number;
  rejectedUsers: Set<string>;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function createCleartextDetector(): Detector {
  const byUid = new Map<string, ConnRecord>();
  return {
    id: 'cleartext',
    observe(conn: ConnRecord, app: FlowApp): void {
      if (SERVICES.has(conn.service) || PORTS.has(conn.resp_p) || app.http.length > 0) byUid.set(conn.uid, conn);
    },
    finish(ctx: DetectContext): RawFinding[] {
      const entities = new Map<string, Entity>();
      const entity = (r: { uid: string; orig_h: string; resp_h: string; resp_p: number }, protocol: string): Entity | null => {
        const conn = byUid.get(r.uid);
        if (conn === undefined) return null; // allow-listed, or not analysed
        const key = `${r.orig_h} ${r.resp_h} ${r.resp_p}`;
        let e = entities.get(key);
        if (e === undefined) {
          e = { src: r.orig_h, dst: r.resp_h, name: ctx.names.nameOf(conn), port: r.resp_p, protocols: new Set(), conns: new Map(), files: [], bytes: 0, mails: 0, attachments: [], mailFiles: 0, hashes: new Set(), accepted: new Set(), rejected: 0, rejectedUsers: new Set() };
          entities.set(key, e);
        }
        e.protocols.add(protocol);
        e.conns.set(conn.uid, conn);
        return e;
      };
      for (const r of ctx.ftp) upload(r, entity, byUid);
      for (const c of ctx.credentials) login(c, entity);
      for (const m of ctx.smtp) mail(m, entity);
      const out: RawFinding[] = [];
      for (const e of [...entities.values()].sort((a, b) => (a.src + a.dst < b.src + b.dst ? -1 : a.src + a.dst > b.src + b.dst ? 1 : a.port - b.port))) {
        out.push(...findingsOf(e));
      }
      return out;
    },
  };
}

function upload(r: FtpRecord, entity: (r: FtpRecord, p: string) => Entity | null, byUid: ReadonlyMap<string, ConnRecord>): void {
  if (!FTP_UPLOADS.has(r.command) || r.reply_code === null || r.reply_code < 200 || r.reply_code >= 300) return;
  const e = entity(r, 'ftp');
  if (e === null) return;
  e.files.push(transferFileName(r.arg));
  if (r.sha256 !== '') e.hashes.add(r.sha256);
  const data = byUid.get(r.data_uid);
  if (data !== undefined) {
    e.conns.set(data.uid, data);
    e.bytes += transferBytes(r, data);
  }
}

function mail(m: SmtpRecord, entity: (r: SmtpRecord, p: string) => Entity | null): void {
  if (m.attachments.length === 0 || m.tls) return;
  const e = entity(m, 'smtp');
  if (e === null) return;
  e.mails++;
  for (const a of m.attachments) if (a !== '' && !e.attachments.includes(a)) e.attachments.push(a);
  m.attachment_mime_types.forEach((t, i) => { if (isFileOfInterest(t)) e.mailFiles++; if ((m.attachment_sha256[i] ?? '') !== '') e.hashes.add(m.attachment_sha256[i]!); });
}

function login(c: CredentialRecord, entity: (r: CredentialRecord, p: string) => Entity | null): void {
  if (c.protocol === 'ftp' && FTP_GUEST_IDS.has(c.username.toLowerCase())) return;
  if (c.outcome === '') return;
  const e = entity(c, c.protocol);
  if (e === null) return;
  if (c.outcome === 'accepted') e.accepted.add(c.username);
  else {
    e.rejected++;
    e.rejectedUsers.add(c.username);
  }
}

function findingsOf(e: Entity): RawFinding[] {
  const internal = isInternal(e.dst);
  const proto = [...e.protocols].sort().join('+');
  const conns = [...e.conns.values()];
  const base = { detector: 'cleartext', src: e.src, dst: e.dst, dst_port: e.port, proto: 'tcp', name: e.name, conns };
  const out: RawFinding[] = [];
  if (e.files.length > 0 || e.accepted.size > 0 || (e.mails > 0 && !internal)) {
    const up = e.files.length > 0 ? (internal ? UPLOAD_INTERNAL : UPLOAD_PUBLIC) : 0;
    const lo = e.accepted.size > 0 ? (internal ? LOGIN_INTERNAL : LOGIN_PUBLIC) : 0;
    const ma = e.mails > 0 && !internal ? (e.mailFiles > 0 ? MAIL_FILES_PUBLIC : MAIL_PUBLIC) : 0;
    const score = round3(Math.max(up, lo, ma));
    const users = [...e.accepted].sort();
    const shown = e.files.slice(0, NAMES_SHOWN).join(', ') + (e.files.length > NAMES_SHOWN ? ', …' : '');
    const parts: string[] = [];
    if (e.files.length > 0) parts.push(`uploaded ${plural(e.files.length, 'file')}${e.bytes > 0 ? ` (${formatBytes(e.bytes)})` : ''} to ${e.dst} over FTP (${shown})`);
    const over = [...e.protocols].sort().map((p) => PROTOCOL_NAMES[p] ?? p).join(' and ');
    if (users.length > 0) parts.push(`${e.files.length > 0 ? 'logged in' : `logged in to ${e.dst}`} as ${users.join(', ')} over ${over}`);
    const mailed = e.attachments.slice(0, NAMES_SHOWN).join(', ') + (e.attachments.length > NAMES_SHOWN ? ', …' : '');
    if (e.mails > 0 && !internal) parts.push(`sent ${plural(e.mails, 'message')} with attachments${mailed === '' ? '' : ` (${mailed})`}${users.length > 0 || e.files.length > 0 ? '' : ` through ${e.dst}`}`);
    out.push({
      ...base, kind: 'cleartext', score,
      evidence: [
        { name: 'protocols', value: proto },
        ...(e.files.length > 0 ? [{ name: 'files_uploaded', value: e.files.length }, { name: 'upload_bytes', value: e.bytes }, { name: 'file_names', value: shown }] : []),
        ...(users.length > 0 ? [{ name: 'accepted_users', value: users.join(' ') }] : []),
        ...(e.mails > 0 ? [{ name: 'mails_with_attachments', value: e.mails }, ...(mailed === '' ? [] : [{ name: 'attachment_names', value: mailed }])] : []),
        ...(e.hashes.size > 0 ? [{ name: 'sha256', value: [...e.hashes].sort().slice(0, 3).join(' '), note: e.hashes.size > 3 ? `${e.hashes.size} files in all (ftp.csv, smtp.csv)` : 'of the files sent' }] : []),
        { name: 'server_internal', value: internal ? 'yes' : 'no' },
        { name: 'cleartext_score', value: score },
      ],
      reason: `${e.src} ${parts.join(', and ')}, in the clear${internal ? '' : ' to a public server'}: anyone on the path can read ${e.files.length > 0 || e.mails > 0 ? 'what was sent' : 'the password'}.`,
    });
  }
  if (e.rejected >= BRUTEFORCE_REJECTED) {
    const users = [...e.rejectedUsers].sort();
    out.push({
      ...base, kind: 'bruteforce', score: BRUTEFORCE,
      evidence: [
        { name: 'protocols', value: proto }, { name: 'rejected_logins', value: e.rejected },
        { name: 'user_names', value: users.length }, { name: 'users', value: users.slice(0, 10).join(' ') + (users.length > 10 ? ' …' : '') },
        { name: 'accepted_users', value: [...e.accepted].sort().join(' ') || '(none)' },
        { name: 'bruteforce_score', value: BRUTEFORCE },
      ],
      reason: `${e.src} had ${e.rejected} logins rejected by ${e.dst}:${e.port} (${proto}) for ${plural(users.length, 'user name')}` +
        (e.accepted.size > 0 ? `, and then one was accepted (${[...e.accepted].sort().join(', ')})` : '') + ': password guessing.',
    });
  }
  return out;
}
