// Scan, exfiltration, HTTP and TLS detectors on synthetic flows whose answer is known by construction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createScanDetector } from '../../src/detect/scan.js';
import { createExfilDetector, exfilStats } from '../../src/detect/exfil.js';
import { createHttpDetector, httpSignals } from '../../src/detect/http.js';
import { createTlsDetector, tlsSignals } from '../../src/detect/tls.js';
import { createContext, type DetectContext, type Detector, type RawFinding } from '../../src/detect/detector.js';
import { NameIndex } from '../../src/features/names.js';
import type { FlowApp } from '../../src/app/records.js';
import type { ConnRecord } from '../../src/flow/conn.js';
import { conn, http, NO_APP, tls } from './synth.js';

const T0 = 1_700_000_000;

function run(d: Detector, flows: readonly (ConnRecord | { conn: ConnRecord; app: FlowApp })[]): RawFinding[] {
  for (const f of flows) { if ('app' in f) d.observe(f.conn, f.app); else d.observe(f, NO_APP); }
  const names = new NameIndex();
  names.seal();
  const conns = flows.map((f) => ('app' in f ? f.conn : f));
  const ctx: DetectContext = createContext({ conns, names, first_ts: T0, last_ts: T0 + 3600 });
  return d.finish(ctx);
}

test('vertical scan: 1000 refused ports scores 1; 15 ports is below the floor', () => {
  const probes = Array.from({ length: 1000 }, (_, i) => conn({ ts: T0 + i * 0.005, resp_h: '198.51.100.9', resp_p: i + 1, conn_state: 'REJ', resp_bytes: 0, orig_bytes: 0 }));
  const [h] = run(createScanDetector(), probes);
  // log10(1000/10)/2 = 1 → 1 · (0.5 + 0.5·1) = 1
  assert.equal(h!.score, 1);
  assert.equal(h!.evidence.find((e) => e.name === 'distinct_ports')?.value, 1000);
  assert.deepEqual(run(createScanDetector(), probes.slice(0, 15)), []);
});

test('horizontal sweep needs failures: answered fan-out is not a scan', () => {
  const sweep = Array.from({ length: 254 }, (_, i) => conn({ ts: T0 + i * 0.01, resp_h: `192.168.7.${i + 1}`, resp_p: 23, conn_state: 'S0', resp_bytes: 0 }));
  const [h] = run(createScanDetector(), sweep);
  // log10(254/10)/2 = 0.702 · failed share 1 → 0.702
  assert.ok(Math.abs(h!.score - 0.702) < 0.001, String(h!.score));
  const p2p = sweep.map((c) => ({ ...c, conn_state: 'SF' }));
  assert.deepEqual(run(createScanDetector(), p2p), []);
});

test('ICMP sweep', () => {
  const pings = Array.from({ length: 100 }, (_, i) => conn({ ts: T0 + i, proto: 'icmp', ip_proto: 1, orig_p: 8, resp_p: 0, resp_h: `10.9.0.${i + 1}`, resp_pkts: 0 }));
  const [h] = run(createScanDetector(), pings);
  assert.equal(h!.evidence[0]!.value, 'icmp_sweep');
  assert.equal(h!.score, 0.5); // log10(100/10)/2
});

test('exfiltration arithmetic and slow drip', () => {
  // 10 MB out, 100 kB in: volume log10(1e7/1e5)/2 = 1; share 0.990 → asym 1; no baseline → ·0.75
  assert.equal(exfilStats(1e7, 1e5, 0.5).score, 0.75);
  // 1 MB out, 1 MB in: asym 0 → 0
  assert.equal(exfilStats(1e6, 1e6, 0.5).score, 0);
  // 500 uploads of 20 kB to one address (10 MB in all) add up like one large upload
  const drip = Array.from({ length: 500 }, (_, i) => conn({ ts: T0 + i * 7, resp_h: '203.0.113.77', orig_bytes: 20_000, resp_bytes: 200 }));
  const [h] = run(createExfilDetector(), drip);
  assert.equal(h!.evidence.find((e) => e.name === 'bytes_out')?.value, 1e7);
  assert.ok(h!.score >= 0.7);
});

test('HTTP: program downloads and bare-IP requests', () => {
  const c = conn({ ts: T0, resp_p: 80 });
  assert.deepEqual(httpSignals(http(c, { host: 'example.com', uri: '/bn43.exe', resp_mime: 'application/x-msdownload' })).map((h) => [h.kind, h.score]), [['download', 0.65]]);
  assert.deepEqual(httpSignals(http(c, { host: 'example.com', uri: '/9Up.exe', status_code: 403, resp_mime: 'text/html' })).map((h) => [h.kind, h.score]), [['download', 0.4]]);
  assert.deepEqual(httpSignals(http(c, { host: '104.248.160.24', uri: '/sshd', user_agent: 'Wget/1.18 (linux-gnueabihf)', resp_mime: 'text/plain' })).map((h) => [h.kind, h.score]),
    [['download', 0.55], ['http', 0.35]]);
  assert.deepEqual(httpSignals(http(c, { method: 'POST', host: '82.118.225.196:7080', uri: '/x' })).map((h) => [h.kind, h.score]), [['http', 0.45]]);
  assert.deepEqual(httpSignals(http(c, { host: 'www.example.com', uri: '/index.html' })), []);
  const hits = run(createHttpDetector(), [{ conn: c, app: { ...NO_APP, http: [http(c, { host: 'example.com', uri: '/a.exe', resp_mime: 'application/x-dosexec' })] } }]);
  assert.equal(hits[0]!.name, 'example.com');
});

