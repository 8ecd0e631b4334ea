/**
 * FTP control channels (RFC 959, RFC 2428 for EPSV/EPRT) → Zeek's ftp.log: one FtpRecord per logged command
 * (Zeek's FTP::logged_commands) with its final reply, the session's user, the directory it was in, and the data
 * channel it set up; plus a CredentialRecord per PASS. Data connections announced by PASV/EPSV/PORT/EPRT are
 * recognised when they start (Zeek's expected connections): their service is `ftp-data`, and the transfer that used
 * one names its uid, so an upload's bytes can be read off flows.csv. The file a RETR, STOR, APPE or STOU moved is read
 * off its data connection as it passes (http/body.ts BodyHasher): typed by content, hashed (MD5, SHA-256) and, with
 * --extract-files, written to files/, as Zeek's files framework and NetworkMiner do. A file gets hashes only when it
 * was seen whole: no byte lost to a gap, as many bytes as the server announced (150 "(N bytes)", or SIZE), and the
 * server's final reply, when it came before the data connection ended, accepted the transfer.
 *
 * Bounded: lines up to MAX_LINE bytes (lines.ts), MAX_QUEUE commands awaiting replies, MAX_ROWS rows and MAX_CREDS credentials a
 * connection, MAX_EXPECT announced data channels at a time. A line that is not FTP (binary, a command that is not
 * letters) counts as malformed; after AUTH TLS is accepted the channel is encrypted and the reading stops.
 */
import type { Packet } from '../decode/layer.js';
import type { ConnRecord, FlowView } from '../flow/conn.js';
import { newCredential, setPassword } from './credentials.js';
import type { FlowHook } from './hook.js';
import { BodyHasher, type BodyFacts } from './http/body.js';
import type { FileExtractor } from './http/extract.js';
import type { CredentialRecord, FtpRecord, RecordSink } from './records.js';
import { tsString } from './ref.js';
import type { AppStats } from './stats.js';
import { LINE_SIDE_CAP, nextLine, ReplyReader, textLine } from './lines.js';
import { StreamBuf } from './stream.js';

const PORT_FTP = 21;
const MAX_QUEUE = 64;
const MAX_ROWS = 1000;
const MAX_CREDS = 100;
/** Lines that are not FTP before the connection is given up. */
const MAX_BAD_LINES = 8;
/** Announced data channels remembered at a time, and for how long (seconds of capture time). */
const MAX_EXPECT = 4096;
const EXPECT_S = 300;

/** Zeek's FTP::logged_commands. */
const LOGGED = new Set(['APPE', 'DELE', 'RETR', 'STOR', 'STOU', 'ACCT', 'PORT', 'PASV', 'EPRT', 'EPSV']);
/** Commands that move data over a data connection (the ones a new data connection belongs to). */
const TRANSFERS = new Set(['APPE', 'RETR', 'STOR', 'STOU', 'LIST', 'NLST', 'MLSD']);
/** The transfers that move a file (not a listing): their data connection's bytes are hashed. */
export const FILE_TRANSFERS: ReadonlySet<string> = new Set(['APPE', 'RETR', 'STOR', 'STOU']);
/** The transfers that send a file to the server. */
export const FTP_UPLOADS: ReadonlySet<string> = new Set(['STOR', 'APPE', 'STOU']);
/** Zeek's FTP::guest_ids: users whose password (an e-mail address, by custom) is logged. */
export const FTP_GUEST_IDS: ReadonlySet<string> = new Set(['anonymous', 'ftp', 'ftpuser', 'guest']);

/** Bytes a transfer's data connection moved in the transfer's direction (RETR: from the server; uploads: to it). */
export function transferBytes(r: Pick<FtpRecord, 'command' | 'orig_h' | 'resp_h'>, data: Pick<ConnRecord, 'orig_h' | 'orig_bytes' | 'resp_bytes'>): number {
  const sender = r.command === 'RETR' ? r.resp_h : r.orig_h;
  return data.orig_h === sender ? data.orig_bytes : data.resp_bytes;
}

