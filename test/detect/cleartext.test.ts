// What cleartext protocols gave away, on hand-built ftp.csv / credentials.csv rows and their flows: uploads to a public
// FTP server (medium), logins in the clear (low), password guessing past Zeek's FTP::bruteforce_threshold of 20
// (medium), FTP guests and downloads (nothing). Scores as src/detect/cleartext.ts documents them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CredentialRecord, FlowApp, FtpRecord, SmtpRecord } from '../../src/app/records.js';
import { createCleartextDetector } from '../../src/detect/cleartext.js';
import { createContext } from '../../src/detect/detector.js';
import { NameIndex } from '../../src/features/names.js';
import type { ConnRecord } from '../../src/flow/conn.js';
import { severityOf } from '../../src/findings/severity.js';
import { conn, http, NO_APP } from './synth.js';

const T0 = 1_700_000_000;

function ftpRow(ctl: ConnRecord, command: string, arg: string, reply: number | null, data: ConnRecord | null, user = 'bob'): FtpRecord {
  return {
    ts: ctl.ts, uid: ctl.uid, community_id: ctl.community_id, orig_h: ctl.orig_h, orig_p: ctl.orig_p, resp_h: ctl.resp_h, resp_p: ctl.resp_p,
    user, password: '', command, arg, file_size: null, reply_code: reply, reply_msg: '', data_channel_passive: null,
    data_channel_orig_h: '', data_channel_resp_h: '', data_channel_resp_p: null, data_uid: data?.uid ?? '', mime_type: '', md5: '', sha256: '',
  };
}

function cred(c: ConnRecord, username: string, outcome: CredentialRecord['outcome'], protocol: CredentialRecord['protocol'] = 'ftp'): CredentialRecord {
  return {
    ts: c.ts, uid: c.uid, community_id: c.community_id, orig_h: c.orig_h, orig_p: c.orig_p, resp_h: c.resp_h, resp_p: c.resp_p,
    protocol, host: '', username, password: '', password_hidden: true, outcome,
  };
}

/** The detector's hits, with the severity each would have on its own (merging adds other detectors' scores). */
function run(conns: ConnRecord[], ftp: FtpRecord[], credentials: CredentialRecord[], app = new Map<string, FlowApp>()) {
  const names = new NameIndex();
  names.seal();
  const d = createCleartextDetector();
  for (const c of conns) d.observe(c, app.get(c.uid) ?? NO_APP);
  return d.finish(createContext({ conns, names, ftp, credentials })).map((h) => ({
    ...h, severity: severityOf(h.score), uids: h.conns.map((c) => c.uid), explanation: h.reason, kinds: [h.kind],
  }));
}

test('an FTP upload to a public server is medium, with the files, their bytes and the data connection as evidence', () => {
  const ctl = conn({ ts: T0, resp_h: '198.51.100.7', resp_p: 21, service: 'ftp', duration: 30 });
  const data = conn({ ts: T0 + 5, resp_h: '198.51.100.7', resp_p: 50000, service: 'ftp-data', orig_bytes: 3_000_000, resp_bytes: 0 });
  const f = run([ctl, data], [ftpRow(ctl, 'PASV', '', 227, null), ftpRow(ctl, 'STOR', 'ftp://198.51.100.7/./PW_bob-PC.html', 226, data)], [cred(ctl, 'bob', 'accepted')]);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'medium');
  assert.deepEqual([f[0]!.src, f[0]!.dst, f[0]!.dst_port], ['10.0.0.5', '198.51.100.7', 21]);
  assert.deepEqual(new Set(f[0]!.uids), new Set([ctl.uid, data.uid]));
  const ev = Object.fromEntries(f[0]!.evidence.map((e) => [e.name, e.value]));
  assert.deepEqual([ev['files_uploaded'], ev['upload_bytes'], ev['file_names'], ev['accepted_users']], [1, 3_000_000, 'PW_bob-PC.html', 'bob']);
  assert.match(f[0]!.explanation, /uploaded 1 file \(2\.9 MiB\) to 198\.51\.100\.7 over FTP \(PW_bob-PC\.html\)/);
});

