/**
 * LDAP simple binds in credentials.csv against tshark's LDAP dissector (zeek-conn/simpleauth.pcap: two simple binds
 * to a global catalog, both answered success), hand-built BER (RFC 4511 §4.2 BindRequest/BindResponse: a SASL bind, a
 * rejected one, StartTLS), and a fuzz of the real messages mutated.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLdapHook } from '../../src/app/ldap.js';
import type { RecordSink } from '../../src/app/records.js';
import { createAppStats } from '../../src/app/stats.js';
import { createPacket } from '../../src/decode/layer.js';
import { CAPTURES, SKIP_NO_SHARED } from '../shared.js';
import { Rng } from './mutate.js';
import { runApp } from './run.js';
import { flowView, fuzzSession, segmentsTo, setPayload } from './session.js';

let haveTshark = true;
try { execFileSync('tshark', ['-v'], { stdio: 'ignore' }); } catch { haveTshark = false; }

test('simple binds: DN, password and outcome as tshark dissects them (zeek-conn/simpleauth.pcap)', { skip: SKIP_NO_SHARED || (haveTshark ? false : 'tshark not installed') }, async () => {
  const rows = execFileSync('tshark', ['-r', join(CAPTURES, 'zeek-conn/simpleauth.pcap'), '-Y', 'ldap.protocolOp == 0 || ldap.protocolOp == 1', '-T', 'fields',
    '-E', 'occurrence=f', '-e', 'ldap.protocolOp', '-e', 'ldap.messageID', '-e', 'ldap.name', '-e', 'ldap.simple', '-e', 'ldap.resultCode'],
  { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  const answers = new Map(rows.filter((r) => r[0] === '1').map((r) => [r[1], r[4] === '0' ? 'accepted' : 'rejected']));
  const expected = rows.filter((r) => r[0] === '0').map((r) => [r[2], r[3], answers.get(r[1]) ?? '']);
  assert.equal(expected.length, 2);
  const run = await runApp(join(CAPTURES, 'zeek-conn/simpleauth.pcap'), { capture_passwords: true });
  assert.deepEqual(run.credentials.map((c) => [c.username, c.password, c.outcome]), expected);
  assert.ok(run.credentials.every((c) => c.protocol === 'ldap'));
  const hidden = await runApp(join(CAPTURES, 'zeek-conn/simpleauth.pcap'));
  assert.ok(hidden.credentials.every((c) => c.password === '' && c.password_hidden));
});

/** A BER element with a definite length (short or long form). */
function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}
const int = (v: number): Buffer => tlv(0x02, Buffer.from([v]));
const str = (tag: number, s: string): Buffer => tlv(tag, Buffer.from(s, 'utf8'));
const message = (id: number, op: Buffer): Buffer => tlv(0x30, Buffer.concat([int(id), op]));
const simpleBind = (id: number, dn: string, pw: string): Buffer => message(id, tlv(0x60, Buffer.concat([int(3), str(0x04, dn), str(0x80, pw)])));
const saslBind = (id: number, dn: string): Buffer => message(id, tlv(0x60, Buffer.concat([int(3), str(0x04, dn), tlv(0xa3, str(0x04, 'GSS-SPNEGO'))])));
const bindResponse = (id: number, code: number): Buffer => message(id, tlv(0x61, Buffer.concat([tlv(0x0a, Buffer.from([code])), str(0x04, ''), str(0x04, '')])));
const startTls = (id: number): Buffer => message(id, tlv(0x77, str(0x80, '1.3.6.1.4.1.1466.20037')));

/** Plays BER messages, `c`lient or `s`erver, one segment each (a client message split in two when asked). */
function play(steps: readonly (readonly ['c' | 's', Buffer])[], split = false) {
  const hook = createLdapHook(createAppStats(), { capture_passwords: true });
  const flow = flowView(50010, 389, 'Cldap');
  const p = createPacket();
  const seq = [1, 1];
  let state = null as ReturnType<typeof hook.onInit>;
  const creds: { username: string; password: string; outcome: string }[] = [];
  const out = { dns() {}, tls() {}, http() {}, ssh() {}, ftp() {}, smtp() {}, credential: (c: (typeof creds)[number]) => creds.push(c) } as unknown as RecordSink;
  steps.forEach(([side, bytes], i) => {
    const dir = side === 'c' ? 0 : 1;
    const pieces = split && side === 'c' && bytes.length > 4 ? [bytes.subarray(0, 3), bytes.subarray(3)] : [bytes];
    for (const piece of pieces) {
      setPayload(p, Buffer.from(piece), seq[dir]!, 1000 + i);
      seq[dir]! += piece.length;
      state ??= hook.onInit(p, flow, side === 'c');
      hook.onPacket(p, flow, side === 'c', state!);
    }
  });
  if (state !== null) hook.onExpire(flow, state, out);
  return creds.map((c) => [c.username, c.password, c.outcome]);
}

test('hand-built BER: a rejected simple bind, a SASL bind left out, a bind split across segments, StartTLS stops the reading', () => {
  assert.deepEqual(play([['c', simpleBind(1, 'cn=svc,dc=corp', 'wrong')], ['s', bindResponse(1, 49)], ['c', saslBind(2, '')], ['s', bindResponse(2, 0)]]), [
    ['cn=svc,dc=corp', 'wrong', 'rejected'],
  ]);
  const long = 'x'.repeat(300); // a long-form length (0x82 …)
  assert.deepEqual(play([['c', simpleBind(7, `cn=${long}`, 'pw')], ['s', bindResponse(7, 0)]], true), [[`cn=${long}`, 'pw', 'accepted']]);
  assert.deepEqual(play([['c', startTls(1)], ['s', bindResponse(1, 0)], ['c', simpleBind(2, 'cn=admin', 'secret')]]), []);
});

const FUZZ_CASES = Math.max(20_000, Math.floor(Number(process.env['NAD_FUZZ_CASES'] ?? 0) / 5));

test(`fuzz: ${FUZZ_CASES} mutated real LDAP sessions never throw or loop`, { skip: SKIP_NO_SHARED, timeout: 300_000 }, async (t) => {
  const segs = await segmentsTo(join(CAPTURES, 'zeek-conn/simpleauth.pcap'), 3268);
  assert.ok(segs.length >= 4, 'LDAP segments missing');
  const stats = createAppStats();
  const hook = createLdapHook(stats, { capture_passwords: true });
  const rng = new Rng(0x6c646170);
  const p = createPacket();
  let exceptions = 0, creds = 0;
  let first: unknown = null;
  const out = { dns() {}, tls() {}, http() {}, ssh() {}, ftp() {}, smtp() {}, credential: () => { creds++; } } satisfies RecordSink;
  for (let n = 0; n < FUZZ_CASES; n++) {
    try {
      fuzzSession(hook, flowView(40000 + (n & 1023), 3268, 'Cfz'), segs, rng, p, out);
    } catch (err) {
      exceptions++;
      first ??= err;
    }
  }
  t.diagnostic(`credentials ${creds}, ldap_malformed ${stats.ldap_malformed}`);
  assert.equal(exceptions, 0, `uncaught exceptions: ${exceptions}; first: ${String((first as Error | null)?.stack ?? first)}`);
  assert.ok(creds > 0 && stats.ldap_malformed > 0);
});