export interface FtpOptions {
  /** Keep every password (Zeek's FTP::default_capture_password); by default only guest users' are kept. */
  capture_passwords?: boolean;
}

interface Command {
  ts_sec: number;
  ts_nsec: number;
  command: string;
  arg: string;
  /** Size told by a preliminary (1xx) reply, -1 when none. */
  size: number;
  /** The data connection this transfer used, '' until one starts. */
  data_uid: string;
  /** Its row, once the final reply made it (the data connection may end after). */
  row: FtpRecord | null;
  /** What the data connection carried, once it ended (the final reply may come after). */
  file: BodyFacts | null;
}

export class FtpFlowState {
  readonly client = new StreamBuf(LINE_SIDE_CAP);
  readonly server = new StreamBuf(LINE_SIDE_CAP);
  clientDone = false;
  serverDone = false;
  bad = 0;
  user = '';
  /** The password as it may be logged ('' when hidden or not given). */
  password = '';
  cwd = '.';
  /** Commands awaiting their final reply, oldest first. */
  readonly queue: Command[] = [];
  readonly replies = new ReplyReader();
  /** The last SIZE answered: its argument and the size. */
  sizeArg = '';
  sizeValue = -1;
  /** A data connection that started before the transfer command it belongs to was read. */
  waitingDataUid = '';
  waitingData: FtpDataState | null = null;
  /** Data connections still open: they end with the session at the latest, so that its rows are whole when written. */
  readonly dataOpen = new Set<FtpDataState>();
  /** The session's rows were written: a data connection that starts after it cannot change them. */
  expired = false;
  rows: FtpRecord[] = [];
  creds: CredentialRecord[] = [];
}

/** A data connection: each direction's bytes go to a hasher; the transfer's sender's are the file. */
export class FtpDataState {
  /** The transfer it belongs to; null until its command is read. */
  command: Command | null = null;
  /** Its file is decided (the data connection ended, or its session did first): later bytes are not read. */
  ended = false;
  readonly sides: [StreamBuf, StreamBuf] = [new StreamBuf(0), new StreamBuf(0)];
  readonly hashers: [BodyHasher, BodyHasher];

  constructor(
    readonly control: FtpFlowState, readonly control_flow: Pick<FlowView, 'orig_h' | 'resp_h'>, readonly flow: Pick<FlowView, 'orig_h' | 'resp_h'>,
    extract: FileExtractor | null,
  ) {
    control.dataOpen.add(this);
    this.hashers = [BodyHasher.unbounded('', extract), BodyHasher.unbounded('', extract)];
    for (let i = 0; i < 2; i++) {
      this.sides[i]!.tap = this.hashers[i]!;
      this.sides[i]!.skip = Number.MAX_SAFE_INTEGER; // every byte passes to the hasher; none is buffered
    }
  }
}

export type FtpState = FtpFlowState | FtpDataState;

interface Expected {
  orig_h: string;
  state: FtpFlowState;
  /** The control connection's hosts (client, server): which end of the data connection sends the file. */
  flow: Pick<FlowView, 'orig_h' | 'resp_h'>;
  at_sec: number;
}

/** Does a server payload open with an FTP greeting (`220` and FTP in the first line)? For FTP on other ports. */
function greets(p: Packet): boolean {
  const b = p.buf, o = p.payload_off, end = Math.min(p.payload_end, o + 128);
  if (end - o < 6 || b[o] !== 0x32 || b[o + 1] !== 0x32 || b[o + 2] !== 0x30 || (b[o + 3] !== 0x20 && b[o + 3] !== 0x2d)) return false;
  return /FTP/i.test(b.toString('latin1', o, end).split('\n')[0]!);
}

