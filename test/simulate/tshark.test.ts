/**
 * tshark (an independent dissector) as the oracle for the simulator's output: no malformed packets, no expert errors
 * and no bad IP/TCP/UDP checksum (validation switched on),
 * every ground-truth entity visible with tshark's own filters, and ClientHellos whose JA3 as tshark computes it
 * (tls.handshake.ja3_full) is exactly the one each profile intends. Skips when tshark is not installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseIp, parseMac } from '../../src/simulate/frames.js';
import { simulate, truthPathFor, type GroundTruth, type TruthEntity } from '../../src/simulate/index.js';
import { CaptureLog } from '../../src/simulate/pcap.js';
import { Rng } from '../../src/simulate/rng.js';
import { TcpSession } from '../../src/simulate/tcp.js';
import { CLIENT_PROFILES, SERVER_PROFILES, type ClientName } from '../../src/simulate/tls/profiles.js';
import { runTls } from '../../src/simulate/tls/session.js';
import { PROJECT_ROOT } from '../shared.js';

const HAVE_TSHARK = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;
const SKIP: string | false = HAVE_TSHARK ? false : 'tshark not installed (apt-get install tshark): simulator oracle tests skipped';
/** Expert severities (epan/proto.h): PI_ERROR = 0x00800000. */
const PI_ERROR = 0x00800000;

