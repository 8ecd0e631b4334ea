/**
 * DNS: query-name sets against tshark 4.0.17 (`dns.qry.name`, oracle key dns_query_names) for every capture that
 * has them, and the bounded decoder on hand-built messages whose expected values follow from RFC 1035 §4.1.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDnsMessage } from '../../src/app/dns/message.js';
import { CAPTURES, HAVE_SHARED, oracle, SKIP_NO_SHARED } from '../shared.js';
import { runApp, set } from './run.js';

const FOLDERS = ['app', 'tls', 'linktypes', 'encap', 'format', 'community-id'] as const;

/** Where tshark's name comes from something nad deliberately does not parse as DNS traffic. */
const NOT_COMPARABLE: Readonly<Record<string, string>> = {
  'encap/icmp-destunreach-udp.pcap': 'the only DNS header is quoted inside an ICMP error; nad does not parse quoted packets',
};

function withNames(): { rel: string; names: string[] }[] {
  if (!HAVE_SHARED) return [];
  const out: { rel: string; names: string[] }[] = [];
  for (const folder of FOLDERS) {
    const dir = join(CAPTURES, 'oracles', folder);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      const rel = `${folder}/${f.replace(/\.json$/, '')}`;
      const names = oracle(rel)?.['dns_query_names'];
      if (Array.isArray(names) && names.length > 0) out.push({ rel, names: names.filter((n): n is string => typeof n === 'string') });
    }
  }
  return out;
}

test('DNS query names equal tshark for every capture that has them', { skip: SKIP_NO_SHARED }, async (t) => {
  const cases = withNames();
  assert.ok(cases.length >= 40, `found ${cases.length} captures with DNS`);
  for (const { rel, names } of cases) {
    await t.test(rel, async (st) => {
      const why = NOT_COMPARABLE[rel];
      if (why !== undefined) return st.skip(why);
      const run = await runApp(join(CAPTURES, rel));
      const got = set(run.dns.map((r) => r.query));
      if (run.undecoded_link > 0 && got.length === 0) return st.skip(`link type not decoded by src/decode (${run.undecoded_link} packets)`);
      assert.deepEqual(got, set(names));
      assert.equal(run.stats.dns_malformed, 0);
    });
  }
});

test('DNS over TCP: length-prefixed query and response paired, answers and RTT', { skip: SKIP_NO_SHARED }, async () => {
  // tshark -r app/dns_tcp.pcap:
  //   4 0.127034 192.168.1.11 → 209.87.249.18 DNS 112 Standard query 0x4319 A www.tcpdump.org OPT
  //   6 0.252891 209.87.249.18 → 192.168.1.11 DNS 280 Standard query response 0x4319 A www.tcpdump.org A 192.139.46.66
  //     A 198.199.88.104 NS nic.sandelman.ca NS sns.cooperix.net A 209.87.249.18 AAAA 2607:f0b0:f::babe:f00d …
  const run = await runApp(join(CAPTURES, 'app/dns_tcp.pcap'));
  assert.equal(run.dns.length, 1);
  const r = run.dns[0]!;
  assert.equal(r.proto, 'tcp');
  assert.equal(r.trans_id, 0x4319);
  assert.equal(r.query, 'www.tcpdump.org');
  assert.equal(r.qtype_name, 'A');
  assert.equal(r.rcode_name, 'NOERROR');
  assert.deepEqual(r.answers, ['192.139.46.66', '198.199.88.104']); // answer section only; NS and glue are authority/additional
  assert.ok(r.rtt !== null && Math.abs(r.rtt - (0.252891 - 0.127034)) < 1e-6);
});

test('many queries on one UDP flow are each paired by transaction id', { skip: SKIP_NO_SHARED }, async () => {
  // tshark: app/dns-long-connection.pcap holds 11 queries from port 32795, all answered; www.example.notginh is NXDOMAIN.
  const run = await runApp(join(CAPTURES, 'app/dns-long-connection.pcap'));
  assert.equal(run.dns.length, 11);
  for (const r of run.dns) assert.ok(r.rcode !== null && r.rtt !== null && r.rtt >= 0, r.query);
  assert.equal(run.dns.find((r) => r.query === 'www.example.notginh')?.rcode_name, 'NXDOMAIN');
});

/** Header: id 0x1234, flags, qd, an, ns, ar. */
function header(flags: number, qd: number, an: number): number[] {
  return [0x12, 0x34, flags >> 8, flags & 0xff, 0, qd, 0, an, 0, 0, 0, 0];
}
const EXAMPLE_COM = [7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0];

test('a response with a compressed A answer', () => {
  // Question example.com A IN at offset 12; answer name = pointer 0xc00c, A, IN, TTL 300, 93.184.216.34.
  const msg = Buffer.from([...header(0x8180, 1, 1), ...EXAMPLE_COM, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4, 93, 184, 216, 34]);
  const m = parseDnsMessage(msg, 0, msg.length);
  assert.ok(m !== null);
  assert.equal(m.id, 0x1234);
  assert.deepEqual(m.questions, [{ name: 'example.com', type: 1, class: 1 }]);
  assert.deepEqual(m.answers, [{ type: 1, ttl: 300, data: '93.184.216.34', rdlength: 4 }]);
  assert.equal(m.truncated, false);
});

test('compression loops, forward pointers and bad labels are rejected without looping', () => {
  const cases: [string, number[]][] = [
    ['pointer to itself', [...header(0x0100, 1, 0), 0xc0, 12, 0, 1, 0, 1]],
    ['forward pointer', [...header(0x0100, 1, 0), 0xc0, 14, 0, 0, 1, 0, 1]],
    ['two pointers to each other', [...header(0x8180, 1, 1), 1, 0x61, 0, 0, 1, 0, 1, 0xc0, 31, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0xc0, 29]],
    ['label past the end', [...header(0x0100, 1, 0), 9, 0x61, 0x62]],
    ['0x40 label type', [...header(0x0100, 1, 0), 0x41, 0x61, 0, 0, 1, 0, 1]],
  ];
  for (const [what, bytes] of cases) {
    const buf = Buffer.from(bytes);
    const m = parseDnsMessage(buf, 0, buf.length);
    assert.ok(m === null || m.truncated || m.answers.length === 0, what);
  }
});

test('counts larger than the message are trusted only as far as the bytes go', () => {
  // 65535 answers claimed, none present.
  const msg = Buffer.from([...header(0x8180, 1, 0xffff), ...EXAMPLE_COM, 0, 1, 0, 1]);
  const m = parseDnsMessage(msg, 0, msg.length);
  assert.ok(m !== null);
  assert.equal(m.truncated, true);
  assert.equal(m.answers.length, 0);
  assert.equal(parseDnsMessage(msg, 0, 11), null, 'short header');
});

test('a name longer than 255 bytes is malformed (RFC 1035 §3.1)', () => {
  const labels: number[] = [];
  for (let i = 0; i < 5; i++) labels.push(63, ...new Array<number>(63).fill(0x61));
  const msg = Buffer.from([...header(0x0100, 1, 0), ...labels, 0, 0, 1, 0, 1]);
  assert.equal(parseDnsMessage(msg, 0, msg.length), null);
});
