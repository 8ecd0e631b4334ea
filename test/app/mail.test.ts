/**
 * Mail in the clear (smtp.csv, SMTP/POP3/IMAP logins in credentials.csv) against independent sources: Zeek's published
 * smtp.log for app/smtp.pcap (zeek/zeek testing/btest/Baseline/scripts.base.protocols.smtp.basic @21872aef39), tshark's
 * SMTP AUTH and POP3 dissection, RFC 4616's PLAIN and RFC 9051's LOGIN forms; hand-built sessions for what the traces
 * lack; a fuzz of mutated real SMTP and POP3 streams.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { createMailHook } from '../../src/app/mail.js';
import type { RecordSink, SmtpRecord } from '../../src/app/records.js';
import { createAppStats } from '../../src/app/stats.js';
import { createPacket } from '../../src/decode/layer.js';
import { CAPTURES, SKIP_NO_SHARED } from '../shared.js';
import { Rng } from './mutate.js';
import { runApp } from './run.js';
import { flowView, fuzzSession, playLines, segmentsTo, type Segment } from './session.js';

/** Zeek smtp.log: ts, orig_h, orig_p, resp_h, resp_p, trans_depth, helo, mailfrom, rcptto (a set), date, from, to (a set),
 *  cc (a set), reply_to, msg_id, in_reply_to, subject, x_originating_ip, first_received, second_received, last_reply,
 *  user_agent, tls (path and fuids left out). */
const ZEEK_SMTP: string[][] = [
  ['1254722768.219663', '10.10.1.4', '1470', '74.53.140.153', '25', '1', 'GP', 'gurpartap@patriots.in', 'raj_deol2002in@yahoo.co.in', 'Mon, 5 Oct 2009 11:36:07 +0530', '"Gurpartap Singh" <gurpartap@patriots.in>', '<raj_deol2002in@yahoo.co.in>', '-', '-', '<000301ca4581$ef9e57f0$cedb07d0$@in>', '-', 'SMTP', '-', '-', '-', '250 OK id=1Mugho-0003Dg-Un', 'Microsoft Office Outlook 12.0', 'F'],
  ['1437831787.867142', '192.168.133.100', '49648', '192.168.133.102', '25', '1', '[192.168.133.100]', 'albert@example.com', 'davis_mark1@outlook.com,ericlim220@yahoo.com,felica4uu@hotmail.com', 'Sat, 25 Jul 2015 16:43:07 +0300', 'Albert Zaharovits <albert@example.com>', 'ericlim220@yahoo.com', 'davis_mark1@outlook.com,felica4uu@hotmail.com', '-', '<A6202DF2-8E58-4E41-BE0B-C8D3989A4AEE@example.com>', '<9ACEE03C-AB98-4046-AEC1-BF4910C61E96@example.com>', 'Re: Bro SMTP CC Header', '-', '-', '-', '250 Ok', 'Apple Mail (2.2102)', 'F'],
];

const z = (v: string): string => (v === '' ? '-' : v);
const set = (v: readonly string[]): string => (v.length === 0 ? '-' : [...v].sort().join(','));

function zeekRow(r: SmtpRecord): string[] {
  return [
    r.ts.slice(0, r.ts.indexOf('.') + 7), r.orig_h, String(r.orig_p), r.resp_h, String(r.resp_p), String(r.trans_depth), r.helo, r.mailfrom,
    set(r.rcptto), z(r.date), z(r.from), set(r.to), set(r.cc), z(r.reply_to), z(r.msg_id), z(r.in_reply_to), z(r.subject),
    z(r.x_originating_ip), z(r.first_received), z(r.second_received), z(r.last_reply), z(r.user_agent), r.tls ? 'T' : 'F',
  ];
}