/** Checksum validation is off by default in tshark; turned on, a bad checksum is an expert error. */
const CHECKSUMS = ['-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];

function tshark(file: string, filter: string, fields: readonly string[]): string[][] {
  const args = ['-r', file, ...CHECKSUMS, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, `tshark -Y '${filter}' failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

/** The fields every check below reads: one tshark pass per sample, shared by the tests. */
const FIELDS = [
  '_ws.malformed', '_ws.expert.severity', 'ip.src', 'ip.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.flags.syn', 'tcp.flags.ack',
  'tcp.len', 'tcp.nxtseq', 'tls.handshake.type', 'tls.handshake.extensions_server_name', 'tls.handshake.ja3',
  'tls.handshake.ciphersuite', 'tls.handshake.extensions_alpn_str', 'quic.long.packet_type', 'dns.flags.response',
  'dns.qry.name', 'dns.qry.type', 'dns.a', 'dns.txt', 'ip.checksum.status', 'tcp.checksum.status', 'udp.checksum.status',
] as const;
type Frame = Record<(typeof FIELDS)[number], string>;

const dissected = new Map<string, Frame[]>();
function frames(file: string): Frame[] {
  const hit = dissected.get(file);
  if (hit) return hit;
  const rows = tshark(file, 'frame', FIELDS).map((r) => Object.fromEntries(FIELDS.map((f, i) => [f, r[i] ?? ''])) as Frame);
  dissected.set(file, rows);
  return rows;
}

/** tshark joins repeated fields with commas. */
const values = (v: string): string[] => (v === '' ? [] : v.split(','));

let dir: string | null = null;
/** The committed sample, or a freshly generated equivalent when samples/ is absent. */
function sample(name: 'clean' | 'suspect'): { file: string; truth: GroundTruth } {
  const committed = join(PROJECT_ROOT, 'samples', `${name}.pcap`);
  if (existsSync(committed)) return { file: committed, truth: JSON.parse(readFileSync(truthPathFor(committed), 'utf8')) as GroundTruth };
  dir ??= mkdtempSync(join(tmpdir(), 'nad-sim-'));
  const file = join(dir, `${name}.pcap`);
  const sim = name === 'clean'
    ? simulate({ seed: 1, start: '2026-03-02T08:00:00Z', hours: 4, hosts: 12, inject: [] })
    : simulate({ seed: 2, start: '2026-03-09T08:00:00Z', hours: 4, hosts: 12, inject: ['all'] });
  writeFileSync(file, sim.pcap);
  return { file, truth: sim.truth };
}

test.after(() => {
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
});

for (const name of ['clean', 'suspect'] as const) {
  test(`tshark reads samples/${name}.pcap with no malformed packet and no expert error`, { skip: SKIP }, () => {
    const { file, truth } = sample(name);
    const rows = frames(file);
    assert.equal(rows.length, truth.capture.packets);
    const bad = rows.filter((f) => f['_ws.malformed'] !== '' || values(f['_ws.expert.severity']).some((v) => Number(v) >= PI_ERROR));
    assert.deepEqual(bad, []);
    // Checksum status 1 = good, 2 = unverified (payload cut from the capture), 0 = bad.
    for (const field of ['ip.checksum.status', 'tcp.checksum.status', 'udp.checksum.status'] as const) {
      const status = rows.map((f) => f[field]).filter((v) => v !== '');
      assert.ok(status.filter((v) => v === '1').length > status.length / 3, `${field}: mostly verified good`);
      assert.equal(status.filter((v) => v === '0').length, 0, `${field}: none bad`);
    }
  });
}

const entity = (t: GroundTruth, id: string): TruthEntity => {
  const e = t.entities.find((x) => x.id === id);
  assert.ok(e, `${id} in the ground truth`);
  return e;
};

test('ground-truth TCP entities are in samples/suspect.pcap as tshark sees them', { skip: SKIP }, () => {
  const { file, truth } = sample('suspect');
  const rows = frames(file);
  // Connection attempts: SYNs without ACK; retransmissions share the 4-tuple.
  const syns = rows.filter((f) => f['tcp.flags.syn'] === '1' && f['tcp.flags.ack'] === '0');
  for (const e of truth.entities.filter((x) => x.proto === 'tcp')) {
    const dsts = new Set(e.dst_ips);
    // A scan uses one source port throughout (nmap -sS); the same host's ordinary traffic to the target does not.
    const sport = e.kind === 'scan' ? String(e.params['source_port']) : null;
    const ports = new Set(e.dst_ports.map(String));
    const mine = syns.filter((f) => f['ip.src'] === e.src_ip && dsts.has(f['ip.dst']) && (sport === null ? ports.has(f['tcp.dstport']) : f['tcp.srcport'] === sport));
    const tuples = new Set(mine.map((f) => `${f['tcp.srcport']} ${f['ip.dst']} ${f['tcp.dstport']}`));
    assert.equal(tuples.size, e.count, `${e.id}: connection attempts`);
    const seen = new Set(mine.map((f) => Number(f['tcp.dstport'])));
    assert.deepEqual([...seen].sort((a, b) => a - b), [...e.dst_ports], `${e.id}: ports`);
  }
  const beacon = entity(truth, 'beacon-https');
  const beaconDsts = new Set(beacon.dst_ips);
  const snis = rows.filter((f) => values(f['tls.handshake.type']).includes('1') && f['ip.src'] === beacon.src_ip && beaconDsts.has(f['ip.dst']))
    .map((f) => f['tls.handshake.extensions_server_name']);
  assert.equal(snis.length, beacon.count);
  assert.ok(snis.every((sni) => sni === beacon.dst_name));
  const answered = rows.filter((f) => f['dns.flags.response'] === '1' && f['dns.qry.name'] === beacon.dst_name).flatMap((f) => values(f['dns.a']));
  assert.deepEqual([...new Set(answered)].sort(), [...beacon.dst_ips], 'the beacon domain rotates over its addresses');
  // The JA3 hashes the ground truth names for TLS entities are the ones tshark computes for their hellos.
  for (const e of truth.entities.filter((x) => x.ja3 !== undefined)) {
    const dsts = new Set(e.dst_ips);
    const seen = rows.filter((f) => values(f['tls.handshake.type']).includes('1') && f['ip.src'] === e.src_ip && dsts.has(f['ip.dst']) && e.dst_ports.includes(Number(f['tcp.dstport'])))
      .map((f) => f['tls.handshake.ja3']);
    assert.deepEqual([...new Set(seen)].sort(), [...e.ja3!], `${e.id}: JA3`);
  }
  const upload = entity(truth, 'exfil-upload');
  const seq = rows.filter((f) => f['ip.src'] === upload.src_ip && f['ip.dst'] === upload.dst_ips[0] && Number(f['tcp.len']) > 0).map((f) => Number(f['tcp.nxtseq']));
  assert.ok(Math.max(...seq) >= 24_000_000, 'upload size visible in sequence numbers');
});

test('the DNS tunnel is TXT queries with long labels under one domain', { skip: SKIP }, () => {
  const { file, truth } = sample('suspect');
  const e = entity(truth, 'dns-tunnel');
  const rows = frames(file).filter((f) => f['dns.qry.name'].endsWith(`.t.${e.dst_name!}`));
  const queries = rows.filter((f) => f['ip.src'] === e.src_ip && f['dns.flags.response'] === '0');
  assert.equal(queries.length, e.count);
  for (const q of queries) {
    assert.equal(q['dns.qry.type'], '16');
    assert.ok(q['dns.qry.name'].split('.')[0]!.length >= 50, q['dns.qry.name']);
  }
  const answers = rows.filter((f) => f['ip.dst'] === e.src_ip && f['dns.flags.response'] === '1' && f['dns.txt'] !== '');
  assert.equal(answers.length, e.count);
});

/** TLS-over-TCP profiles (the QUIC one is checked on the sample below). */
const CLIENTS = (Object.keys(CLIENT_PROFILES) as ClientName[]).filter((n) => CLIENT_PROFILES[n].quic !== true);

test('JA3 of every TLS client profile, as tshark computes it, is the one the profile intends', { skip: SKIP }, () => {
  const t0 = Date.UTC(2026, 2, 2, 8) * 1000;
  const log = new CaptureLog(t0, t0 + 3600e6);
  const rng = new Rng(5);
  const gw = parseMac('74:83:c2:00:00:01');
  const intended = new Map<number, string>();
  let port = 50000;
  for (const name of CLIENTS) {
    for (const server of ['gws', 'iis', 'legacy'] as const) {
      const client = { mac: parseMac('f8:bc:12:00:00:02'), ip: parseIp('192.168.40.20'), port, ttl: 128, ipid_host: 0, stack: 'windows' as const };
      const tcp = new TcpSession(log, rng, client, { mac: gw, ip: parseIp('142.250.187.196'), port: 443, ttl: 56, ipid_host: -1, stack: 'linux' }, t0 + (port - 50000) * 1e6, 9000);
      tcp.connect();
      const r = runTls(tcp, rng, { client: name, server: SERVER_PROFILES[server], sni: 'www.google.com', exchanges: [{ req_bytes: 600, resp_bytes: 30000 }], end: 'notify' });
      intended.set(port, `${r.ja3}|${r.ja3s}`);
      port++;
    }
  }
  dir ??= mkdtempSync(join(tmpdir(), 'nad-sim-'));
  const file = join(dir, 'ja3.pcap');
  writeFileSync(file, log.toPcap(() => 1));
  const ja3 = new Map(tshark(file, 'tls.handshake.type == 1', ['tcp.srcport', 'tls.handshake.ja3_full']).map(([p, j]) => [Number(p), j!]));
  const ja3s = new Map(tshark(file, 'tls.handshake.type == 2', ['tcp.dstport', 'tls.handshake.ja3s_full']).map(([p, j]) => [Number(p), j!]));
  for (const [p, want] of intended) assert.equal(`${ja3.get(p)}|${ja3s.get(p)}`, want, `port ${p}`);
  // Chrome shuffles its extensions, so its JA3 changes per connection; the other profiles are fixed and distinct.
  assert.ok(new Set(ja3.values()).size >= CLIENTS.length, 'JA3 values vary between clients');
});

test('samples/suspect.pcap shows many distinct JA3 values and GREASE from Chromium', { skip: SKIP }, () => {
  const hellos = frames(sample('suspect').file).filter((f) => values(f['tls.handshake.type']).includes('1'));
  assert.ok(new Set(hellos.map((f) => f['tls.handshake.ja3'])).size >= 20);
  const grease = hellos.filter((f) => /^0x([0-9a-f])a\1a/.test(values(f['tls.handshake.ciphersuite'])[0] ?? ''));
  assert.ok(grease.length > 0 && grease.length < hellos.length);
});

test('QUIC client and server Initials decrypt with the RFC 9001 Initial keys and carry Chrome\'s hellos', { skip: SKIP }, () => {
  const quic = frames(sample('suspect').file).filter((f) => values(f['quic.long.packet_type']).includes('0') && f['tls.handshake.type'] !== '');
  const hellos = quic.filter((f) => values(f['tls.handshake.type']).includes('1'));
  assert.ok(hellos.length > 0, 'some Google traffic goes over QUIC');
  assert.equal(quic.filter((f) => values(f['tls.handshake.type']).includes('2')).length, hellos.length, 'every QUIC ClientHello gets a ServerHello');
  for (const f of hellos) {
    assert.match(f['tls.handshake.extensions_server_name'], /google|gstatic/);
    assert.equal(f['tls.handshake.extensions_alpn_str'], 'h3');
  }
});
