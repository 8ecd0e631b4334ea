// The CLI as a user meets it: exit codes, one-line errors with file and byte offset, no stack traces, refusal to
// overwrite, stdin/gzip equivalence and Ctrl-C on a pipe (issues 4 and 5).
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DEFAULT_THRESHOLD } from '../../src/detect/anomaly.js';
import { embeddedPaths } from '../../src/geo/lookup.js';
import { CAPTURES, SKIP_NO_SHARED } from '../shared.js';
import { nad, nadChild, nadChildFrom, STACK_LINE } from './run.js';
import { pcapHeader, udpCapture, udpRecord } from './pcap_fixture.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'nad-cli-'));

/** A 10-packet capture in a fresh folder, and the path of an output folder beside it (not created). */
function smallCaptureAndOut(): { cap: string; out: string } {
  const dir = tmp();
  const cap = join(dir, 'in.pcap');
  writeFileSync(cap, udpCapture(10));
  return { cap, out: join(dir, 'out') };
}

/** Minimal RFC 4180 check: every line has the header's number of fields (no field in these outputs spans lines). */
function assertCsv(path: string): string[][] {
  const text = readFileSync(path, 'utf8');
  assert.ok(text.endsWith('\r\n') || text === '', `${path} ends with CRLF`);
  const rows = text.split('\r\n').filter((l) => l !== '').map((l) => l.split(','));
  const width = rows[0]?.length ?? 0;
  for (const r of rows) assert.equal(r.length, width, `${path}: row has ${width} fields`);
  return rows;
}

test('--help and --version exit 0; an unknown option exits 2', () => {
  assert.equal(nad(['--help']).status, 0);
  assert.equal(nad(['--version']).status, 0);
  // main.ts states the default without importing the detection stack (fast --help): keep the two in step.
  assert.match(nad(['analyze', '--help']).stdout, new RegExp(`default ${DEFAULT_THRESHOLD}\\)`));
  const bad = nad(['analyze', '--no-such-option', 'x.pcap']);
  assert.equal(bad.status, 2);
  assert.doesNotMatch(bad.stderr, STACK_LINE);
});

test('the Python tool\'s --anomaly-threshold sets the cut as -a does; given with -a it is refused in one line', () => {
  const { cap, out } = smallCaptureAndOut();
  const cut = (args: string[], dir: string): unknown => {
    const r = nad(['analyze', cap, '--out', dir, '--quiet', '--no-geo', ...args]);
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { parameters: { threshold: unknown } }).parameters.threshold;
  };
  assert.equal(cut(['--anomaly-threshold', '0.83'], `${out}1`), 0.83);
  assert.equal(cut(['-a', '0.71'], `${out}2`), 0.71);
  assert.equal(cut([], `${out}3`), DEFAULT_THRESHOLD);
  const both = nad(['analyze', cap, '--out', `${out}4`, '--quiet', '-a', '0.7', '--anomaly-threshold', '0.8']);
  assert.equal(both.status, 2);
  assert.match(both.stderr, /cannot be used with/);
  assert.doesNotMatch(both.stderr, STACK_LINE);
  const range = nad(['analyze', cap, '--out', `${out}5`, '--quiet', '--anomaly-threshold', '1.5']);
  assert.equal(range.status, 2);
  assert.match(range.stderr, /from 0 to 1/);
});