/** `extract`: --extract-files, where the files of data connections are written (null: none). */
export function createFtpHook(stats: AppStats, opts: FtpOptions = {}, extract: FileExtractor | null = null): FlowHook<FtpState> {
  const capture = opts.capture_passwords === true;
  /** Announced data channels by `resp_h resp_p`. */
  const expect = new Map<string, Expected>();

  const announce = (s: FtpFlowState, flow: FlowView, orig_h: string, resp_h: string, resp_p: number, at_sec: number): void => {
    const key = `${resp_h} ${resp_p}`;
    expect.delete(key);
    if (expect.size >= MAX_EXPECT) expect.delete(expect.keys().next().value!);
    expect.set(key, { orig_h, state: s, flow: { orig_h: flow.orig_h, resp_h: flow.resp_h }, at_sec });
  };

  /** A new flow that an FTP session announced: marked ftp-data and tied to its transfer; its state reads the file. */
  const claimed = (p: Packet, flow: FlowView): FtpDataState | null => {
    // Announcements no connection took are dropped once stale (oldest first), so a finished session costs nothing.
    for (const [k, e] of expect) {
      if (p.ts_sec - e.at_sec <= EXPECT_S) break;
      expect.delete(k);
    }
    if (expect.size === 0) return null;
    const key = `${flow.resp_h} ${flow.resp_p}`;
    const e = expect.get(key);
    if (e === undefined || e.orig_h !== flow.orig_h) return null;
    expect.delete(key);
    if (p.ts_sec - e.at_sec > EXPECT_S) return null;
    flow.service = 'ftp-data';
    flow.service_source = 'payload';
    const s = e.state;
    const data = new FtpDataState(s, e.flow, { orig_h: flow.orig_h, resp_h: flow.resp_h }, extract);
    const t = s.queue.find((c) => TRANSFERS.has(c.command) && c.data_uid === '');
    if (t !== undefined) {
      t.data_uid = flow.uid;
      data.command = t;
    } else {
      s.waitingDataUid = flow.uid;
      s.waitingData = data;
    }
    return data;
  };

  return {
    name: 'ftp',
    onInit(p: Packet, flow: FlowView, is_orig: boolean): FtpState | null {
      if (flow.ip_proto !== 6) return null;
      if (expect.size > 0) {
        const data = claimed(p, flow);
        if (data !== null) return data;
      }
      if (flow.resp_p !== PORT_FTP && flow.orig_p !== PORT_FTP && (is_orig || !greets(p))) return null;
      return new FtpFlowState();
    },
    onPacket(p: Packet, flow: FlowView, is_orig: boolean, s: FtpState): boolean {
      if (s instanceof FtpDataState) {
        if (!s.ended) s.sides[is_orig ? 0 : 1].push(p);
        return !s.ended;
      }
      const sb = is_orig ? s.client : s.server;
      if (!(is_orig ? s.clientDone : s.serverDone)) {
        if (sb.push(p)) {
          if (is_orig) clientLines(stats, flow, p, s, capture);
          else serverLines(stats, flow, p, s, announce);
        }
        if (sb.overflow) s.bad = MAX_BAD_LINES;
      }
      sb.keep();
      if (s.bad >= MAX_BAD_LINES) stop(s);
      return !(s.clientDone && s.serverDone);
    },
    onExpire(flow: FlowView, s: FtpState, out: RecordSink): void {
      if (s instanceof FtpDataState) {
        dataEnded(stats, s);
        return;
      }
      // A data connection that outlives its session (the capture ended first) is decided now, so its row is whole.
      for (const d of s.dataOpen) dataEnded(stats, d);
      s.expired = true;
      // Logged commands the capture holds no reply to are logged too, as Zeek does when the connection ends.
      for (const c of s.queue) if (LOGGED.has(c.command)) addRow(stats, flow, s, c, null, '');
      s.queue.length = 0;
      for (const r of s.rows) out.ftp(r);
      for (const c of s.creds) out.credential(c);
    },
  };
}

function stop(s: FtpFlowState): void {
  s.clientDone = s.serverDone = true;
  s.client.release();
  s.server.release();
}

const COMMAND = /^[A-Za-z]{3,4}$/;

