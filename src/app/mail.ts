/**
 * Mail in the clear: SMTP (RFC 5321) transactions → Zeek's smtp.log (one SmtpRecord per message: envelope, the
 * headers Zeek logs, the final reply, attachment file names), and the logins of SMTP AUTH (RFC 4954: LOGIN and PLAIN,
 * RFC 4616), POP3 (RFC 1939 USER/PASS, RFC 5034 AUTH PLAIN) and IMAP (RFC 9051 LOGIN, AUTHENTICATE PLAIN) →
 * CredentialRecords. STARTTLS / STLS accepted ends the reading: what follows is TLS.
 *
 * Bounded: lines up to MAX_LINE (lines.ts), MAX_TRANS messages and MAX_CREDS logins a connection, MAX_RCPT recipients
 * a message; a message body is read a line at a time, its attachments decoded and hashed as they pass (mime.ts, at most
 * 20 a message) and written to files/ with --extract-files; past MAX_BODY bytes of one message its content is no longer
 * read (the connection is given up).
 */
import type { Packet } from '../decode/layer.js';
import type { FlowView } from '../flow/conn.js';
import type { FlowHook } from './hook.js';
import type { FileExtractor } from './http/extract.js';
import { MimeReader } from './mime.js';
import { newCredential, setPassword } from './credentials.js';
import { LINE_SIDE_CAP, nextLine, ReplyReader, textLine } from './lines.js';
import type { CredentialRecord, RecordSink, SmtpRecord } from './records.js';
import { tsString } from './ref.js';
import type { AppStats } from './stats.js';
import { StreamBuf } from './stream.js';

const MAX_TRANS = 1000;
const MAX_CREDS = 100;
const MAX_RCPT = 100;
const MAX_BODY = 64 * 1024 * 1024;
const MAX_BAD_LINES = 8;
/** Header values kept at most (a Subject of a megabyte is an attack on the reader, not a subject). */
const MAX_VALUE = 1000;

type Proto = 'smtp' | 'pop3' | 'imap';

const PORTS: ReadonlyMap<number, Proto> = new Map([[25, 'smtp'], [587, 'smtp'], [2525, 'smtp'], [110, 'pop3'], [143, 'imap']]);

export interface MailOptions {
  /** Keep the passwords of mail logins; by default only the user names. */
  capture_passwords?: boolean;
}

/** What the client is sending now. */
const enum Mode { Command, AuthLoginUser, AuthLoginPass, AuthPlain, DataHead, DataBody, Done }

export class MailFlowState {
  readonly client = new StreamBuf(LINE_SIDE_CAP);
  readonly server = new StreamBuf(LINE_SIDE_CAP);
  readonly proto: Proto;
  mode = Mode.Command;
  done = false;
  bad = 0;
  helo = '';
  /** The message being sent (after MAIL FROM), or waiting for its final reply. */
  cur: SmtpRecord | null = null;
  /** Its header being read: name and value so far (continuation lines are folded in). */
  header = '';
  /** The MIME entities of the message being sent: its attachments, decoded and hashed (mime.ts). */
  mime: MimeReader | null = null;
  bodyBytes = 0;
  /** The message has ended ("."): its next final reply is its last_reply. */
  awaitingReply = false;
  readonly replies = new ReplyReader();
  /** Time of the first line either side sent since the last message ended (Zeek's smtp.log ts: the greeting for the first message); -1 unset. */
  transSec = -1;
  transNsec = 0;
  /** Commands sent, for pairing IMAP tagged replies and POP3 answers. */
  lastCommand = '';
  imapTag = '';
  /** The login being made; its outcome comes with the server's answer. */
  cred: CredentialRecord | null = null;
  rows: SmtpRecord[] = [];
  creds: CredentialRecord[] = [];
  constructor(proto: Proto) {
    this.proto = proto;
  }
}

/** The server's first line names the protocol when the port does not. */
function greetingProto(p: Packet): Proto | null {
  const b = p.buf, o = p.payload_off;
  // The cheap test first: this runs on every TCP flow whose first payload comes from the server.
  const b0 = p.payload_end - o >= 4 ? b[o] : 0;
  if (b0 !== 0x2b && b0 !== 0x2a && b0 !== 0x32) return null;
  const head = b.toString('latin1', o, Math.min(p.payload_end, o + 160)).split('\n')[0]!;
  if (/^\+OK/.test(head)) return 'pop3';
  if (/^\* (OK|PREAUTH)/.test(head)) return 'imap';
  if (/^220[ -]/.test(head) && /SMTP|MAIL/i.test(head) && !/FTP/i.test(head)) return 'smtp';
  return null;
}

