/**
 * Mail attachments (smtp.csv attachment columns, files/ with --extract-files) against independent sources: Python's
 * email package decoding the message that tshark reassembles from app/smtp.pcap, and a message Python's smtplib and
 * email.message build and send (base64, quoted-printable, RFC 2231 names, an unnamed part, a forwarded message with its
 * own attachment, dot-stuffed lines), recorded as a capture; the examples of RFC 2231 and RFC 2047 §8.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeWords, parseValue } from '../../src/app/mime.js';
import { nad } from '../cli/run.js';
import { CAPTURES, readCsv, SKIP_NO_SHARED } from '../shared.js';
import { toPcap, type Segment } from './session.js';

const HAVE_TSHARK = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;
const HAVE_PYTHON = spawnSync('python3', ['-c', 'import email, smtplib'], { encoding: 'utf8' }).status === 0;

/** Python's email package on a message (bytes as sent, after dot-unstuffing): every leaf part, decoded. */
const ORACLE = `
import email, email.policy, hashlib, json, sys
m = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
out = []
for p in m.walk():
    if p.is_multipart() or p.get_content_type() == 'message/rfc822':
        continue
    d = p.get_payload(decode=True) or b''
    out.append({'type': p.get_content_type(), 'disposition': p.get_content_disposition() or '', 'name': p.get_filename() or '',
                'bytes': len(d), 'md5': hashlib.md5(d).hexdigest(), 'sha256': hashlib.sha256(d).hexdigest()})
print(json.dumps(out))
`;

interface Part { type: string; disposition: string; name: string; bytes: number; md5: string; sha256: string }