test('the Python tool\'s GeoIP path: data/GeoLite2-City.mmdb under the working directory is used and recorded, unless --geoip or --no-geo', () => {
  const { cap } = smallCaptureAndOut();
  const cwd = tmp();
  mkdirSync(join(cwd, 'data'));
  // Any mmdb serves as the user's file: the embedded DB-IP country database, under the Python tool's name.
  copyFileSync(embeddedPaths().country, join(cwd, 'data', 'GeoLite2-City.mmdb'));
  const run = (args: string[], out: string): { geoip: unknown; alert_level: unknown; stderr: string } => {
    const r = nad(['analyze', cap, '--out', join(cwd, out), ...args], { cwd });
    assert.equal(r.status, 0, r.stderr);
    const p = (JSON.parse(readFileSync(join(cwd, out, 'summary.json'), 'utf8')) as { parameters: { geoip: unknown; alert_level: unknown } }).parameters;
    return { geoip: p.geoip, alert_level: p.alert_level, stderr: r.stderr };
  };
  const found = run([], 'a');
  assert.equal(found.geoip, join('data', 'GeoLite2-City.mmdb'));
  assert.match(found.stderr, /geo: data\/GeoLite2-City\.mmdb \(the Python tool's GeoIP path\)/);
  assert.equal(found.alert_level, 'medium', 'the Python tool\'s default ALERT_LEVEL');
  assert.doesNotMatch(run(['--quiet'], 'b').stderr, /GeoIP path/);
  assert.equal(run(['--quiet', '--no-geo'], 'c').geoip, null);
  const other = join(cwd, 'other.mmdb');
  copyFileSync(embeddedPaths().country, other);
  assert.equal(run(['--quiet', '--geoip', other], 'd').geoip, other);
  assert.equal(run(['--quiet'], 'e').geoip, join('data', 'GeoLite2-City.mmdb'));
  assert.equal(nad(['analyze', cap, '--out', join(tmp(), 'f'), '--quiet']).status, 0, 'no data/ folder: the embedded data, no error');
});

test('nad baseline and analyze -m take the geo options too (a model holds countries and ASNs): a bad --geoip is one line, exit 2', () => {
  const { cap } = smallCaptureAndOut();
  const dir = tmp();
  for (const args of [['baseline', cap, '-o', join(dir, 'm1.json')], ['analyze', '-m', cap, '--out', join(dir, 'm2.json')]]) {
    const r = nad([...args, '--quiet', '--geoip', join(dir, 'no-such.mmdb')]);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /no-such\.mmdb/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
    assert.equal(nad([...args, '--quiet', '--no-geo']).status, 0, args.join(' '));
  }
});

test('nad baseline and analyze -m learn with the flow timeouts given, as the analyses they serve read flows', () => {
  // 4 flows of UDP, each packet 4 s after its flow's last: one flow each at the default 60 s, one per packet at 2 s.
  const dir = tmp();
  const cap = join(dir, 'in.pcap');
  writeFileSync(cap, udpCapture(12, 4));
  const conns = (args: string[], model: string): unknown => {
    const r = nad([...args, '--quiet', '--no-geo']);
    assert.equal(r.status, 0, r.stderr);
    return (JSON.parse(readFileSync(model, 'utf8')) as { conns: unknown }).conns;
  };
  assert.equal(conns(['baseline', cap, '-o', join(dir, 'a.json')], join(dir, 'a.json')), 4);
  assert.equal(conns(['baseline', cap, '-o', join(dir, 'b.json'), '--udp-timeout', '2'], join(dir, 'b.json')), 12);
  assert.equal(conns(['analyze', '-m', cap, '--out', join(dir, 'c.json'), '--udp-timeout', '2'], join(dir, 'c.json')), 12);
});

test('a missing input is one line naming the file and offset, exit 2, no stack trace', () => {
  const out = tmp();
  const r = nad(['analyze', 'no/such/file.pcap', '--out', join(out, 'r'), '--quiet']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^nad: no\/such\/file\.pcap: byte 0: .+\n$/);
});

test('an existing non-empty output directory is refused without --force, replaced with it', () => {
  const { cap, out } = smallCaptureAndOut();
  mkdirSync(out);
  writeFileSync(join(out, 'mine.txt'), 'user data');
  const refused = nad(['analyze', cap, '--out', out, '--quiet', '--no-geo']);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /not empty.*--force/);
  assert.equal(readFileSync(join(out, 'mine.txt'), 'utf8'), 'user data');
  const forced = nad(['analyze', cap, '--out', out, '--quiet', '--no-geo', '--force']);
  assert.equal(forced.status, 0, forced.stderr);
  assert.ok(existsSync(join(out, 'flows.csv')));
});

test('--force also removes the temp files of a killed run (its process gone), and nothing else', () => {
  const { cap, out } = smallCaptureAndOut();
  mkdirSync(out);
  // A run killed outright (SIGKILL) leaves .NAME.PID.tmp behind. This PID has exited (spawnSync waited for it).
  const dead = spawnSync('true').pid;
  assert.ok(dead !== undefined && dead > 0);
  const stale = [`.flows.csv.${dead}.tmp`, `.report.html.${dead}.tmp`];
  for (const f of stale) writeFileSync(join(out, f), 'half-written');
  // Kept: a temp file of a process still alive (this test runner: another nad writing there would look the same),
  // and the user's files, whatever they look like.
  const kept = [`.flows.csv.${process.pid}.tmp`, 'notes.txt', '.notes.tmp', `notes.${dead}.tmp`, `.backup.${dead}.tmp`];
  for (const f of kept) writeFileSync(join(out, f), 'user data');
  const r = nad(['analyze', cap, '--out', out, '--quiet', '--no-geo', '--force']);
  assert.equal(r.status, 0, r.stderr);
  const left = readdirSync(out);
  for (const f of stale) assert.ok(!left.includes(f), `${f} removed`);
  for (const f of kept) assert.equal(readFileSync(join(out, f), 'utf8'), 'user data', `${f} kept`);
  assert.ok(left.includes('flows.csv'));
});

test('an output that cannot be written is one line naming it, exit 2, and leaves no temp file', () => {
  // report.html already exists as a directory (the user's): the rename of the finished temp file onto it fails.
  const { cap, out } = smallCaptureAndOut();
  mkdirSync(join(out, 'report.html'), { recursive: true });
  const r = nad(['analyze', cap, '--out', out, '--quiet', '--no-geo', '--force']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^nad: .*out\/report\.html: a directory of that name is in the way \(after \d+ bytes\)\n$/);
  assert.doesNotMatch(r.stderr, STACK_LINE);
  assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.tmp')), []);
});

test('stdin and gzip give the same summary and flows.csv as the file', () => {
  const dir = tmp();
  const raw = udpCapture(40, 5);
  const file = join(dir, 'in.pcap');
  writeFileSync(file, raw);
  writeFileSync(join(dir, 'in.pcap.gz'), gzipSync(raw));
  const args = ['--quiet', '--no-geo', '--no-report'];
  assert.equal(nad(['analyze', file, '--out', join(dir, 'a'), ...args]).status, 0);
  assert.equal(nad(['analyze', join(dir, 'in.pcap.gz'), '--out', join(dir, 'b'), ...args]).status, 0);
  const piped = nad(['analyze', '-', '--out', join(dir, 'c'), ...args], { input: raw });
  assert.equal(piped.status, 0, piped.stderr);
  const flows = (d: string): string => readFileSync(join(dir, d, 'flows.csv'), 'utf8');
  assert.equal(flows('b'), flows('a'));
  assert.equal(flows('c'), flows('a'));
  assert.equal(assertCsv(join(dir, 'a', 'flows.csv')).length, 1 + 5, 'header + 5 flows');
  const summary = (d: string): Record<string, unknown> => {
    const s = JSON.parse(readFileSync(join(dir, d, 'summary.json'), 'utf8')) as Record<string, unknown>;
    const inputs = s['inputs'] as Record<string, unknown>[];
    for (const i of inputs) {
      delete i['path'];
      delete i['sha256'];
      delete i['size'];
      delete i['gzip'];
    }
    return s;
  };
  assert.deepEqual(summary('b'), summary('a'));
  assert.deepEqual(summary('c'), summary('a'));
  assert.equal((summary('a')['packets'] as number), 40);
});

test('Ctrl-C on a pipe finishes the outputs with exactly the packets written before the signal', async () => {
  const dir = tmp();
  const out = join(dir, 'r');
  const child = nadChild(['analyze', '-', '--out', out, '--quiet', '--no-geo']);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const before = 25;
  // Wait until nad has set up and opened flows.csv's temp file: its signal handlers are in place by then.
  for (let i = 0; i < 600 && !(existsSync(out) && readdirSync(out).some((f) => f.endsWith('.tmp'))); i++) await new Promise((r) => setTimeout(r, 50));
  child.stdin.write(pcapHeader());
  // Written slowly, as a live capture would arrive.
  for (let i = 0; i < before; i++) {
    child.stdin.write(udpRecord(i));
    await new Promise((r) => setTimeout(r, 10));
  }
  // Give nad time to read what was written, then interrupt; later records must not count.
  await new Promise((r) => setTimeout(r, 1500));
  child.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 200));
  for (let i = before; i < before + 10; i++) if (child.stdin.writable) child.stdin.write(udpRecord(i));
  const code = await exited;
  assert.equal(code, 0, stderr);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { packets: number; interrupted: boolean };
  assert.equal(summary.packets, before);
  assert.equal(summary.interrupted, true);
  assert.equal(assertCsv(join(out, 'flows.csv')).length, 1 + 4);
  assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.tmp')), [], 'no temp file left');
});