test('HTTP: a program by its content that its Content-Type and name hide is a disguised download, with the body\'s SHA-256 as evidence', () => {
  const c = conn({ ts: T0, resp_p: 80 });
  const sha = 'ab'.repeat(32);
  const disguised = http(c, { host: 'cdn.example.com', uri: '/img/logo.png', resp_mime: 'image/png', resp_mime_types: 'application/x-dosexec', resp_sha256: sha });
  const [hit] = httpSignals(disguised);
  assert.deepEqual([hit!.kind, hit!.score], ['download', 0.7]);
  assert.match(hit!.what, /disguised as data: \/img\/logo\.png is application\/x-dosexec by its content, sent with Content-Type image\/png/);
  // Declared as what it is: the plain download signal; refused: no body to judge; a real image: nothing.
  assert.deepEqual(httpSignals(http(c, { host: 'example.com', uri: '/setup.exe', resp_mime: 'application/x-msdownload', resp_mime_types: 'application/x-dosexec' })).map((h) => h.score), [0.65]);
  assert.deepEqual(httpSignals(http(c, { host: 'example.com', uri: '/logo.png', status_code: 404, resp_mime: 'image/png', resp_mime_types: 'application/x-dosexec' })), []);
  assert.deepEqual(httpSignals(http(c, { host: 'example.com', uri: '/logo.png', resp_mime: 'image/png', resp_mime_types: 'image/png' })), []);
  const found = run(createHttpDetector(), [{ conn: c, app: { ...NO_APP, http: [disguised] } }]);
  assert.equal(found[0]!.evidence.find((e) => e.name === 'sha256')?.value, sha);
});

test('HTTP: an archive, a program or a document posted out (a raw body or a form\'s file) is exfil, with the files\' SHA-256; to an internal server, or text, it is not', () => {
  const out = conn({ ts: T0, resp_h: '198.51.100.99', resp_p: 80 });
  const zip = http(out, { method: 'POST', host: 'drop.example.org', uri: '/gate.php', orig_mime_types: 'application/zip', orig_sha256: 'ef'.repeat(32), request_body_len: 40_000 });
  assert.deepEqual(httpSignals(zip).map((h) => [h.kind, h.score]), [['exfil', 0.55]]);
  const form = http(out, {
    method: 'POST', host: 'drop.example.org', uri: '/up', orig_filenames: ['id.txt', 'loot.7z'], orig_file_mime_types: ['', 'application/x-7z-compressed'],
    orig_file_sha256: ['01'.repeat(32), '7a'.repeat(32)],
  });
  const [hit] = httpSignals(form);
  assert.deepEqual([hit!.kind, hit!.score], ['exfil', 0.55]);
  assert.match(hit!.what, /^uploaded a file of application\/x-7z-compressed \(loot\.7z\) by HTTP POST to \/up$/);
  const found = run(createHttpDetector(), [{ conn: out, app: { ...NO_APP, http: [form] } }]);
  assert.equal(found[0]!.kind, 'exfil');
  assert.equal(found[0]!.score, 0.55, 'medium (≥ 0.5)');
  assert.deepEqual(found[0]!.evidence.find((e) => e.name === 'sha256'), { name: 'sha256', value: '7a'.repeat(32), note: 'of the files uploaded' });
  // To a server inside the network, or only text: nothing.
  assert.deepEqual(httpSignals(http(conn({ ts: T0, resp_h: '10.0.0.9', resp_p: 80 }), { method: 'POST', host: 'files.corp', uri: '/u', orig_mime_types: 'application/zip' })), []);
  assert.deepEqual(httpSignals(http(out, { method: 'POST', host: 'drop.example.org', uri: '/u', orig_filenames: ['a.txt'], orig_file_mime_types: [''] })), []);
});

test('TLS: placeholder certificate issued to an IP while the client asked for a name', () => {
  const c = conn({ ts: T0 });
  const rec = tls(c, { server_name: '105711.com', subject: 'CN=162.255.119.253', issuer: 'O=Some Company,L=City,ST=Some-State,C=AU' });
  assert.deepEqual(tlsSignals(rec).map((s) => s.name), ['placeholder_certificate', 'ip_certificate_for_name']);
  const [h] = run(createTlsDetector(), [{ conn: c, app: { ...NO_APP, tls: [rec] } }]);
  // 1 − (1 − 0.55)(1 − 0.45) = 1 − 0.2475 = 0.753
  assert.equal(h!.score, 0.753);
  assert.deepEqual(tlsSignals(tls(c, { server_name: 'www.example.com', subject: 'CN=www.example.com', issuer: 'CN=R3,O=Let\'s Encrypt,C=US' })), []);
});

test('TLS: an issuer signing for most servers is an inspection CA; repeated contact stands out', () => {
  const mitm = 'O=Some Company,L=City,ST=Some-State,C=AU';
  const flows = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.4', '192.0.2.4'].map((ip, i) => {
    const c = conn({ ts: T0 + i, resp_h: ip });
    return { conn: c, app: { ...NO_APP, tls: [tls(c, { server_name: `s${ip.slice(-1)}.example.com`, subject: `CN=${ip}`, issuer: mitm })] } };
  });
  const hits = run(createTlsDetector(), flows);
  // halved: 1 − (1 − 0.275)(1 − 0.225) = 0.438 for one connection; three connections: 1 − 0.562·0.9² = 0.545
  assert.deepEqual(hits.map((h) => [h.dst, h.score]), [['192.0.2.1', 0.438], ['192.0.2.2', 0.438], ['192.0.2.3', 0.438], ['192.0.2.4', 0.545]]);
});