function clientLines(stats: AppStats, flow: FlowView, p: Packet, s: FtpFlowState, capture: boolean): void {
  for (let line = nextLine(s.client); line !== null && !s.clientDone; line = nextLine(s.client)) {
    if (line === false) {
      s.bad = MAX_BAD_LINES; // a line this long is not FTP
      return;
    }
    // Telnet control sequences (IAC IP, IAC DM before ABOR, RFC 959 §4.1.3) are not part of the command.
    const text = line.replace(/\xff[\xf0-\xfe]?/g, '');
    const sp = text.indexOf(' ');
    const command = (sp < 0 ? text : text.slice(0, sp)).toUpperCase();
    const arg = sp < 0 ? '' : text.slice(sp + 1);
    if (!COMMAND.test(command) || !textLine(text)) {
      stats.ftp_malformed++;
      s.bad++;
      continue;
    }
    if (command === 'USER') {
      s.user = arg;
      s.password = '';
    } else if (command === 'PASS') {
      const shown = capture || FTP_GUEST_IDS.has(s.user.toLowerCase());
      s.password = shown ? arg : '';
      if (s.creds.length < MAX_CREDS) {
        const c = newCredential(flow, p.ts_sec, p.ts_nsec, 'ftp');
        c.username = s.user;
        setPassword(c, arg, shown);
        s.creds.push(c);
      } else stats.records_dropped++;
    }
    if (s.queue.length >= MAX_QUEUE) {
      stats.records_dropped++;
      s.queue.shift();
    }
    const c: Command = { ts_sec: p.ts_sec, ts_nsec: p.ts_nsec, command, arg, size: -1, data_uid: '', row: null, file: null };
    if (TRANSFERS.has(command) && s.waitingDataUid !== '') {
      c.data_uid = s.waitingDataUid;
      s.waitingDataUid = '';
      if (s.waitingData !== null) s.waitingData.command = c;
      s.waitingData = null;
    }
    s.queue.push(c);
  }
}

function serverLines(stats: AppStats, flow: FlowView, p: Packet, s: FtpFlowState, announce: Announce): void {
  for (let line = nextLine(s.server); line !== null && !s.serverDone; line = nextLine(s.server)) {
    if (line === false) {
      s.bad = MAX_BAD_LINES;
      return;
    }
    const r = s.replies.read(line);
    if (r === 'bad') {
      stats.ftp_malformed++;
      s.bad++;
      continue;
    }
    if (r !== null) reply(stats, flow, p, s, r.code, r.text, announce);
  }
}

type Announce = (s: FtpFlowState, flow: FlowView, orig_h: string, resp_h: string, resp_p: number, at_sec: number) => void;

/** A final or preliminary reply to the oldest command awaiting one. */
function reply(stats: AppStats, flow: FlowView, p: Packet, s: FtpFlowState, code: number, msg: string, announce: Announce): void {
  const c = s.queue[0];
  if (c === undefined) return; // the greeting, or a reply to nothing the capture holds
  if (code < 200) {
    // 150 Opening BINARY mode data connection for 'f' (77 bytes).
    const m = /\((\d{1,15}) bytes\)/.exec(msg);
    if (m !== null) c.size = Number(m[1]);
    return;
  }
  s.queue.shift();
  const ok = code >= 200 && code < 300;
  switch (c.command) {
    case 'USER':
      if (code === 230) s.password = '';
      break;
    case 'PASS': {
      const cred = s.creds[s.creds.length - 1];
      if (cred !== undefined && cred.outcome === '') cred.outcome = ok ? 'accepted' : code >= 400 ? 'rejected' : '';
      break;
    }
    case 'CWD':
      if (code === 250) s.cwd = buildPath(s.cwd, c.arg);
      break;
    case 'CDUP':
      if (code === 200 || code === 250) s.cwd = buildPath(s.cwd, '..');
      break;
    case 'PWD':
    case 'XPWD':
      if (code === 257) {
        const q = /"((?:[^"]|"")*)"/.exec(msg);
        if (q !== null) s.cwd = q[1]!.replace(/""/g, '"');
      }
      break;
    case 'SIZE':
      if (code === 213 && /^\d{1,15}$/.test(msg.trim())) {
        s.sizeArg = c.arg;
        s.sizeValue = Number(msg.trim());
      }
      break;
    case 'AUTH':
      // AUTH TLS / SSL accepted (RFC 4217 §4): everything after is TLS.
      if (code === 234) stop(s);
      break;
    default:
  }
  if (!LOGGED.has(c.command)) return;
  const row = addRow(stats, flow, s, c, code, msg);
  if (row === null || !ok) return;
  const dc = dataChannel(flow, c, code, msg);
  if (dc === null) return;
  row.data_channel_passive = dc.passive;
  row.data_channel_orig_h = dc.orig_h;
  row.data_channel_resp_h = dc.resp_h;
  row.data_channel_resp_p = dc.resp_p;
  announce(s, flow, dc.orig_h, dc.resp_h, dc.resp_p, p.ts_sec);
  // A server behind NAT announces its private address: the client connects to the one it already talks to.
  if (dc.passive && dc.resp_h !== flow.resp_h) announce(s, flow, dc.orig_h, flow.resp_h, dc.resp_p, p.ts_sec);
}