/** corrupt/ rows of MANIFEST.md whose expectation is fatal (exit 2). */
function fatalCorrupt(): Set<string> {
  const manifest = readFileSync(join(CAPTURES, 'MANIFEST.md'), 'utf8');
  const fatal = new Set<string>();
  for (const line of manifest.split('\n')) {
    const m = /^\| corrupt\/([^ |]+) \|.*\| (fatal: exit 2|exit 2:)[^|]*\|$/.exec(line);
    if (m?.[1]) fatal.add(m[1]);
  }
  return fatal;
}

test('stdin as a FIFO whose writer stays open: Ctrl-C ends the run at once, size and sha256 cover exactly what was read', async () => {
  const dir = tmp();
  const out = join(dir, 'r');
  const fifo = join(dir, 'live');
  execFileSync('mkfifo', [fifo]);
  // O_RDWR: opening a FIFO this way does not wait for the other end; the test writes and never closes it.
  const fd = openSync(fifo, 'r+');
  const child = nadChildFrom(['analyze', '-', '--out', out, '--quiet', '--no-geo', '--no-report'], fd);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  for (let i = 0; i < 600 && !(existsSync(out) && readdirSync(out).some((f) => f.endsWith('.tmp'))); i++) await new Promise((r) => setTimeout(r, 50));
  const written = Buffer.concat([pcapHeader(), ...Array.from({ length: 30 }, (_, i) => udpRecord(i))]);
  writeSync(fd, written);
  await new Promise((r) => setTimeout(r, 1500));
  const t0 = Date.now();
  child.kill('SIGINT');
  const code = await exited;
  const took = Date.now() - t0;
  closeSync(fd);
  assert.equal(code, 0, stderr);
  assert.ok(took < 10_000, `exited ${took} ms after the signal, its stdin still open`);
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { packets: number; interrupted: boolean; inputs: { size: number; sha256: string }[] };
  assert.equal(s.packets, 30);
  assert.equal(s.interrupted, true);
  assert.equal(s.inputs[0]?.size, written.length);
  assert.equal(s.inputs[0]?.sha256, createHash('sha256').update(written).digest('hex'));
});

