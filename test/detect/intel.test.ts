/**
 * The intel detector against tshark: for real captures, a list of half the names and JA3s tshark sees (DNS query
 * names, TLS/DTLS SNI, HTTP Host, JA3) must flag exactly the flows whose packets carry one of them (or a name under a
 * listed domain), by tshark's own Community ID of those packets. Then, through the CLI on samples/, a Zeek intel file
 * naming an injected C2 name of the ground truth gives a high finding on that entity. Skips without tshark/../shared.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FlowApp, SshRecord } from '../../src/app/records.js';
import type { ConnRecord } from '../../src/flow/conn.js';
import { createContext } from '../../src/detect/detector.js';
import { createIntelDetector, INTEL_SCORE } from '../../src/detect/intel.js';
import { parseIntel } from '../../src/detect/intel_list.js';
import { NameIndex } from '../../src/features/names.js';
import { oraclesWith } from '../app/oracle_sets.js';
import { runApp } from '../app/run.js';
import { nad } from '../cli/run.js';
import { conn, dns, http, tls } from './synth.js';
import { CAPTURES, PROJECT_ROOT, SKIP_NO_SHARED } from '../shared.js';

const sshBase: Omit<SshRecord, 'client' | 'server'> = {
  ts: '0', uid: '', community_id: '', orig_h: '', orig_p: 0, resp_h: '', resp_p: 22, hassh: '', hassh_server: '',
};

const HAVE_TSHARK = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;
const SKIP: string | false = SKIP_NO_SHARED || (HAVE_TSHARK ? false : 'tshark not installed (apt-get install tshark): intel oracle test skipped');

const NAME_FIELDS = ['dns.qry.name', 'dns.cname', 'tls.handshake.extensions_server_name', 'dtls.handshake.extensions_server_name', 'http.host'];
const FIELDS = ['communityid', 'frame.protocols', ...NAME_FIELDS, 'tls.handshake.ja3'];
/** A packet quoted inside an ICMP error: tshark dissects it, nad does not read quoted packets as traffic. */
const QUOTED = /:icmp(?:v6)?:ipv?6?:/;

interface Row { cid: string; quoted: boolean; names: string[]; ja3: string[] }