/** `extract`: --extract-files, where the attachments of messages are written (null: none). */
export function createMailHook(stats: AppStats, opts: MailOptions = {}, extract: FileExtractor | null = null): FlowHook<MailFlowState> {
  const capture = opts.capture_passwords === true;
  return {
    name: 'mail',
    onInit(p: Packet, flow: FlowView, is_orig: boolean): MailFlowState | null {
      if (flow.ip_proto !== 6) return null;
      const proto = PORTS.get(flow.resp_p) ?? (is_orig ? null : greetingProto(p));
      return proto === undefined || proto === null ? null : new MailFlowState(proto);
    },
    onPacket(p: Packet, flow: FlowView, is_orig: boolean, s: MailFlowState): boolean {
      const sb = is_orig ? s.client : s.server;
      if (!s.done && sb.push(p)) {
        if (is_orig) clientLines(stats, flow, p, s, capture, extract);
        else serverLines(stats, p, s);
      }
      sb.keep();
      if (s.bad >= MAX_BAD_LINES || sb.overflow) {
        if (s.bad >= MAX_BAD_LINES) stats.mail_malformed++;
        stop(s);
      }
      return !s.done;
    },
    onExpire(_flow: FlowView, s: MailFlowState, out: RecordSink): void {
      // A message cut short: its attachments so far, the open one without hashes (its end was never seen).
      if (s.mime !== null && s.cur !== null) attachments(stats, s.cur, s.mime, false);
      s.mime = null;
      if (s.cur !== null) addRow(stats, s, s.cur);
      s.cur = null;
      for (const r of s.rows) out.smtp(r);
      for (const c of s.creds) out.credential(c);
    },
  };
}

function stop(s: MailFlowState): void {
  s.mime?.cut(); // the message's end will not be read: an open attachment ends here, unhashed (onExpire records them)
  s.done = true;
  s.mode = Mode.Done;
  s.client.release();
  s.server.release();
}

function addRow(stats: AppStats, s: MailFlowState, r: SmtpRecord): void {
  if (s.rows.length < MAX_TRANS) s.rows.push(r);
  else stats.records_dropped++;
}

const clipValue = (v: string): string => (v.length > MAX_VALUE ? v.slice(0, MAX_VALUE) : v);