test('Ctrl-C while a pipe is read ahead: size, sha256 and packets cover exactly the bytes consumed', { timeout: 120_000 }, async () => {
  const dir = tmp();
  const out = join(dir, 'r');
  // ~99 MB of 66-byte records, 100 per second over 1000 flows: seconds of work, so the signal lands mid-way while
  // the read thread is up to 16 MiB ahead of the walker.
  const n = 1_500_000;
  const base = udpRecord(0, 1000);
  const data = Buffer.alloc(24 + n * base.length);
  pcapHeader().copy(data, 0);
  for (let i = 0, o = 24; i < n; i++, o += base.length) {
    base.copy(data, o);
    data.writeUInt32LE(1700000000 + Math.floor(i / 100), o);
    data.writeUInt32LE((i % 100) * 10000, o + 4);
    data.writeUInt16BE(40000 + (i % 1000), o + 16 + 14 + 20);
  }
  const file = join(dir, 'big.pcap');
  writeFileSync(file, data);
  const cat = spawn('cat', [file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const child = nadChildFrom(['analyze', '-', '--out', out, '--quiet', '--no-geo', '--no-report'], cat.stdout);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  for (let i = 0; i < 600 && !(existsSync(out) && readdirSync(out).some((f) => f.endsWith('.tmp'))); i++) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 150));
  child.kill('SIGINT');
  assert.equal(await exited, 0, stderr);
  cat.kill();
  const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { packets: number; interrupted: boolean; inputs: { size: number; sha256: string }[] };
  const size = s.inputs[0]?.size ?? -1;
  assert.equal(s.interrupted, true, 'the signal landed before the end of the input');
  assert.ok(size > 0 && size < data.length, `consumed ${size} of ${data.length} bytes`);
  assert.equal(s.inputs[0]?.sha256, createHash('sha256').update(data.subarray(0, size)).digest('hex'), 'sha256 of the consumed prefix');
  assert.equal(s.packets, Math.floor((size - 24) / base.length), 'every whole record of the consumed prefix, no other');
});

test('stdin redirected from a file gives the same summary and flows.csv as the file', async () => {
  const dir = tmp();
  const file = join(dir, 'in.pcap');
  writeFileSync(file, udpCapture(40, 5));
  const args = ['--quiet', '--no-geo', '--no-report'];
  assert.equal(nad(['analyze', file, '--out', join(dir, 'a'), ...args]).status, 0);
  const fd = openSync(file, 'r');
  const child = nadChildFrom(['analyze', '-', '--out', join(dir, 'b'), ...args], fd);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  closeSync(fd);
  assert.equal(code, 0);
  assert.equal(readFileSync(join(dir, 'b', 'flows.csv'), 'utf8'), readFileSync(join(dir, 'a', 'flows.csv'), 'utf8'));
  const input = (d: string): Record<string, unknown> => {
    const s = JSON.parse(readFileSync(join(dir, d, 'summary.json'), 'utf8')) as { inputs: Record<string, unknown>[] };
    const i = s.inputs[0]!;
    delete i['path'];
    return i;
  };
  assert.deepEqual(input('b'), input('a'));
});