function addRow(stats: AppStats, flow: FlowView, s: FtpFlowState, c: Command, code: number | null, msg: string): FtpRecord | null {
  if (s.rows.length >= MAX_ROWS) {
    stats.records_dropped++;
    return null;
  }
  const transfer = TRANSFERS.has(c.command);
  const size = c.size >= 0 ? c.size : transfer && s.sizeValue >= 0 && s.sizeArg === c.arg ? s.sizeValue : null;
  const row: FtpRecord = {
    ts: tsString(c.ts_sec, c.ts_nsec), uid: flow.uid, community_id: flow.community_id,
    orig_h: flow.orig_h, orig_p: flow.orig_p, resp_h: flow.resp_h, resp_p: flow.resp_p,
    user: s.user, password: s.password, command: c.command,
    arg: transfer && c.arg !== '' ? fileUrl(flow.resp_h, s.cwd, c.arg) : c.arg,
    file_size: transfer ? size : null, reply_code: code, reply_msg: msg,
    data_channel_passive: null, data_channel_orig_h: '', data_channel_resp_h: '', data_channel_resp_p: null,
    data_uid: c.data_uid, mime_type: '', md5: '', sha256: '',
  };
  s.rows.push(row);
  c.row = row;
  if (c.file !== null) fileInto(stats, row, c.file);
  return row;
}

interface DataChannel {
  passive: boolean;
  orig_h: string;
  resp_h: string;
  resp_p: number;
}

/** The data connection a PASV/EPSV reply or an accepted PORT/EPRT announces (RFC 959 §4.1.2, RFC 2428 §2–3). */
export function dataChannel(flow: Pick<FlowView, 'orig_h' | 'resp_h'>, c: { command: string; arg: string }, code: number, msg: string): DataChannel | null {
  switch (c.command) {
    case 'PASV': {
      if (code !== 227) return null;
      const hp = hostPort(msg);
      return hp === null ? null : { passive: true, orig_h: flow.orig_h, resp_h: hp.host, resp_p: hp.port };
    }
    case 'EPSV': {
      const m = code === 229 ? /\((.)\1\1(\d{1,5})\1\)/.exec(msg) : null;
      const port = m === null ? -1 : Number(m[2]);
      return port > 0 && port < 65536 ? { passive: true, orig_h: flow.orig_h, resp_h: flow.resp_h, resp_p: port } : null;
    }
    case 'PORT': {
      const hp = hostPort(c.arg);
      return hp === null ? null : { passive: false, orig_h: flow.resp_h, resp_h: hp.host, resp_p: hp.port };
    }
    case 'EPRT': {
      // |1|132.235.1.2|6275|  or  |2|1080::8:800:200C:417A|5282|  (any delimiter).
      const d = c.arg.charAt(0);
      const parts = c.arg.split(d);
      if (parts.length !== 5 || (parts[1] !== '1' && parts[1] !== '2')) return null;
      const port = /^\d{1,5}$/.test(parts[3]!) ? Number(parts[3]) : -1;
      const host = parts[2]!.toLowerCase();
      if (port <= 0 || port > 65535 || !(parts[1] === '1' ? IPV4.test(host) : /^[0-9a-f:.]+$/.test(host) && host.includes(':'))) return null;
      return { passive: false, orig_h: flow.resp_h, resp_h: host, resp_p: port };
    }
    default:
      return null;
  }
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;

/** h1,h2,h3,h4,p1,p2 anywhere in text (PORT's argument, a 227 reply's text). */
function hostPort(text: string): { host: string; port: number } | null {
  const m = /(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/.exec(text);
  if (m === null) return null;
  const n = m.slice(1).map(Number);
  if (n.some((x) => x > 255)) return null;
  const port = n[4]! * 256 + n[5]!;
  return port === 0 ? null : { host: n.slice(0, 4).join('.'), port };
}

/**
 * Zeek's build_path_compressed: `file` under `dir` unless absolute, `seg/..` pairs taken out, repeated slashes made
 * one. A leading `.` stays (Zeek's cwd starts as `.`: `./robots.txt`).
 */
export function buildPath(dir: string, file: string): string {
  const joined = file.startsWith('/') ? file : `${dir}/${file}`;
  const parts = joined.split('/');
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const seg = parts[i]!;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..' && out[out.length - 1] !== '' && i < parts.length - 1) {
      out.pop();
      continue;
    }
    out.push(seg);
  }
  return out.join('/').replace(/\/{2,}/g, '/');
}

