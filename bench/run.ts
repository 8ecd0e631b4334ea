/**
 * `npm run bench`: speed and memory as ratios against baselines measured in the same run (never a timed test).
 *
 * Builds the large synthetic capture with ../shared/bench/make-big-capture.sh (in the system temp dir, never in the
 * repo), then times, in 3 rounds over every case (median; rounds so that the machine's drift hits every case alike), with peak RSS from /usr/bin/time:
 *   cat; the bare chunked record walker and the minimal flow-table walker (../shared/bench/walker.mjs);
 *   nad analyze: decode + flows + CSV (file and pipe), + app metadata, full (detection, geo, report: the defaults; and once with --no-geo), each with
 *   --workers 1 (one thread) and --workers 2 (one table in the reading thread, one in a worker);
 *   tcpdump, tshark, Suricata and ndpiReader when installed (ANCHORS.md commands);
 *   report generation on samples/ as a share of the whole analysis;
 *   peak RSS against the number of flows (benchFlowMemory);
 *   the cost of app metadata and detection per flow, on big.pcap and on a capture of short flows (benchPerFlow).
 * Each ratio is that of the medians, followed by the same ratio within each round (its range and median).
 * Set NAD_BENCH_RUNS to change the number of runs, NAD_BENCH_PACKETS for a smaller capture.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pcapHeader, udpRecord } from '../test/cli/pcap_fixture.js';
import { PROJECT_ROOT, SHARED } from '../test/shared.js';

const RUNS = Number(process.env['NAD_BENCH_RUNS'] ?? 3);
/** Flows the generator puts in big.pcap, and in the capture of short flows (benchPerFlow). */
const BIG_FLOWS = 60_000;
const SHORT = { packets: 500_000, flows: 100_000, seed: 3 }; // the generator's arguments
const BENCH = join(SHARED, 'bench');
const NAD = join(PROJECT_ROOT, 'dist', 'cli', 'main.js');