test('every damaged capture: exit 2 with one clear line, or exit 0 with the damage in summary.json; never a stack trace', { skip: SKIP_NO_SHARED }, () => {
  const dir = tmp();
  const fatal = fatalCorrupt();
  assert.ok(fatal.size >= 5, 'MANIFEST lists fatal rows');
  for (const name of readdirSync(join(CAPTURES, 'corrupt')).sort()) {
    const out = join(dir, name);
    const r = nad(['analyze', join(CAPTURES, 'corrupt', name), '--out', out, '--quiet', '--no-geo', '--no-report']);
    assert.doesNotMatch(r.stderr, STACK_LINE, `${name}: no stack trace`);
    assert.ok(r.status === 0 || r.status === 2, `${name}: exit ${r.status}`);
    if (r.status === 2) {
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${name}: one line: ${r.stderr}`);
      assert.match(lines[0] ?? '', /^nad: .+: byte \d+: .+/, `${name}: names file and offset`);
    } else {
      assert.ok(!fatal.has(name), `${name}: MANIFEST expects exit 2`);
      const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { inputs: { stopped: unknown; warnings: object; lost_bytes: number }[] };
      const inp = s.inputs[0];
      assert.ok(inp && (inp.stopped !== null || Object.keys(inp.warnings).length > 0 || inp.lost_bytes > 0), `${name}: damage counted in summary.json`);
    }
  }
});

test('-f BPF on a file goes through tcpdump: only matching packets; a bad filter is one line, exit 2', { skip: spawnSync('tcpdump', ['--version']).error ? 'tcpdump is not installed: -f test skipped' : false }, () => {
  const dir = tmp();
  const file = join(dir, 'in.pcap');
  writeFileSync(file, udpCapture(40, 4));
  const r = nad(['analyze', file, '-f', 'udp src port 40001', '--out', join(dir, 'a'), '--quiet', '--no-geo', '--no-report']);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(readFileSync(join(dir, 'a', 'summary.json'), 'utf8')) as { packets: number; inputs: { path: string; sha256: string }[] };
  assert.equal(s.packets, 10, 'every 4th of 40 packets comes from port 40001');
  assert.equal(s.inputs[0]?.path, file, 'the original file is named');
  assert.equal(s.inputs[0]?.sha256, createHash('sha256').update(readFileSync(file)).digest('hex'), 'sha256 of the original file');
  const bad = nad(['analyze', file, '-f', 'udp port (((', '--out', join(dir, 'b'), '--quiet', '--no-geo']);
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /^nad: -f\/--filter: /);
});

test('a second Ctrl-C exits at once and leaves no half-written file', async () => {
  const dir = tmp();
  const out = join(dir, 'r');
  const child = nadChild(['analyze', '-', '--out', out, '--quiet', '--no-geo']);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal === null ? null : 128))));
  for (let i = 0; i < 600 && !(existsSync(out) && readdirSync(out).some((f) => f.endsWith('.tmp'))); i++) await new Promise((r) => setTimeout(r, 50));
  // 20,000 flows: enough that finishing the outputs after the first Ctrl-C takes a while.
  child.stdin.write(Buffer.concat([pcapHeader(), ...Array.from({ length: 20_000 }, (_, i) => udpRecord(i, 20_000))]));
  await new Promise((r) => setTimeout(r, 1500));
  // The writer never closes stdin: the first signal starts the finish, the second must end the run at once.
  child.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 130);
  const left = existsSync(out) ? readdirSync(out) : [];
  assert.deepEqual(left.filter((f) => f.endsWith('.tmp')), [], 'no temp file left');
  assert.ok(!left.includes('flows.csv') || readFileSync(join(out, 'flows.csv'), 'utf8').endsWith('\r\n'), 'no half-written flows.csv');
});

test('stdout closed early (nad analyze … | head -1): no stack trace, the files still written, the run\'s exit code', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-epipe-'));
  const child = nadChild(['analyze', 'samples/suspect.pcap', '--out', join(dir, 'out'), '--no-geo', '--fail-on', 'high']);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  // Like `head -1`: read one chunk, then close the pipe before the summary is written.
  child.stdout.once('data', () => child.stdout.destroy());
  child.stdout.destroy();
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  assert.doesNotMatch(stderr, STACK_LINE);
  assert.doesNotMatch(stderr, /EPIPE/);
  assert.equal(status, 1, 'samples/suspect.pcap has high findings: --fail-on high exits 1');
  assert.ok(existsSync(join(dir, 'out', 'report.html')) && existsSync(join(dir, 'out', 'summary.json')));
});