/** The file name of a transfer's argument (its URL's last path segment). */
export function transferFileName(arg: string): string {
  return arg.slice(arg.lastIndexOf('/') + 1);
}

/** ftp://server/path as Zeek's FTP::build_url writes a transfer's argument (IPv6 addresses in brackets). */
export function fileUrl(server: string, cwd: string, file: string): string {
  const path = buildPath(cwd, file);
  const host = server.includes(':') ? `[${server}]` : server;
  return `ftp://${host}${path.startsWith('/') ? '' : '/'}${path}`;
}

/** A data connection ended: the file its transfer's sender sent, into the transfer's row (now, or when the reply comes). */
function dataEnded(stats: AppStats, d: FtpDataState): void {
  if (d.ended) return;
  d.ended = true;
  d.control.dataOpen.delete(d);
  const flow = d.flow;
  const c = d.command ?? null;
  const fileTransfer = c !== null && FILE_TRANSFERS.has(c.command);
  // The sender: the server for RETR, the client for uploads (by address; the data connection runs either way).
  const sender = c === null ? '' : c.command === 'RETR' ? d.control_flow.resp_h : d.control_flow.orig_h;
  const side = flow.orig_h === sender && flow.resp_h !== sender ? 0 : flow.resp_h === sender && flow.orig_h !== sender ? 1 : d.hashers[0].seen >= d.hashers[1].seen ? 0 : 1;
  // The size announced: a 150 reply's, or for a download SIZE's (before an upload SIZE tells the old file's size).
  const size = c === null ? -1 : c.size >= 0 ? c.size : c.command === 'RETR' && d.control.sizeArg === c.arg ? d.control.sizeValue : -1;
  const row = c?.row ?? null;
  const refused = row !== null && !accepted(row);
  for (let i = 0; i < 2; i++) {
    const h = d.hashers[i]!;
    const whole = fileTransfer && i === side && !refused && (size < 0 || h.seen === size);
    const facts = h.finish(whole);
    facts.file?.close(whole ? facts.sha256 : '');
    if (i !== side || c === null || !fileTransfer || d.control.expired) continue;
    if (!whole) facts.md5 = facts.sha256 = '';
    if (c.row !== null) fileInto(stats, c.row, facts);
    else c.file = facts;
  }
  d.sides[0].release();
  d.sides[1].release();
}

/** A transfer's final reply accepted it, or none was seen (the capture ended first). */
const accepted = (row: FtpRecord): boolean => row.reply_code === null || (row.reply_code >= 200 && row.reply_code < 300);

/** The file a data connection carried, into its transfer's row: hashes only when the server did not refuse it. */
function fileInto(stats: AppStats, row: FtpRecord, f: BodyFacts): void {
  const ok = accepted(row);
  row.mime_type = f.mime;
  row.md5 = ok ? f.md5 : '';
  row.sha256 = ok ? f.sha256 : '';
  if (row.sha256 !== '') stats.ftp_files++;
}