function tsharkRows(file: string): Row[] {
  const args = ['-n', '--enable-protocol', 'communityid', '-r', file, '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=|', ...FIELDS.flatMap((f) => ['-e', f])];
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `tshark failed on ${file}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => {
    const f = l.split('\t');
    const list = (s: string | undefined): string[] => (s ?? '').split('|').filter((x) => x !== '');
    // tshark's http.host keeps a port, and it writes the root name as <Root>: a listed domain names a host.
    const names = NAME_FIELDS.flatMap((_, i) => list(f[2 + i])).filter((n) => n !== '<Root>').map((n) => n.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, ''));
    return { cid: f[0] ?? '', quoted: QUOTED.test(f[1] ?? ''), names, ja3: list(f[2 + NAME_FIELDS.length]) };
  });
}

const under = (name: string, listed: ReadonlySet<string>): boolean => {
  for (let n = name; ; n = n.slice(n.indexOf('.') + 1)) {
    if (listed.has(n)) return true;
    if (!n.includes('.')) return false;
  }
};

test('intel matches: the flows tshark shows carrying a listed name or JA3, by Community ID', { skip: SKIP }, async (t) => {
  const cases = oraclesWith(['dns_query_names', 'tls_snis', 'http_hosts', 'ja3_set'], ['app', 'tls']);
  assert.ok(cases.length >= 40, `found ${cases.length} captures with names`);
  let compared = 0;
  for (const { rel } of cases) {
    await t.test(rel, async (st) => {
      const file = join(CAPTURES, rel);
      const rows = tsharkRows(file).filter((r) => !r.quoted);
      // Every other name and JA3 in sorted order: half listed, so matching has something to leave out.
      const names = [...new Set(rows.flatMap((r) => r.names))].sort().filter((_, i) => i % 2 === 0);
      const ja3s = [...new Set(rows.flatMap((r) => r.ja3))].sort().filter((_, i) => i % 2 === 0);
      if (names.length + ja3s.length === 0) return st.skip('no name tshark shows');
      const listedNames = new Set(names);
      const listedJa3 = new Set(ja3s);
      const want = [...new Set(rows.filter((r) => r.cid !== '' && (r.names.some((n) => under(n, listedNames)) || r.ja3.some((j) => listedJa3.has(j)))).map((r) => r.cid))].sort();
      const text = ['#fields\tindicator\tindicator_type\tmeta.source', ...names.map((n) => `${n}\tIntel::DOMAIN\ttshark`), ...ja3s.map((j) => `${j}\tIntel::JA3\ttshark`)].join('\n');
      const { items, facts } = parseIntel(text, 'oracle.intel');
      assert.deepEqual(facts.skipped, {}, 'every name tshark shows is a usable indicator');

      const run = await runApp(file);
      const app = new Map<string, FlowApp>();
      const of = (uid: string): FlowApp & { dns: unknown[]; tls: unknown[]; http: unknown[]; ssh: unknown[] } => {
        let a = app.get(uid) as ReturnType<typeof of> | undefined;
        if (a === undefined) { a = { dns: [], tls: [], http: [], ssh: [] }; app.set(uid, a); }
        return a;
      };
      for (const r of run.dns) of(r.uid).dns.push(r);
      for (const r of run.tls) of(r.uid).tls.push(r);
      for (const r of run.http) of(r.uid).http.push(r);
      const nameIndex = new NameIndex();
      const none: FlowApp = { dns: [], tls: [], http: [], ssh: [] };
      for (const c of run.conns) nameIndex.add(c, app.get(c.uid) ?? none);
      nameIndex.seal();
      const d = createIntelDetector({ items, files: [facts] });
      for (const c of run.conns) d.observe(c, app.get(c.uid) ?? none);
      const hits = d.finish(createContext({ conns: run.conns, names: nameIndex }));
      const got = [...new Set(hits.flatMap((h) => h.conns.map((c) => c.community_id)))].sort();
      assert.deepEqual(got, want);
      for (const h of hits) assert.equal(h.score, INTEL_SCORE);
      compared++;
    });
  }
  assert.ok(compared >= 30, `${compared} captures compared`);
});

test('nad analyze --intel on samples/: a listed C2 name of the ground truth is a high finding on its entity', () => {
  const truth = JSON.parse(readFileSync(join(PROJECT_ROOT, 'samples/suspect.truth.json'), 'utf8')) as { entities: { kind: string; src_ip: string; dst_name: string | null; count: number; app: string }[] };
  const found = truth.entities.find((e) => e.kind === 'beacon' && e.dst_name !== null && e.app === 'https');
  assert.ok(found?.dst_name, 'the ground truth has a named HTTPS beacon');
  const beacon = { src: found.src_ip, name: found.dst_name, count: found.count };
  const dir = mkdtempSync(join(tmpdir(), 'nad-intel-cli-'));
  try {
    const intel = join(dir, 'feed.intel');
    // The beacon's registered domain (its last two labels), so the match goes through the subdomain rule; one line
    // of a type nad cannot see, which is counted and said once.
    const domain = beacon.name.split('.').slice(-2).join('.');
    writeFileSync(intel, `#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n${domain}\tIntel::DOMAIN\tcase-42\tC2\thttps://example.org/case-42\nx@y.z\tIntel::PUBKEY_HASH\tcase-42\t-\t-\n`);
    const out = join(dir, 'out');
    const r = nad(['analyze', join(PROJECT_ROOT, 'samples/suspect.pcap'), '--intel', intel, '--out', out, '--fail-on', 'high', '--no-report']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /feed\.intel: 1 indicators; 1 line left out \(1 × type Intel::PUBKEY_HASH\); first: line 3: type Intel::PUBKEY_HASH/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      parameters: { intel: string[] }; detection: { intel: { indicators: number }[] };
      findings: { kinds: string[]; severity: string; src: string; name: string; evidence: { name: string; value: unknown; note?: string }[] }[];
    };
    assert.deepEqual(summary.parameters.intel, [intel]);
    assert.equal(summary.detection.intel[0]!.indicators, 1);
    const hits = summary.findings.filter((f) => f.kinds.includes('intel'));
    const onBeacon = hits.find((f) => f.src === beacon.src && f.name === beacon.name);
    assert.ok(onBeacon, `an intel finding on ${beacon.src} → ${beacon.name}`);
    assert.equal(onBeacon.severity, 'high');
    assert.ok(onBeacon.kinds.includes('beacon'), 'merged with the beacon finding of the same entity');
    assert.ok(onBeacon.evidence.some((e) => e.name === 'intel.indicator' && e.value === `Intel::DOMAIN ${domain}` && /source case-42: C2; https:\/\/example\.org\/case-42$/.test(e.note ?? '')));
    // Nothing else in the capture is under that domain: every intel finding is the beacon host's.
    for (const f of hits) assert.equal(f.src, beacon.src);
    // intel.csv (Zeek's intel.log columns): one row per check-in's ClientHello, as many as the ground truth's beacon
    // count, each naming the beacon's SNI under the listed domain.
    const lines = readFileSync(join(out, 'intel.csv'), 'utf8').trimEnd().split('\r\n');
    assert.equal(lines[0], 'ts,uid,community_id,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,seen.indicator,seen.indicator_type,seen.where,indicator,sources,desc,url');
    const rows = lines.slice(1).map((l) => l.split(','));
    const sni = rows.filter((r) => r[10] === 'tls.server_name');
    assert.equal(sni.length, beacon.count);
    for (const r of sni) assert.deepEqual([r[3], r[8], r[9], r[11], r[12], r[13], r[14]], [beacon.src, beacon.name, 'Intel::DOMAIN', domain, 'case-42', 'C2', 'https://example.org/case-42']);
    assert.ok(rows.every((r) => r[10] === 'tls.server_name' || r[10] === 'dns.query'), 'only SNI and DNS carry the name');
    // alerts.jsonl: ECS threat.enrichments as Elastic's indicator match rules write them (ECS 8.x field reference:
    // threat.enrichments.indicator.type/provider, matched.atomic/field/type).
    const alerts = readFileSync(join(out, 'alerts.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as {
      source: { ip: string }; destination: { domain?: string };
      threat?: { enrichments: { indicator: { type: string; provider: string; description: string; reference: string }; matched: { atomic: string; field: string; type: string } }[] };
    });
    const alert = alerts.find((a) => a.source.ip === beacon.src && a.destination.domain === beacon.name);
    assert.ok(alert?.threat, 'the beacon alert carries threat.enrichments');
    const ref = 'https://example.org/case-42';
    assert.deepEqual(alert.threat.enrichments.map((e) => [e.indicator.type, e.indicator.provider, e.indicator.description, e.indicator.reference, e.matched.atomic, e.matched.field, e.matched.type]).sort(), [
      ['domain-name', 'case-42', 'C2', ref, beacon.name, 'dns.question.name', 'indicator_match_rule'],
      ['domain-name', 'case-42', 'C2', ref, beacon.name, 'tls.client.server_name', 'indicator_match_rule'],
    ]);
    assert.ok(alerts.filter((a) => a !== alert).every((a) => a.threat === undefined), 'no enrichment on findings without an intel match');
    // The terminal's answer to "did the capture show any of them?": 1 of 1 indicators, in the beacon's SNI and DNS flows.
    assert.match(r.stdout, new RegExp(`^Intel: 1 of 1 indicators seen, in ${2 * beacon.count} flows \\(1 list; intel\\.csv\\)$`, 'm'));
    // Without detection nothing would match: refused in one line, before the capture is read.
    const nd = nad(['analyze', join(PROJECT_ROOT, 'samples/suspect.pcap'), '--intel', intel, '--out', join(dir, 'nd'), '--no-detect']);
    assert.equal(nd.status, 2);
    assert.equal(nd.stderr, 'nad: --intel needs detection: its indicators are matched by the intel detector (drop --no-detect)\n');
    assert.match(r.stdout, /Outputs: .* \(flows\.csv, dns\.csv, tls\.csv, http\.csv, ssh\.csv, ftp\.csv, smtp\.csv, credentials\.csv, files\.csv, dhcp\.csv, intel\.csv, findings\.csv, summary\.json, alerts\.jsonl\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('intel match sites on hand-built records: subnets, URLs, user agents, certificates, SSH banners, DNS answers', () => {
  const { items, facts } = parseIntel([
    '#fields\tindicator\tindicator_type\tmeta.source',
    '198.51.100.0/24\tIntel::SUBNET\tf',
    'bad.example/drop/x.php\tIntel::URL\tf', // no `?`: any query string
    'bad.example/drop/y.php?id=1\tIntel::URL\tf', // with one: exactly
    'curl/7.1 (x)\tIntel::SOFTWARE\tf',
    'SSH-2.0-evil_1.0\tIntel::SOFTWARE\tf',
    'ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01\tIntel::CERT_HASH\tf',
    'cname-target.example\tIntel::DOMAIN\tf',
    'ns.infra.example\tIntel::DOMAIN\tf',
    'tunnel.example\tIntel::DOMAIN\tf',
    'invoice 7.exe\tIntel::FILE_NAME\tf',
  ].join('\n'), 'f.intel');
  const t0 = 1_700_000_000;
  const flows: { conn: ConnRecord; app: FlowApp }[] = [];
  const flow = (p: Parameters<typeof conn>[0], app: (c: ConnRecord) => Partial<FlowApp> = () => ({})): ConnRecord => {
    const c = conn(p);
    flows.push({ conn: c, app: { dns: [], tls: [], http: [], ssh: [], ...app(c) } });
    return c;
  };
  const subnet = flow({ ts: t0, orig_h: '10.0.0.1', resp_h: '198.51.100.9', resp_p: 8443 });
  const urlAny = flow({ ts: t0 + 1, orig_h: '10.0.0.2', resp_h: '203.0.113.1', resp_p: 8080 }, (c) => ({ http: [http(c, { host: 'Bad.Example:8080', uri: '/drop/x.php?id=1&z=2' })] }));
  flow({ ts: t0 + 2, orig_h: '10.0.0.3', resp_h: '203.0.113.1', resp_p: 80 }, (c) => ({ http: [http(c, { host: 'bad.example', uri: '/drop/y.php?id=2' })] }));
  const proxied = flow({ ts: t0 + 3, orig_h: '10.0.0.4', resp_h: '10.0.0.254', resp_p: 3128 }, (c) => ({ http: [http(c, { host: 'bad.example', uri: 'http://bad.example/drop/x.php?id=3' })] }));
  // A file name is the URI's last path segment, percent-decoded; a longer name is another file.
  const file = flow({ ts: t0 + 3.5, orig_h: '10.0.0.13', resp_h: '203.0.113.5', resp_p: 80 }, (c) => ({ http: [http(c, { host: 'files.example', uri: '/dl/invoice%207.exe?id=9' })] }));
  flow({ ts: t0 + 3.6, orig_h: '10.0.0.14', resp_h: '203.0.113.5', resp_p: 80 }, (c) => ({ http: [http(c, { host: 'files.example', uri: '/dl/invoice%207.exe.txt' })] }));
  const ua = flow({ ts: t0 + 4, orig_h: '10.0.0.5', resp_h: '203.0.113.2', resp_p: 80 }, (c) => ({ http: [http(c, { host: 'ok.example', uri: '/', user_agent: 'curl/7.1 (x)' })] }));
  flow({ ts: t0 + 5, orig_h: '10.0.0.6', resp_h: '203.0.113.2', resp_p: 80 }, (c) => ({ http: [http(c, { host: 'ok.example', uri: '/', user_agent: 'curl/7.1' })] }));
  const cert = flow({ ts: t0 + 6, orig_h: '10.0.0.7', resp_h: '203.0.113.3' }, (c) => ({ tls: [tls(c, { server_name: 'ok.example', cert_sha1: 'abcdef0123456789abcdef0123456789abcdef01' })] }));
  const ssh = flow({ ts: t0 + 7, orig_h: '10.0.0.8', resp_h: '203.0.113.4', resp_p: 22 }, () => ({ ssh: [{ ...sshBase, client: 'SSH-2.0-OpenSSH_9.6', server: 'SSH-2.0-evil_1.0' }] }));
  // CNAME answers name what was asked for; NS data names the resolver's infrastructure and is not matched.
  const cname = flow({ ts: t0 + 8, orig_h: '10.0.0.9', resp_h: '10.0.0.53', resp_p: 53, proto: 'udp' }, (c) => ({ dns: [{ ...dns(c, 'www.ok.example', 1, ['cname-target.example', '192.0.2.1']), answer_types: ['CNAME', 'A'] }] }));
  flow({ ts: t0 + 9, orig_h: '10.0.0.10', resp_h: '10.0.0.53', resp_p: 53, proto: 'udp' }, (c) => ({ dns: [{ ...dns(c, 'ok.example', 2, ['ns.infra.example']), answer_types: ['NS'] }] }));
  // One client, seven names under a listed domain: one finding for the domain; another client, two names: one each.
  for (let i = 0; i < 7; i++) flow({ ts: t0 + 10 + i, orig_h: '10.0.0.11', resp_h: '10.0.0.53', resp_p: 53, proto: 'udp' }, (c) => ({ dns: [dns(c, `x${i}.tunnel.example`, 16)] }));
  for (let i = 0; i < 2; i++) flow({ ts: t0 + 20 + i, orig_h: '10.0.0.12', resp_h: '10.0.0.53', resp_p: 53, proto: 'udp' }, (c) => ({ dns: [dns(c, `y${i}.tunnel.example`)] }));

  const names = new NameIndex();
  for (const f of flows) names.add(f.conn, f.app);
  names.seal();
  const d = createIntelDetector({ items, files: [facts] });
  for (const f of flows) d.observe(f.conn, f.app);
  const hits = d.finish(createContext({ conns: flows.map((f) => f.conn), names }));
  const summary = hits.map((h) => [h.src, h.name || h.dst, h.conns.map((c) => c.uid).join(' '), h.evidence.filter((e) => e.name === 'indicator').map((e) => `${String(e.value)} @ ${(e.note ?? '').split(';')[0]}`).join(' | ')]);
  const byJson = (a: string[], b: string[]): number => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
  assert.deepEqual(summary.sort(byJson), [
    ['10.0.0.1', '198.51.100.9', subnet.uid, 'Intel::SUBNET 198.51.100.0/24 @ seen in flows.id.resp_h'],
    ['10.0.0.11', 'tunnel.example', flows.filter((f) => f.conn.orig_h === '10.0.0.11').map((f) => f.conn.uid).join(' '), 'Intel::DOMAIN tunnel.example @ seen in dns.query'],
    ['10.0.0.12', 'y0.tunnel.example', flows.find((f) => f.conn.orig_h === '10.0.0.12')!.conn.uid, 'Intel::DOMAIN tunnel.example @ seen in dns.query'],
    ['10.0.0.13', 'files.example', file.uid, 'Intel::FILE_NAME invoice 7.exe @ seen in http.uri'],
    ['10.0.0.12', 'y1.tunnel.example', flows.filter((f) => f.conn.orig_h === '10.0.0.12')[1]!.conn.uid, 'Intel::DOMAIN tunnel.example @ seen in dns.query'],
    ['10.0.0.2', 'bad.example', urlAny.uid, 'Intel::URL bad.example/drop/x.php @ seen in http.uri'],
    ['10.0.0.4', 'bad.example', proxied.uid, 'Intel::URL bad.example/drop/x.php @ seen in http.uri'],
    ['10.0.0.5', 'ok.example', ua.uid, 'Intel::SOFTWARE curl/7.1 (x) @ seen in http.user_agent'],
    ['10.0.0.7', 'ok.example', cert.uid, 'Intel::CERT_HASH ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01 @ seen in tls.cert_sha1'],
    ['10.0.0.8', '203.0.113.4', ssh.uid, 'Intel::SOFTWARE SSH-2.0-evil_1.0 @ seen in ssh.server'],
    ['10.0.0.9', 'www.ok.example', cname.uid, 'Intel::DOMAIN cname-target.example @ seen in dns.answers'],
  ].sort(byJson));
  const looked = hits.find((h) => h.src === '10.0.0.9')!;
  assert.match(looked.reason, /^10\.0\.0\.9 looked up www\.ok\.example: Intel::DOMAIN cname-target\.example is on the intel list f\.$/);
  assert.match(hits.find((h) => h.src === '10.0.0.8')!.reason, /talked to 203\.0\.113\.4/);
  assert.deepEqual(d.stats?.(), { indicators: 10, indicators_matched: 8, flows_matched: 17 });
});

test('Intel::EMAIL, Intel::USER_NAME and Intel::FILE_NAME on cleartext records: the envelopes, logins and files tshark dissects', { skip: SKIP }, async () => {
  const tsharkFields = (rel: string, filter: string, fields: string[]): string[][] =>
    spawnSync('tshark', ['-r', join(CAPTURES, rel), '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' })
      .stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  // SMTP envelopes (MAIL FROM / RCPT TO parameters) with the client port of their connection; every other address listed.
  const envelope = tsharkFields('app/smtp.pcap', 'smtp.req.command == "MAIL" or smtp.req.command == "RCPT"', ['tcp.srcport', 'smtp.req.parameter'])
    .map(([port, param]) => [port!, /<([^>]+)>/.exec(param!)![1]!] as const);
  const all = [...new Set(envelope.map((e) => e[1]))].sort();
  const listed = all.filter((_, i) => i % 2 === 0);
  const login = Buffer.from(tsharkFields('app/smtp.pcap', 'smtp.auth.username', ['smtp.auth.username'])[0]![0]!, 'base64').toString('latin1');
  const { items, facts } = parseIntel([
    '#fields\tindicator\tindicator_type\tmeta.source',
    ...listed.map((a) => `${a}\tIntel::EMAIL\tcase-7`),
    `${login}\tIntel::USER_NAME\tcase-7`,
    'robots.txt\tIntel::FILE_NAME\tcase-7',
  ].join('\n'), 'case.intel');
  assert.deepEqual(facts.skipped, {}, 'every line of the list is an indicator nad can see');
  const list = { items, files: [facts] };
  for (const [rel, expectPorts] of [
    ['app/smtp.pcap', new Set(envelope.filter((e) => listed.includes(e[1])).map((e) => Number(e[0])))],
    // The file Zeek's ftp.log names (RETR ftp://…/robots.txt), on the control connection.
    ['app/ftp-ipv4.pcap', new Set([50003])],
  ] as const) {
    const run = await runApp(join(CAPTURES, rel));
    const d = createIntelDetector(list);
    const names = new NameIndex();
    names.seal();
    for (const c of run.conns) d.observe(c, { dns: [], tls: [], http: [], ssh: [] });
    d.finish(createContext({ conns: run.conns, names, ftp: run.ftp, smtp: run.smtp, credentials: run.credentials }));
    const rows = d.matches();
    assert.deepEqual(new Set(rows.map((r) => r.orig_p)), expectPorts, rel);
    if (rel === 'app/smtp.pcap') {
      const emails = new Set(rows.filter((r) => r.seen_indicator_type === 'Intel::EMAIL' && (r.seen_where === 'smtp.mailfrom' || r.seen_where === 'smtp.rcptto')).map((r) => r.seen_indicator.toLowerCase()));
      assert.deepEqual([...emails].sort(), listed.map((a) => a.toLowerCase()).sort());
      assert.ok(rows.some((r) => r.seen_indicator_type === 'Intel::USER_NAME' && r.seen_where === 'credentials.username' && r.seen_indicator === login));
    } else {
      assert.deepEqual(rows.map((r) => [r.seen_indicator_type, r.seen_where, r.seen_indicator]), [['Intel::FILE_NAME', 'ftp.arg', 'robots.txt'], ['Intel::FILE_NAME', 'ftp.arg', 'robots.txt']]);
    }
  }
});