test('a login in the clear to a public server is low; guests, downloads and rejected uploads are no finding', () => {
  const web = conn({ ts: T0, resp_h: '198.51.100.8', resp_p: 80, service: 'http' });
  const app = new Map<string, FlowApp>([[web.uid, { ...NO_APP, http: [http(web, { host: 'intranet.example' })] }]]);
  const login = run([web], [], [cred(web, 'admin', 'accepted', 'http-basic')], app);
  assert.equal(login.length, 1);
  assert.equal(login[0]!.severity, 'low');
  assert.match(login[0]!.explanation, /logged in to 198\.51\.100\.8 as admin over HTTP Basic authentication/);
  const ctl = conn({ ts: T0, resp_h: '198.51.100.9', resp_p: 21, service: 'ftp' });
  const data = conn({ ts: T0 + 1, resp_h: '198.51.100.9', resp_p: 50001, service: 'ftp-data', orig_bytes: 0, resp_bytes: 77 });
  assert.deepEqual(run([ctl, data], [ftpRow(ctl, 'RETR', 'ftp://198.51.100.9/./robots.txt', 226, data, 'anonymous'), ftpRow(ctl, 'STOR', 'ftp://198.51.100.9/./x', 553, null, 'anonymous')], [cred(ctl, 'anonymous', 'accepted')]), []);
});

test("password guessing: 20 rejected logins are medium (Zeek's FTP::bruteforce_threshold), 19 are not", () => {
  const attempts = (n: number) => Array.from({ length: n }, (_, i) => conn({ ts: T0 + i, resp_h: '10.0.0.21', resp_p: 21, service: 'ftp' }));
  const twenty = attempts(20);
  const f = run(twenty, [], twenty.map((c, i) => cred(c, `user${i % 3}`, 'rejected')));
  assert.equal(f.length, 1);
  assert.ok(f[0]!.kinds.includes('bruteforce'));
  assert.equal(f[0]!.severity, 'medium');
  assert.match(f[0]!.explanation, /had 20 logins rejected by 10\.0\.0\.21:21 \(ftp\) for 3 user names: password guessing/);
  const nineteen = attempts(19);
  assert.deepEqual(run(nineteen, [], nineteen.map((c) => cred(c, 'root', 'rejected'))), []);
});

test('mail with attachments sent in the clear to a public server is low and names them; to an internal relay, or encrypted, it is nothing', () => {
  const mk = (c: ConnRecord, attachments: string[], tls = false): SmtpRecord => ({
    ts: c.ts, uid: c.uid, community_id: c.community_id, orig_h: c.orig_h, orig_p: c.orig_p, resp_h: c.resp_h, resp_p: c.resp_p, trans_depth: 1,
    helo: 'pc', mailfrom: 'x@corp.example', rcptto: ['drop@mail.example'], date: '', from: '', to: [], cc: [], reply_to: '', msg_id: '',
    in_reply_to: '', subject: 'logs', x_originating_ip: '', first_received: '', second_received: '', last_reply: '250 ok', user_agent: '',
    tls, attachments, body_bytes: 4000,
    attachment_mime_types: attachments.map(() => ''), attachment_bytes: attachments.map(() => 100), attachment_md5: attachments.map(() => ''), attachment_sha256: attachments.map(() => ''),
  });
  const out = conn({ ts: T0, resp_h: '198.51.100.25', resp_p: 587, service: 'smtp' });
  const relay = conn({ ts: T0, resp_h: '10.0.0.25', resp_p: 25, service: 'smtp' });
  const names = new NameIndex();
  names.seal();
  const d = createCleartextDetector();
  for (const c of [out, relay]) d.observe(c, NO_APP);
  const hits = d.finish(createContext({ conns: [out, relay], names, smtp: [mk(out, ['PW_pc.html']), mk(out, ['cookies.txt']), mk(relay, ['report.pdf']), mk(out, ['x.zip'], true)] }));
  assert.equal(hits.length, 1);
  assert.deepEqual([hits[0]!.dst, severityOf(hits[0]!.score)], ['198.51.100.25', 'low']);
  assert.match(hits[0]!.reason, /sent 2 messages with attachments \(PW_pc\.html, cookies\.txt\) through 198\.51\.100\.25/);
  // An archive among them, by its content: medium, its SHA-256 in the evidence.
  const zip = { ...mk(out, ['loot.zip']), attachment_mime_types: ['application/zip'], attachment_sha256: ['5a'.repeat(32)] };
  const d2 = createCleartextDetector();
  d2.observe(out, NO_APP);
  const [z] = d2.finish(createContext({ conns: [out], names, smtp: [zip] }));
  assert.deepEqual([z!.score, severityOf(z!.score)], [0.55, 'medium']);
  assert.equal(z!.evidence.find((e) => e.name === 'sha256')?.value, '5a'.repeat(32));
});