function pythonParts(message: Buffer, dir: string): Part[] {
  const f = join(dir, 'message.eml');
  writeFileSync(f, message);
  const r = spawnSync('python3', ['-c', ORACLE, f], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Part[];
}

/** The parts mime.ts counts as attachments, chosen from Python's parse by the rule README states. */
const attachmentsOf = (parts: readonly Part[]): Part[] => parts.filter((p) => p.disposition === 'attachment' || p.name !== '' || !p.type.startsWith('text/'));

/** The DATA of an SMTP client stream: the message between `354` and the lone dot, dot-unstuffed (RFC 5321 §4.5.2). */
function messageOf(client: Buffer): Buffer {
  const text = client.toString('latin1');
  const start = text.indexOf('\r\n', text.search(/^DATA\r\n/m)) + 2;
  const end = text.indexOf('\r\n.\r\n', start);
  return Buffer.from(text.slice(start, end + 2).replace(/^\.\./gm, '.'), 'latin1');
}

interface SmtpRow { attachments: string; attachment_mime_types: string; attachment_bytes: string; attachment_md5: string; attachment_sha256: string }

function checkRun(out: string, expected: readonly Part[], t: { diagnostic(s: string): void }): void {
  const rows = readCsv(join(out, 'smtp.csv')) as unknown as SmtpRow[];
  const row = rows.find((r) => r.attachment_sha256 !== '');
  assert.ok(row !== undefined, 'a message with attachments');
  const list = (v: string): string[] => (v === '' ? [] : v.split('|'));
  assert.deepEqual(list(row.attachment_sha256), expected.map((p) => p.sha256), 'SHA-256 of each attachment, in order');
  assert.deepEqual(list(row.attachment_md5), expected.map((p) => p.md5));
  assert.deepEqual(list(row.attachment_bytes).map(Number), expected.map((p) => p.bytes));
  assert.equal(row.attachments, expected.map((p) => p.name).join('|'), 'file names, decoded');
  const files = readdirSync(join(out, 'files'));
  assert.deepEqual(files.sort(), [...new Set(expected.map((p) => p.sha256))].sort(), 'files/ holds each attachment once, by its hash');
  for (const f of files) assert.equal(createHash('sha256').update(readFileSync(join(out, 'files', f))).digest('hex'), f);
  t.diagnostic(`${expected.length} attachments: ${expected.map((p) => `${p.name || '(unnamed)'} ${p.type} ${p.bytes} B`).join(', ')}`);
}

test('RFC 2231 parameter values (§3 continuations, §4 charset and language, §4.1 both) and RFC 2047 §8 encoded words', () => {
  assert.equal(parseValue(`message/external-body; access-type=URL;\n URL*0="ftp://";\n URL*1="cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"`).params.get('url'),
    'ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar');
  const p = parseValue(`application/x-stuff;\n title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A`);
  assert.equal(p.value, 'application/x-stuff');
  assert.equal(p.params.get('title'), 'This is ***fun***');
  assert.equal(parseValue(`application/x-stuff;\n title*0*=us-ascii'en'This%20is%20even%20more%20;\n title*1*=%2A%2A%2Afun%2A%2A%2A%20;\n title*2="isn't it!"`).params.get('title'),
    "This is even more ***fun*** isn't it!");
  // RFC 2047 §8: the encoded text and the display text of each example.
  const cases: [string, string][] = [
    ['=?ISO-8859-1?Q?a?=', 'a'],
    ['=?ISO-8859-1?Q?a?= b', 'a b'],
    ['=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=', 'ab'],
    ['=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=', 'ab'],
    ['=?ISO-8859-1?Q?a?=\n  =?ISO-8859-1?Q?b?=', 'ab'],
    ['=?ISO-8859-1?Q?a_b?=', 'a b'],
    ['=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=', 'a b'],
    ['=?US-ASCII?Q?Keith_Moore?=', 'Keith Moore'],
    ['=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=', 'Keld Jørn Simonsen'],
    ['=?ISO-8859-1?Q?Andr=E9?= Pirard', 'André Pirard'],
    ['=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=', 'If you can read this you understand the example.'],
  ];
  for (const [enc, text] of cases) assert.equal(decodeWords(enc), text, enc);
});

test('app/smtp.pcap: the attachment\'s size, MD5 and SHA-256 equal Python\'s email decoding of the message tshark reassembles; --extract-files writes it', {
  skip: SKIP_NO_SHARED || (!HAVE_TSHARK ? 'tshark not installed: skipped' : !HAVE_PYTHON ? 'python3 not installed: skipped' : false),
}, (t) => {
  const pcap = join(CAPTURES, 'app', 'smtp.pcap');
  const dir = mkdtempSync(join(tmpdir(), 'nad-mime-'));
  try {
    // tshark's own reassembly of the first connection, both directions in order (raw hex, the server's indented).
    const follow = spawnSync('tshark', ['-r', pcap, '-q', '-z', 'follow,tcp,raw,0'], { encoding: 'utf8' }).stdout;
    const client = Buffer.from(follow.split('\n').filter((l) => /^[0-9a-f]+$/.test(l)).join(''), 'hex');
    const expected = attachmentsOf(pythonParts(messageOf(client), dir));
    assert.equal(expected.length, 1, 'Python sees one attachment (NEWS.txt, quoted-printable)');
    const out = join(dir, 'out');
    const r = nad(['analyze', pcap, '--extract-files', '--out', out, '--no-geo', '--no-report', '--no-detect']);
    assert.equal(r.status, 0, r.stderr);
    checkRun(out, expected, t);
    // With detection the records stay in memory, and the terminal counts the attachments.
    const full = nad(['analyze', pcap, '--out', join(dir, 'full'), '--no-geo', '--no-report']);
    assert.equal(full.status, 0, full.stderr);
    assert.match(full.stdout, /^Cleartext: 2 mails \(1 attachment\); /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A message Python's email package builds and smtplib sends: what an infostealer or a user's client would send. */
const CLIENT = `
import email.message, random, smtplib, sys
rng = random.Random(7)
m = email.message.EmailMessage()
m['From'] = 'Desk 7 <x@corp.example>'
m['To'] = 'drop@mail.example'
m['Subject'] = 'logs'
m.set_content('see attached\\n')
m.add_attachment(rng.randbytes(70001), maintype='application', subtype='octet-stream', filename='dump.bin')
m.add_attachment('naïve résumé, ünïcode – ' * 40 + '\\n.a line with a dot\\n', subtype='plain', filename='résumé notes.txt', cte='quoted-printable')
m.add_attachment('.dot\\n..two dots\\nplain\\n', subtype='plain', filename='dots.txt', cte='7bit')
m.add_attachment(b'%PDF-1.4\\n' + rng.randbytes(3000), maintype='application', subtype='pdf')
inner = email.message.EmailMessage()
inner['Subject'] = 'fwd'
inner.set_content('inner text\\n')
inner.add_attachment(b'MZ\\x90\\x00' + rng.randbytes(5000), maintype='application', subtype='x-msdownload', filename='setup.exe')
m.add_attachment(inner)
with smtplib.SMTP('127.0.0.1', int(sys.argv[1])) as s:
    s.send_message(m)
`;

test('a message from Python\'s smtplib (base64, quoted-printable, 7bit with dot-stuffing, RFC 2231 name, unnamed PDF, forwarded message with an .exe): every attachment decodes to Python\'s bytes', {
  skip: !HAVE_PYTHON ? 'python3 not installed: skipped' : false, timeout: 60_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-mime-'));
  const log: Segment[] = [];
  let data = Buffer.alloc(0);
  const server = net.createServer((c) => {
    let buf = '';
    let inData = false;
    const say = (line: string): void => {
      const b = Buffer.from(`${line}\r\n`, 'latin1');
      log.push({ client: false, data: b });
      c.write(b);
    };
    say('220 mx.example ESMTP');
    c.on('data', (d: Buffer) => {
      log.push({ client: true, data: Buffer.from(d) });
      buf += d.toString('latin1');
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') { inData = false; say('250 2.0.0 queued as 1234'); } else data = Buffer.concat([data, Buffer.from(`${line}\r\n`, 'latin1')]);
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') { say('250-mx.example'); say('250 8BITMIME'); } else if (verb === 'DATA') { inData = true; say('354 go ahead'); } else if (verb === 'QUIT') { say('221 bye'); c.end(); } else say('250 ok');
      }
    });
    c.on('error', () => undefined);
  });
  try {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const client = spawn('python3', ['-c', CLIENT, String(port)]);
    let err = '';
    client.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => client.on('close', r));
    assert.equal(code, 0, err);
    // What Python itself makes of the message the server received (dot-unstuffed, as the server reads it).
    const received = Buffer.from(data.toString('latin1').replace(/^\.\./gm, '.'), 'latin1');
    const expected = attachmentsOf(pythonParts(received, dir));
    assert.deepEqual(expected.map((p) => p.name), ['dump.bin', 'résumé notes.txt', 'dots.txt', '', 'setup.exe']);
    const pcap = join(dir, 'smtp.pcap');
    writeFileSync(pcap, toPcap(log, 50025, 25));
    const out = join(dir, 'out');
    const r = nad(['analyze', pcap, '--extract-files', '--out', out, '--no-geo', '--no-report', '--no-detect']);
    assert.equal(r.status, 0, r.stderr);
    checkRun(out, expected, t);
    const row = (readCsv(join(out, 'smtp.csv')) as unknown as SmtpRow[])[0]!;
    // Typed by content: the PDF and the program (the test wrote their signatures); the rest has none nad lists.
    assert.equal(row.attachment_mime_types, '|||application/pdf|application/x-dosexec');
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