interface Timing {
  seconds: number;
  rss_mib: number;
  /** user + system CPU seconds of the whole process tree (every thread). */
  cpu: number;
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a shell command under /usr/bin/time; returns wall seconds, CPU seconds, and peak RSS of the measured process tree's largest member. */
function timeOnce(shell: string): Timing {
  const out = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', 'sh', '-c', `${shell} > /dev/null`], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (out.status !== 0) throw new Error(`bench command failed (${out.status}): ${shell}\n${out.stderr.slice(-2000)}`);
  const last = out.stderr.trim().split('\n').pop() ?? '';
  const [secs, kib, user, sys] = last.split(' ').map(Number);
  return { seconds: secs ?? NaN, rss_mib: (kib ?? NaN) / 1024, cpu: (user ?? NaN) + (sys ?? NaN) };
}

/** The middle value; of an even count (NAD_BENCH_RUNS=2, 4…), the mean of the two middle ones. */
function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function measure(shell: string): Timing {
  const runs: Timing[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(timeOnce(shell));
  return { seconds: median(runs.map((r) => r.seconds)), rss_mib: Math.max(...runs.map((r) => r.rss_mib)), cpu: median(runs.map((r) => r.cpu)) };
}

interface Row {
  name: string;
  t: Timing;
  /** Fastest and slowest of the rounds (wall seconds): the noise the median hides. */
  min: number;
  max: number;
  /** Wall seconds of each round, in round order (paired ratios compare the same round of two cases). */
  rounds: number[];
  packets: number;
  bytes: number;
}

function main(): void {
  if (!existsSync(join(BENCH, 'make-big-capture.sh'))) {
    process.stdout.write(`bench: ${BENCH} not found: the large capture cannot be built; nothing measured\n`);
    return;
  }
  if (!existsSync(NAD)) execFileSync('npm', ['run', 'build'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  const packetsWanted = process.env['NAD_BENCH_PACKETS'] ?? '4000000';
  const big = join(tmpdir(), 'nad-bench', 'big.pcap');
  execFileSync('bash', [join(BENCH, 'make-big-capture.sh'), big, packetsWanted, String(BIG_FLOWS), '1'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const prefix = join(tmpdir(), 'nad-bench', 'big-500k.pcap');
  const bytes = statSync(big).size;
  const packets = walkerCount(big);
  const prefixPackets = 500_000;
  const prefixBytes = existsSync(prefix) ? statSync(prefix).size : 0;
  const out = mkdtempSync(join(tmpdir(), 'nad-bench-out-'));
  // Geo enrichment is on by default and only the detectors and the report use it: the full case runs as a user's does
  // (geo on); the others pass --no-geo, which changes nothing for them but the start-up.
  const nad = (args: string, input = big): string =>
    `node ${NAD} analyze ${input} --out ${join(out, 'r')} --force --quiet ${args}`;
  const rows: Row[] = [];
  const cases: { name: string; shell: string; p: number; b: number }[] = [];
  const add = (name: string, shell: string, p = packets, b = bytes): void => {
    cases.push({ name, shell, p, b });
  };

  add('cat > /dev/null', `cat ${big}`);
  add('bare chunked record walker (walker.mjs count)', `node ${join(BENCH, 'walker.mjs')} ${big} count`);
  add('minimal flow-table walker (walker.mjs flows)', `node ${join(BENCH, 'walker.mjs')} ${big} flows`);
  for (const w of [1, 2]) {
    const ws = `--workers ${w}`;
    add(`nad analyze: decode + flows + CSV (file), ${ws}`, nad(`--no-geo --no-app --no-detect --no-report ${ws}`));
    add(`nad analyze: decode + flows + CSV (pipe), ${ws}`, `cat ${big} | ${nad(`--no-geo --no-app --no-detect --no-report ${ws}`, '-')}`);
    add(`nad analyze: + app metadata (file), ${ws}`, nad(`--no-geo --no-detect --no-report ${ws}`));
    add(`nad analyze: full (app + detection + geo + report), ${ws}`, nad(ws));
    // Earlier sessions' "full" case, kept for comparison: geo off.
    if (w === 1) add(`nad analyze: full with --no-geo, ${ws}`, nad(`--no-geo ${ws}`));
  }
  if (have('tcpdump')) add('tcpdump -r F -w /dev/null', `tcpdump -r ${big} -w /dev/null 2>/dev/null`);
  if (have('tshark') && prefixBytes > 0) add('tshark -q -z conv,tcp (500k prefix)', `tshark -r ${prefix} -q -z conv,tcp 2>/dev/null`, prefixPackets, prefixBytes);
  if (have('suricata')) add('suricata --runmode single (no rules)', `suricata -r ${big} -S /dev/null --runmode single -k none -l ${out} 2>/dev/null`);
  if (have('ndpiReader')) add('ndpiReader -q', `ndpiReader -i ${big} -q 2>/dev/null`);
  // Rounds, not case after case: this shared machine's speed drifts by tens of percent within minutes, and a drift
  // must hit every case alike for the ratios to mean anything.
  const runs = cases.map(() => [] as Timing[]);
  for (let r = 0; r < RUNS; r++) {
    cases.forEach((c, i) => {
      process.stderr.write(`bench: round ${r + 1}/${RUNS}: ${c.name}\n`);
      runs[i]!.push(timeOnce(c.shell));
    });
  }
  cases.forEach((c, i) => {
    const ts = runs[i]!;
    const secs = ts.map((x) => x.seconds);
    rows.push({
      name: c.name, packets: c.p, bytes: c.b, min: Math.min(...secs), max: Math.max(...secs), rounds: secs,
      t: { seconds: median(secs), rss_mib: Math.max(...ts.map((x) => x.rss_mib)), cpu: median(ts.map((x) => x.cpu)) },
    });
  });

  const pps = (r: Row): number => r.packets / r.t.seconds;
  const by = (prefixName: string): Row | undefined => rows.find((r) => r.name.startsWith(prefixName));
  const walkerFlows = by('minimal flow-table walker');
  process.stdout.write(`\nnad bench — ${packets.toLocaleString('en')} packets, ${(bytes / 1e9).toFixed(2)} GB, ${RUNS} rounds over every case (median), ${new Date().toISOString()}\n\n`);
  process.stdout.write('| case | median s (min–max) | packets/s | MB/s | peak RSS MiB | CPU s (cores busy) | ÷ flow-table walker |\n|---|---|---|---|---|---|---|\n');
  for (const r of rows) {
    const ratio = walkerFlows ? pps(r) / pps(walkerFlows) : NaN;
    process.stdout.write(
      `| ${r.name} | ${r.t.seconds.toFixed(2)} (${r.min.toFixed(2)}–${r.max.toFixed(2)}) | ${(pps(r) / 1e6).toFixed(2)} M | ${(r.bytes / 1e6 / r.t.seconds).toFixed(0)} | ${r.t.rss_mib.toFixed(0)} | ${r.t.cpu.toFixed(2)} (${(r.t.cpu / r.t.seconds).toFixed(2)}) | ${ratio.toFixed(2)} |\n`,
    );
  }
  // The ratio of the medians, and the same ratio within each round (the two cases ran a few seconds apart there, so
  // the machine's drift between rounds cancels out): their range is the noise of the one figure.
  const ratio = (a?: Row, b?: Row): string => {
    if (!a || !b) return 'n/a';
    const paired = a.rounds.map((t, i) => (a.packets / t) / (b.packets / b.rounds[i]!));
    return `${(pps(a) / pps(b)).toFixed(2)} [rounds ${Math.min(...paired).toFixed(2)}–${Math.max(...paired).toFixed(2)}, median ${median(paired).toFixed(2)}]`;
  };
  process.stdout.write('\nRatios (same run):\n');
  for (const w of [1, 2]) {
    const ws = `--workers ${w}`;
    const flowsFile = by(`nad analyze: decode + flows + CSV (file), ${ws}`);
    const flowsPipe = by(`nad analyze: decode + flows + CSV (pipe), ${ws}`);
    const app = by(`nad analyze: + app metadata (file), ${ws}`);
    const full = by(`nad analyze: full (app + detection + geo + report), ${ws}`);
    const fullNoGeo = by(`nad analyze: full with --no-geo, ${ws}`);
    process.stdout.write(`- ${ws}: nad decode+flows+CSV from file ÷ minimal flow-table walker: ${ratio(flowsFile, walkerFlows)} (target ≥ 1.0)\n`);
    process.stdout.write(`- ${ws}: nad decode+flows+CSV from pipe ÷ minimal flow-table walker: ${ratio(flowsPipe, walkerFlows)} (target ≥ 1.0)\n`);
    process.stdout.write(`- ${ws}: app metadata on ÷ off: ${ratio(app, flowsFile)} (target ≥ 0.8)\n`);
    process.stdout.write(`- ${ws}: full analysis ÷ decode+flows alone: ${ratio(full, flowsFile)} (target ≥ 0.7)\n`);
    process.stdout.write(`- ${ws}: full analysis ÷ decode+flows+app (detection, geo and report alone): ${ratio(full, app)}\n`);
    if (fullNoGeo) process.stdout.write(`- ${ws}: full analysis with --no-geo ÷ decode+flows alone: ${ratio(fullNoGeo, flowsFile)} (geo's share: full ÷ full --no-geo ${ratio(full, fullNoGeo)})\n`);
  }
  for (const name of ['decode + flows + CSV (file)', 'decode + flows + CSV (pipe)', '+ app metadata (file)', 'full (app + detection + geo + report)']) {
    const one = by(`nad analyze: ${name}, --workers 1`);
    const two = by(`nad analyze: ${name}, --workers 2`);
    // The ceiling on this machine: --workers 1 already keeps `busy` cores working (read thread, V8's GC helpers), so
    // two cores can run it at most cores/busy times as fast, even if splitting cost no CPU at all.
    const busy = one ? one.t.cpu / one.t.seconds : NaN;
    const ceiling = cpus().length / busy;
    process.stdout.write(`- --workers 2 ÷ --workers 1, ${name}: ${ratio(two, one)} (target ≥ 1.7; --workers 1 keeps ${busy.toFixed(2)} cores busy, so ${cpus().length} cores allow at most ${ceiling.toFixed(2)}×)\n`);
  }
  process.stdout.write(`- peak RSS of nad runs: ${Math.max(...rows.filter((r) => r.name.startsWith('nad')).map((r) => r.t.rss_mib)).toFixed(0)} MiB (target < 500)\n`);
  const bigCases = ['decode + flows + CSV (file)', '+ app metadata (file)', 'full (app + detection + geo + report)'].map((n) => by(`nad analyze: ${n}, --workers 1`)?.t.seconds ?? NaN);
  benchPerFlow(nad, { packets, flows: BIG_FLOWS, seconds: bigCases });

  const suspect = resolve(PROJECT_ROOT, 'samples', 'suspect.pcap');
  const clean = resolve(PROJECT_ROOT, 'samples', 'clean.pcap');
  if (existsSync(suspect) && existsSync(clean)) {
    const base = `node ${NAD} analyze ${suspect} --baseline ${clean} --out ${join(out, 's')} --force --quiet`;
    // Interleaved pairs, the median of their differences: a drift of the machine hits both runs of a pair alike.
    const diffs: number[] = [];
    const totals: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const withReport = timeOnce(base).seconds;
      const without = timeOnce(`${base} --no-report`).seconds;
      diffs.push(withReport - without);
      totals.push(withReport);
    }
    const report = median(diffs);
    const total = median(totals);
    process.stdout.write(
      `- report generation on samples/: ${report.toFixed(2)} s of ${total.toFixed(2)} s (${((report / total) * 100).toFixed(0)}% of the analysis; median of ${RUNS} interleaved pairs, ${Math.min(...diffs).toFixed(2)}–${Math.max(...diffs).toFixed(2)}; target ≤ 1 s)\n`,
    );
  }
  benchFlowMemory(out);
  if (have('editcap')) benchMerge(out, prefix, suspect);
  rmSync(out, { recursive: true, force: true });
}

/** The packets in a capture, as the bare record walker counts them. */
function walkerCount(path: string): number {
  return (JSON.parse(execFileSync('node', [join(BENCH, 'walker.mjs'), path, 'count'], { encoding: 'utf8' })) as { packets: number }).packets;
}

/**
 * Memory against the number of flows: two captures where every packet is a flow of its own that ends a minute later
 * (UDP, one datagram a second over 20,000 source ports: ~60 open at a time), of 250,000 and 1,000,000 flows. Peak RSS
 * of the exports alone (--no-detect --no-report, which keep no records) should not grow with the flow count; the
 * full analysis keeps every flow for detection and the report, so its memory does (shown for the smaller one).
 */
function benchFlowMemory(out: string): void {
  const sizes = [250_000, 1_000_000];
  const paths = sizes.map((n) => {
    const path = join(out, `churn-${n}.pcap`);
    const fd = openSync(path, 'w');
    writeSync(fd, pcapHeader());
    for (let i = 0; i < n; i += 10_000) {
      const part: Buffer[] = [];
      for (let j = i; j < Math.min(n, i + 10_000); j++) {
        const rec = udpRecord(j, 20_000);
        rec.writeUInt32LE(0, 4); // whole seconds (the fixture's sub-second field overflows past record 999)
        part.push(rec);
      }
      writeSync(fd, Buffer.concat(part));
    }
    closeSync(fd);
    return path;
  });
  const rss = paths.map((p) => timeOnce(`node ${NAD} analyze ${p} --out ${join(out, 'c')} --force --quiet --no-geo --no-detect --no-report`).rss_mib);
  const full = timeOnce(`node ${NAD} analyze ${paths[0]} --out ${join(out, 'c')} --force --quiet --no-geo`).rss_mib;
  // RSS follows V8's heap sizing, which grows with the allocation rate; the live heap is what must stay bounded: the
  // larger capture under a 64 MiB heap (V8 aborts a run that needs more).
  const small = spawnSync('node', ['--max-old-space-size=64', NAD, 'analyze', paths[1]!, '--out', join(out, 'c'), '--force', '--quiet', '--no-geo', '--no-detect', '--no-report']);
  const flows = small.status === 0 ? (JSON.parse(readFileSync(join(out, 'c', 'summary.json'), 'utf8')) as { flows: number }).flows : 0;
  process.stdout.write(
    `- memory against flow count (exports only, ~60 flows open at a time): peak RSS ${rss[0]!.toFixed(0)} MiB at ${sizes[0]!.toLocaleString('en')} flows, ` +
      `${rss[1]!.toFixed(0)} MiB at ${sizes[1]!.toLocaleString('en')}: ×${(rss[1]! / rss[0]!).toFixed(2)} for ×4 the flows (target: ~1, flat); ` +
      `under a 64 MiB heap: exit ${small.status ?? small.signal}, ${flows.toLocaleString('en')} flows written; ` +
      `full analysis of the ${sizes[0]!.toLocaleString('en')}: ${full.toFixed(0)} MiB (it keeps every flow)\n`,
  );
  for (const p of paths) rmSync(p, { force: true });
}

/**
 * What app metadata and detection cost per flow: the same three cases (decode + flows, + app metadata, full; --workers
 * 1) on big.pcap (its medians from the table) and on a capture of the same generator with few packets a flow, timed
 * here in rounds. Their costs are per flow and per record, so a per-packet ratio follows the capture's packets a flow.
 */
function benchPerFlow(nad: (args: string, input?: string) => string, big: { packets: number; flows: number; seconds: number[] }): void {
  const short = join(tmpdir(), 'nad-bench', 'short-flows.pcap');
  execFileSync('bash', [join(BENCH, 'make-big-capture.sh'), short, String(SHORT.packets), String(SHORT.flows), String(SHORT.seed)], { stdio: ['ignore', 'ignore', 'inherit'] });
  // The generator writes whole flows, so the packet count is the walker's, as for big.pcap.
  const packets = walkerCount(short);
  const args = ['--no-geo --no-app --no-detect --no-report --workers 1', '--no-geo --no-detect --no-report --workers 1', '--workers 1'];
  const times = args.map(() => [] as number[]);
  for (let r = 0; r < RUNS; r++) {
    process.stderr.write(`bench: round ${r + 1}/${RUNS}: per flow, ${packets.toLocaleString('en')} packets in ${SHORT.flows.toLocaleString('en')} flows\n`);
    args.forEach((a, i) => times[i]!.push(timeOnce(nad(a, short)).seconds));
  }
  const line = (name: string, c: { packets: number; flows: number; seconds: number[] }): string => {
    const [flows, app, full] = c.seconds as [number, number, number];
    const us = (s: number): string => ((s / c.flows) * 1e6).toFixed(0);
    return (
      `${name} (${c.flows.toLocaleString('en')} flows, ${(c.packets / c.flows).toFixed(0)} packets a flow): app metadata on ÷ off ${(flows / app).toFixed(2)}, ` +
      `full ÷ decode+flows ${(flows / full).toFixed(2)}; app metadata ${us(app - flows)} µs a flow, detection + geo + report ${us(full - app)} µs a flow ` +
      `(decode + flows ${us(flows)} µs a flow)`
    );
  };
  process.stdout.write(`- per flow, --workers 1: ${line('big.pcap', big)}; ${line('short flows', { packets, flows: SHORT.flows, seconds: times.map(median) })}\n`);
}

/** scale: `nad merge` of 10 shards (cut by editcap, each analysed with --shard beforehand, untimed). */
function benchMerge(out: string, big500k: string, suspect: string): void {
  const cases = [
    { name: 'samples/suspect.pcap (4 h) in 10 slices of 1425 s', input: suspect, split: ['-i', '1425'] },
    { name: 'big-500k.pcap (25 s) in 10 slices of 50k packets: every flow crosses a cut', input: big500k, split: ['-c', '50000'] },
  ].filter((c) => existsSync(c.input));
  for (const c of cases) {
    const dir = mkdtempSync(join(out, 'slices-'));
    execFileSync('editcap', [...c.split, c.input, join(dir, 'slice.pcap')]);
    const shards = readdirSync(dir).sort().map((f, i) => {
      const shard = join(out, `shard-${i}`);
      execFileSync('node', [NAD, 'analyze', join(dir, f), '--shard', '--out', shard, '--force', '--quiet', '--no-geo', '--no-report']);
      return shard;
    });
    const edges = shards.reduce((n, d) => n + (JSON.parse(readFileSync(join(d, 'shard.json'), 'utf8')) as { edge_flows: number }).edge_flows, 0);
    const flows = shards.reduce((n, d) => n + (JSON.parse(readFileSync(join(d, 'shard.json'), 'utf8')) as { flows: number }).flows, 0);
    process.stderr.write(`bench: nad merge, ${c.name}\n`);
    const t = measure(`node ${NAD} merge ${shards.join(' ')} --out ${join(out, 'm')} --force --quiet --no-geo`);
    process.stdout.write(
      `- nad merge of ${shards.length} shards, ${c.name}: ${t.seconds.toFixed(2)} s, peak RSS ${t.rss_mib.toFixed(0)} MiB (${edges} of ${flows} shard flows at an edge, rebuilt from edge packets)\n`,
    );
    for (const d of shards) rmSync(d, { recursive: true, force: true });
  }
}

main();