function tshark(rel: string, filter: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', join(CAPTURES, rel), '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

let haveTshark = true;
try { execFileSync('tshark', ['-v'], { stdio: 'ignore' }); } catch { haveTshark = false; }
const SKIP_TSHARK = SKIP_NO_SHARED || (haveTshark ? false : 'tshark not installed');

test("smtp.csv equals Zeek's smtp.log for app/smtp.pcap; the attachment's file name is the one tshark's MIME dissector shows", { skip: SKIP_NO_SHARED }, async () => {
  const run = await runApp(join(CAPTURES, 'app/smtp.pcap'));
  assert.deepEqual(run.smtp.map(zeekRow), ZEEK_SMTP);
  // tshark -V shows `Content-Disposition: attachment;\r\n\tfilename="NEWS.txt"` in the first message's MIME parts.
  assert.deepEqual(run.smtp.map((r) => r.attachments), [['NEWS.txt'], []]);
});

test('SMTP AUTH LOGIN and POP3 AUTH PLAIN: user, password and outcome as tshark dissects them', { skip: SKIP_TSHARK }, async () => {
  // SMTP: tshark's smtp.auth.username / smtp.auth.password are the base64 lines; the answer is a 235.
  const auth = tshark('app/smtp.pcap', 'smtp.auth.username or smtp.auth.password', ['smtp.auth.username', 'smtp.auth.password']);
  const user = Buffer.from(auth.find((r) => r[0] !== '')![0]!, 'base64').toString('latin1');
  const password = Buffer.from(auth.find((r) => r[1] !== '')![1]!, 'base64').toString('latin1');
  assert.ok(tshark('app/smtp.pcap', 'smtp.response.code == 235', ['frame.number']).length === 1);
  const smtp = await runApp(join(CAPTURES, 'app/smtp.pcap'), { capture_passwords: true });
  assert.deepEqual(smtp.credentials.map((c) => [c.protocol, c.username, c.password, c.outcome]), [['smtp', user, password, 'accepted']]);
  const hidden = await runApp(join(CAPTURES, 'app/smtp.pcap'));
  assert.deepEqual(hidden.credentials.map((c) => [c.username, c.password, c.password_hidden]), [[user, '', true]]);

  // POP3: AUTH PLAIN then the base64 line (RFC 5034), answered +OK or -ERR; one login a connection here.
  const rows = tshark('zeek-conn/pop3.pcap', 'pop', ['tcp.stream', 'pop.request.command', 'pop.request.parameter', 'pop.response.indicator']);
  const expected: [string, string, string][] = [];
  const streams = [...new Set(rows.map((r) => r[0]!))];
  for (const st of streams) {
    const mine = rows.filter((r) => r[0] === st);
    // tshark takes the base64 line after `AUTH PLAIN` for a command of its own.
    const i = mine.findIndex((r) => /^[A-Za-z0-9+/]{12,}=*$/.test(r[1] ?? ''));
    if (i < 0) continue;
    const [, authcid, passwd] = Buffer.from(mine[i]![1]!, 'base64').toString('latin1').split('\0');
    const answer = mine.slice(i + 1).find((r) => r[3] === '+OK' || r[3] === '-ERR')?.[3];
    expected.push([authcid!, passwd!, answer === '+OK' ? 'accepted' : 'rejected']);
  }
  assert.ok(expected.length >= 2 && expected.some((e) => e[2] === 'rejected') && expected.some((e) => e[2] === 'accepted'), 'the trace has a failed and a good login');
  const pop = await runApp(join(CAPTURES, 'zeek-conn/pop3.pcap'), { capture_passwords: true });
  assert.deepEqual(pop.credentials.map((c) => [c.username, c.password, c.outcome]), expected);
  assert.ok(pop.credentials.every((c) => c.protocol === 'pop3'));
});

const SMTP = 25, POP3 = 110, IMAP = 143;
const hook = (capture = false) => createMailHook(createAppStats(), { capture_passwords: capture });

test('IMAP LOGIN with quoted strings and AUTHENTICATE PLAIN (RFC 9051, RFC 4616); a NO is rejected', () => {
  const { creds } = playLines(hook(true), flowView(50000, IMAP, 'Cimap'), [
    '< * OK IMAP4rev2 ready', '> a1 LOGIN "alice@example.com" "pa ss\\"word"', '< a1 NO [AUTHENTICATIONFAILED] Invalid credentials',
    '> a2 AUTHENTICATE PLAIN', '< +', `> ${Buffer.from('\0alice@example.com\0tanstaaftanstaaf').toString('base64')}`, '< a2 OK Success',
  ]);
  assert.deepEqual(creds.map((c) => [c.protocol, c.username, c.password, c.outcome]), [
    ['imap', 'alice@example.com', 'pa ss"word', 'rejected'], ['imap', 'alice@example.com', 'tanstaaftanstaaf', 'accepted'],
  ]);
});

test('POP3 USER/PASS: the password hidden by default; SMTP AUTH PLAIN with an initial response, rejected with 535', () => {
  const pop = playLines(hook(), flowView(50001, POP3, 'Cpop'), ['< +OK POP3 ready', '> USER bob', '< +OK', '> PASS hunter2', '< +OK maildrop locked']);
  assert.deepEqual(pop.creds.map((c) => [c.username, c.password, c.password_hidden, c.outcome]), [['bob', '', true, 'accepted']]);
  const smtp = playLines(hook(true), flowView(50002, SMTP, 'Csmtp'), [
    '< 220 mx.example ESMTP', '> EHLO pc', '< 250-mx.example', '< 250 AUTH PLAIN LOGIN', `> AUTH PLAIN ${Buffer.from('\0carol\0wrong').toString('base64')}`,
    '< 535 5.7.8 Authentication credentials invalid', '> QUIT', '< 221 Bye',
  ]);
  assert.deepEqual(smtp.creds.map((c) => [c.protocol, c.username, c.password, c.outcome]), [['smtp', 'carol', 'wrong', 'rejected']]);
});

test('an SMTP message: dot-stuffing, folded headers, two attachments, pipelined recipients; STARTTLS ends the reading', () => {
  const { smtp } = playLines(hook(), flowView(50003, SMTP, 'Cmsg'), [
    '< 220 mx.example ESMTP', '> EHLO desk-7', '< 250 mx.example', '> MAIL FROM:<x@corp.example> SIZE=900', '> RCPT TO:<a@drop.example>',
    '> RCPT TO:<b@drop.example>', '> DATA', '< 250 ok', '< 250 ok', '< 250 ok', '< 354 go ahead',
    '> From: X <x@corp.example>', '> Subject: logs', '>  from desk-7', '> MIME-Version: 1.0', '> Content-Type: multipart/mixed; boundary="b"', '> ',
    '> --b', '> Content-Type: text/html;', '> \tname="PW_desk-7.html"', '> ', '> ..hidden line', '> --b',
    '> Content-Disposition: attachment; filename=cookies.txt', '> ', '> data', '> --b--', '> .', '< 250 2.0.0 queued as 1234',
    '> STARTTLS', '< 220 2.0.0 Ready to start TLS', '> MAIL FROM:<never@seen.example>',
  ]);
  assert.equal(smtp.length, 1);
  const r = smtp[0]!;
  assert.deepEqual([r.helo, r.mailfrom, r.rcptto, r.subject, r.last_reply, r.attachments], [
    'desk-7', 'x@corp.example', ['a@drop.example', 'b@drop.example'], 'logs from desk-7', '250 2.0.0 queued as 1234', ['PW_desk-7.html', 'cookies.txt'],
  ]);
});

// ---- Fuzz ----

const FUZZ_CASES = Math.max(20_000, Math.floor(Number(process.env['NAD_FUZZ_CASES'] ?? 0) / 5));

test(`fuzz: ${FUZZ_CASES} mutated real SMTP and POP3 sessions never throw or loop`, { skip: SKIP_NO_SHARED, timeout: 300_000 }, async (t) => {
  const sessions: { port: number; segs: Segment[] }[] = [];
  for (const [rel, port] of [['app/smtp.pcap', SMTP], ['zeek-conn/pop3.pcap', POP3]] as const) {
    const segs = await segmentsTo(join(CAPTURES, rel), port);
    assert.ok(segs.length > 10, `${rel}: segments missing`);
    sessions.push({ port, segs });
  }
  const stats = createAppStats();
  const h = createMailHook(stats, { capture_passwords: true });
  const rng = new Rng(0x6d61696c);
  const p = createPacket();
  let exceptions = 0, rows = 0, creds = 0;
  let first: unknown = null;
  const out = { dns() {}, tls() {}, http() {}, ssh() {}, ftp() {}, smtp: () => { rows++; }, credential: () => { creds++; } } satisfies RecordSink;
  for (let n = 0; n < FUZZ_CASES; n++) {
    const { port, segs } = sessions[n & 1]!;
    try {
      fuzzSession(h, flowView(40000 + (n & 1023), port, 'Cfz'), segs, rng, p, out);
    } catch (err) {
      exceptions++;
      first ??= err;
    }
  }
  t.diagnostic(`smtp rows ${rows}, credentials ${creds}, mail_malformed ${stats.mail_malformed}, records_dropped ${stats.records_dropped}`);
  assert.equal(exceptions, 0, `uncaught exceptions: ${exceptions}; first: ${String((first as Error | null)?.stack ?? first)}`);
  assert.ok(rows > 0 && creds > 0, 'the mutated sessions still gave records');
});