/** base64 text → latin1 string, null when not base64. */
function b64(text: string): string | null {
  const t = text.trim();
  if (t === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return null;
  return Buffer.from(t, 'base64').toString('latin1');
}

function newCred(flow: FlowView, p: Packet, s: MailFlowState): CredentialRecord | null {
  if (s.creds.length >= MAX_CREDS) return null;
  const c = newCredential(flow, p.ts_sec, p.ts_nsec, s.proto);
  s.creds.push(c);
  return c;
}

/** authzid NUL authcid NUL passwd (RFC 4616 §2). */
function plain(c: CredentialRecord, decoded: string, capture: boolean): void {
  const parts = decoded.split('\0');
  if (parts.length < 3) return;
  c.username = parts[1] !== '' ? parts[1]! : parts[0]!;
  setPassword(c, parts.slice(2).join('\0'), capture);
}

function clientLines(stats: AppStats, flow: FlowView, p: Packet, s: MailFlowState, capture: boolean, extract: FileExtractor | null): void {
  for (let line = nextLine(s.client); line !== null && !s.done; line = nextLine(s.client)) {
    if (line === false) {
      s.bad = MAX_BAD_LINES;
      return;
    }
    if (s.mode === Mode.DataHead || s.mode === Mode.DataBody) {
      dataLine(stats, s, line);
      continue;
    }
    if (!textLine(line)) {
      s.bad++;
      continue;
    }
    switch (s.mode) {
      case Mode.AuthLoginUser: {
        const u = b64(line);
        if (s.cred !== null && u !== null) s.cred.username = u;
        s.mode = u === null ? Mode.Command : Mode.AuthLoginPass;
        continue;
      }
      case Mode.AuthLoginPass: {
        const pw = b64(line);
        if (s.cred !== null && pw !== null) setPassword(s.cred, pw, capture);
        s.mode = Mode.Command;
        continue;
      }
      case Mode.AuthPlain: {
        const d = b64(line);
        if (s.cred !== null && d !== null) plain(s.cred, d, capture);
        s.mode = Mode.Command;
        continue;
      }
      default:
    }
    if (s.proto === 'smtp') smtpCommand(flow, p, s, line, capture, extract);
    else if (s.proto === 'pop3') pop3Command(flow, p, s, line, capture);
    else imapCommand(flow, p, s, line, capture);
  }
}

const verbOf = (line: string): [string, string] => {
  const sp = line.indexOf(' ');
  return sp < 0 ? [line.toUpperCase(), ''] : [line.slice(0, sp).toUpperCase(), line.slice(sp + 1)];
};

/** `<a@b> SIZE=1` → `a@b`. */
function address(arg: string): string {
  const m = /<([^>]*)>/.exec(arg);
  return (m === null ? arg.trim().split(' ')[0]! : m[1]!).trim();
}

function smtpCommand(flow: FlowView, p: Packet, s: MailFlowState, line: string, capture: boolean, extract: FileExtractor | null): void {
  const [verb, arg] = verbOf(line);
  s.lastCommand = verb;
  if (s.transSec < 0) {
    s.transSec = p.ts_sec;
    s.transNsec = p.ts_nsec;
  }
  switch (verb) {
    case 'EHLO':
    case 'HELO':
      s.helo = clipValue(arg.trim());
      return;
    case 'AUTH': {
      const [mech, initial] = verbOf(arg);
      s.cred = newCred(flow, p, s);
      if (mech === 'LOGIN') {
        const u = initial === '' ? null : b64(initial);
        if (u !== null && s.cred !== null) s.cred.username = u;
        s.mode = u === null ? Mode.AuthLoginUser : Mode.AuthLoginPass;
      } else if (mech === 'PLAIN') {
        const d = initial === '' || initial === '=' ? null : b64(initial);
        if (d !== null && s.cred !== null) plain(s.cred, d, capture);
        else s.mode = Mode.AuthPlain;
      } else if (s.cred !== null) {
        s.creds.pop(); // CRAM-MD5, NTLM, XOAUTH2…: no password in the clear
        s.cred = null;
      }
      return;
    }
    case 'MAIL': {
      if (!/^FROM:/i.test(arg)) return;
      s.cur = {
        ts: tsString(s.transSec, s.transNsec), uid: flow.uid, community_id: flow.community_id, orig_h: flow.orig_h, orig_p: flow.orig_p,
        resp_h: flow.resp_h, resp_p: flow.resp_p, trans_depth: s.rows.length + 1, helo: s.helo, mailfrom: clipValue(address(arg.slice(5))),
        rcptto: [], date: '', from: '', to: [], cc: [], reply_to: '', msg_id: '', in_reply_to: '', subject: '', x_originating_ip: '',
        first_received: '', second_received: '', last_reply: '', user_agent: '', tls: false, attachments: [], body_bytes: 0,
        attachment_mime_types: [], attachment_bytes: [], attachment_md5: [], attachment_sha256: [],
      };
      return;
    }
    case 'RCPT':
      if (s.cur !== null && /^TO:/i.test(arg) && s.cur.rcptto.length < MAX_RCPT) s.cur.rcptto.push(clipValue(address(arg.slice(3))));
      return;
    case 'DATA':
      if (s.cur !== null) {
        s.mode = Mode.DataHead;
        s.header = '';
        s.bodyBytes = 0;
        s.mime = new MimeReader(extract);
      }
      return;
    case 'BDAT':
      stop(s); // CHUNKING (RFC 3030): binary chunks, not lines
      return;
    case 'RSET':
      s.mime?.cut(); // the message is abandoned: a file being written is removed
      s.mime = null;
      s.cur = null;
      return;
    default:
  }
}

/** Zeek's smtp.log header fields, by lower-case header name. */
function header(s: MailFlowState, raw: string): void {
  const colon = raw.indexOf(':');
  if (colon <= 0 || s.cur === null) return;
  const name = raw.slice(0, colon).trim().toLowerCase();
  const value = clipValue(raw.slice(colon + 1).trim());
  const r = s.cur;
  const list = (v: string): string[] => v.split(',').map((x) => x.trim()).filter((x) => x !== '').slice(0, MAX_RCPT);
  switch (name) {
    case 'date': r.date = value; break;
    case 'from': r.from = value; break;
    case 'to': r.to = list(value); break;
    case 'cc': r.cc = list(value); break;
    case 'reply-to': r.reply_to = value; break;
    case 'message-id': r.msg_id = value; break;
    case 'in-reply-to': r.in_reply_to = value; break;
    case 'subject': r.subject = value; break;
    case 'x-originating-ip': r.x_originating_ip = value.replace(/^\[|\]$/g, ''); break;
    case 'received':
      if (r.first_received === '') r.first_received = value;
      else if (r.second_received === '') r.second_received = value;
      break;
    case 'x-mailer':
    case 'user-agent':
    case 'x-user-agent':
      r.user_agent = value;
      break;
    default:
  }
}

/** The attachments the message's MIME parts held, into its record (`whole`: the message ended; else the open one gets no hash). */
function attachments(stats: AppStats, r: SmtpRecord, mime: MimeReader, whole: boolean): void {
  if (!whole) mime.cut();
  else mime.end();
  for (const f of mime.files) {
    r.attachments.push(f.name);
    r.attachment_mime_types.push(f.mime);
    r.attachment_bytes.push(f.bytes);
    r.attachment_md5.push(f.md5);
    r.attachment_sha256.push(f.sha256);
  }
  stats.mail_attachments += mime.files.length;
  stats.records_dropped += mime.dropped;
}

function dataLine(stats: AppStats, s: MailFlowState, raw: string): void {
  if (raw === '.') {
    if (s.mode === Mode.DataHead && s.header !== '') header(s, s.header);
    if (s.cur !== null) s.cur.body_bytes = s.bodyBytes;
    if (s.cur !== null && s.mime !== null) attachments(stats, s.cur, s.mime, true);
    s.mime = null;
    s.mode = Mode.Command;
    s.awaitingReply = true;
    return;
  }
  const line = raw.startsWith('..') ? raw.slice(1) : raw; // dot-stuffing (RFC 5321 §4.5.2)
  s.bodyBytes += line.length + 2;
  if (s.bodyBytes > MAX_BODY) {
    stats.records_dropped += s.cur === null ? 0 : 1;
    stop(s);
    return;
  }
  s.mime?.line(line);
  const folded = line.length > 0 && (line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09);
  if (s.mode === Mode.DataHead) {
    if (folded && s.header !== '') {
      if (s.header.length < MAX_VALUE * 2) s.header += ` ${line.trim()}`;
      return;
    }
    if (s.header !== '') header(s, s.header);
    s.header = line;
    if (line === '') s.mode = Mode.DataBody;
  }
}

function pop3Command(flow: FlowView, p: Packet, s: MailFlowState, line: string, capture: boolean): void {
  const [verb, arg] = verbOf(line);
  s.lastCommand = verb;
  if (verb === 'USER') {
    s.cred = newCred(flow, p, s);
    if (s.cred !== null) s.cred.username = clipValue(arg);
  } else if (verb === 'PASS') {
    if (s.cred === null || s.cred.outcome !== '') s.cred = newCred(flow, p, s);
    if (s.cred !== null) setPassword(s.cred, arg, capture);
  } else if (verb === 'AUTH') {
    const [mech, initial] = verbOf(arg);
    if (mech !== 'PLAIN') return;
    s.cred = newCred(flow, p, s);
    const d = initial === '' ? null : b64(initial);
    if (d !== null && s.cred !== null) plain(s.cred, d, capture);
    else s.mode = Mode.AuthPlain;
  } else if (verb === 'APOP') {
    s.cred = newCred(flow, p, s);
    if (s.cred !== null) s.cred.username = clipValue(arg.split(' ')[0]!); // a digest, no password
  }
}

/** An IMAP astring (RFC 9051 §4): an atom or a quoted string; the rest of the line after it. */
function astring(text: string): [string, string] {
  const t = text.trimStart();
  if (t.startsWith('"')) {
    let out = '';
    for (let i = 1; i < t.length; i++) {
      const c = t[i]!;
      if (c === '\\' && i + 1 < t.length) out += t[++i]!;
      else if (c === '"') return [out, t.slice(i + 1)];
      else out += c;
    }
    return [out, ''];
  }
  const sp = t.indexOf(' ');
  return sp < 0 ? [t, ''] : [t.slice(0, sp), t.slice(sp + 1)];
}

function imapCommand(flow: FlowView, p: Packet, s: MailFlowState, line: string, capture: boolean): void {
  const [tag, rest] = verbOf(line);
  const [verb, arg] = verbOf(rest);
  s.lastCommand = verb;
  if (verb === 'LOGIN') {
    s.cred = newCred(flow, p, s);
    if (s.cred === null) return;
    const [user, after] = astring(arg);
    const [password] = astring(after);
    s.cred.username = clipValue(user);
    setPassword(s.cred, password, capture);
    s.imapTag = tag;
  } else if (verb === 'AUTHENTICATE') {
    const [mech, initial] = verbOf(arg);
    if (mech !== 'PLAIN') return;
    s.cred = newCred(flow, p, s);
    s.imapTag = tag;
    const d = initial === '' ? null : b64(initial);
    if (d !== null && s.cred !== null) plain(s.cred, d, capture);
    else s.mode = Mode.AuthPlain;
  } else if (verb === 'STARTTLS') s.imapTag = tag;
}

function serverLines(stats: AppStats, p: Packet, s: MailFlowState): void {
  for (let line = nextLine(s.server); line !== null && !s.done; line = nextLine(s.server)) {
    if (line === false) {
      s.bad = MAX_BAD_LINES;
      return;
    }
    if (s.proto === 'smtp') {
      if (s.transSec < 0) {
        s.transSec = p.ts_sec;
        s.transNsec = p.ts_nsec;
      }
      smtpReply(stats, s, line);
    }
    else if (s.proto === 'pop3') pop3Reply(s, line);
    else imapReply(s, line);
  }
}

function smtpReply(stats: AppStats, s: MailFlowState, line: string): void {
  const r = s.replies.read(line);
  if (r === 'bad') {
    s.bad++;
    return;
  }
  if (r === null) return;
  const code = r.code;
  if (s.cred !== null && s.cred.outcome === '') {
    if (code === 235) s.cred.outcome = 'accepted';
    else if (code === 535 || code === 534 || code === 538 || code === 454) s.cred.outcome = 'rejected';
    if (code === 334) return; // a challenge: the login goes on
    if (s.cred.outcome !== '' || code >= 400) s.cred = null;
  }
  if (s.mode === Mode.DataHead && s.lastCommand === 'DATA' && code >= 400 && s.cur !== null && s.bodyBytes === 0) {
    s.mode = Mode.Command; // the server refused the message before it was sent
  }
  if ((s.mode === Mode.AuthLoginUser || s.mode === Mode.AuthLoginPass || s.mode === Mode.AuthPlain) && code !== 334) s.mode = Mode.Command;
  if (s.awaitingReply && s.cur !== null) {
    s.cur.last_reply = clipValue(`${code} ${r.text}`);
    addRow(stats, s, s.cur);
    s.cur = null;
    s.awaitingReply = false;
    s.transSec = -1;
    return;
  }
  if (s.lastCommand === 'STARTTLS' && code === 220) {
    // Zeek logs the session with tls set; nad keeps a row only when a message was under way.
    if (s.cur !== null) s.cur.tls = true;
    stop(s);
  }
}

function pop3Reply(s: MailFlowState, line: string): void {
  const ok = line.startsWith('+OK');
  const err = line.startsWith('-ERR');
  if (!ok && !err) {
    if (line.startsWith('+')) return; // a continuation (AUTH): the login goes on
    return; // lines of a multi-line answer (LIST, RETR, CAPA) are not read
  }
  if (s.mode === Mode.AuthPlain) s.mode = Mode.Command;
  const c = s.lastCommand;
  if (s.cred !== null && s.cred.outcome === '' && (c === 'PASS' || c === 'APOP' || c === 'AUTH' || (c === 'USER' && err))) {
    s.cred.outcome = ok ? 'accepted' : 'rejected';
  }
  if (c === 'STLS' && ok) stop(s);
}

function imapReply(s: MailFlowState, line: string): void {
  if (s.imapTag === '') return;
  const [tag, rest] = verbOf(line);
  if (tag !== s.imapTag) return;
  const [status] = verbOf(rest);
  if (s.lastCommand === 'STARTTLS' && status === 'OK') {
    stop(s);
    return;
  }
  if (s.cred !== null && s.cred.outcome === '') s.cred.outcome = status === 'OK' ? 'accepted' : status === 'NO' || status === 'BAD' ? 'rejected' : '';
  s.imapTag = '';
}
