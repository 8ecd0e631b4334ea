// Memory against the number of flows (src/export/spill.ts, src/cli/memory.ts): exports alone hold only the open flows;
// a run that keeps records stops keeping them at the guard's keep level and writes the exports to the end; past the
// stop level the reading stops. Each says so in one line and exits 0 — instead of V8's abort.
// Reference: the capture is written by the test (pcap_fixture.ts), so its packet count is known without nad.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { nad, STACK_LINE } from './run.js';
import { udpCapture } from './pcap_fixture.js';

test('memory: exports hold the open flows; past the keep level the exports go on, past the stop level reading stops; one line, exit 0', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-memory-'));
  try {
    // 300,000 datagrams one second apart over 20,000 source ports: a port comes back after 20,000 s, so every packet is
    // a flow of its own (UDP idle timeout 60 s) and the records pile up from the first megabyte; 20 MB of capture.
    // The fixture's sub-second field (i × 1000 µs) is out of range past packet 999, which would freeze the clock and
    // keep the flows open; it is set to 0 here.
    const packets = 300_000;
    const capture = join(dir, 'flows.pcap');
    const bytes = udpCapture(packets, 20_000);
    const record = (bytes.length - 24) / packets;
    for (let i = 0; i < packets; i++) bytes.writeUInt32LE(0, 24 + i * record + 4);
    writeFileSync(capture, bytes);

    // A run that keeps no records (no detection, no report) writes its exports through sorted runs on disk
    // (export/spill.ts): its memory holds the open flows (~60 here), not all 300,000. Under a 96 MiB heap it reads
    // everything; keeping the records (~0.9 KB of heap each) it ran out of heap and V8 aborted (exit 134, tried).
    const whole = nad(['analyze', capture, '--out', join(dir, 'whole'), '--quiet', '--no-detect', '--no-report'], {
      env: { NODE_OPTIONS: '--max-old-space-size=96' },
    });
    assert.equal(whole.status, 0, whole.stderr);
    const all = JSON.parse(readFileSync(join(dir, 'whole', 'summary.json'), 'utf8')) as { packets: number; flows: number; memory_stop: unknown };
    assert.equal(all.packets, packets, 'without the guard tripping, every packet is read');
    assert.equal(all.flows, packets, 'every packet is a flow');
    assert.equal(all.memory_stop, null);
    // flows.csv in start-time order: row i is packet i, at 1700000000 + i seconds (known by construction).
    const flowRows = readFileSync(join(dir, 'whole', 'flows.csv'), 'utf8').trimEnd().split('\r\n').slice(1);
    assert.equal(flowRows.length, packets);
    flowRows.forEach((row, i) => { if (!row.startsWith(`${1700000000 + i}.000000000,`)) assert.fail(`flows.csv row ${i + 1}: ${row.slice(0, 40)}`); });
    assert.deepEqual(readdirSync(join(dir, 'whole')).filter((n) => n.startsWith('.')), [], 'no temp run left behind');

    const wholeCsv = readFileSync(join(dir, 'whole', 'flows.csv'));

    // Detection and the report keep every flow: past the guard's keep level (a 4 MiB budget here) records stop being
    // kept, detection and the report cover what was read until then, and the exports go on from disk to the end.
    const cut = nad(['analyze', capture, '--out', join(dir, 'cut'), '--quiet', '--no-geo'], { env: { NAD_TEST_HEAP_BUDGET_MB: '4' } });
    assert.equal(cut.status, 0, cut.stderr);
    assert.doesNotMatch(cut.stderr, STACK_LINE);
    const lines = cut.stderr.trim().split('\n');
    assert.equal(lines.length, 1, cut.stderr);
    assert.match(lines[0]!, /^nad: warning: memory: detection and the report cover the flows that started in the first \d+ packets \(\d+ flows\): the heap held \d+ MiB of its \d+ MiB limit .*flows\.csv and the other CSVs cover the whole input/);
    type Summary = { packets: number; flows: number; interrupted: boolean; memory_stop: { packets: number; flows: number } | null; memory_keep: { packets: number; flows: number; what: string } | null };
    const s = JSON.parse(readFileSync(join(dir, 'cut', 'summary.json'), 'utf8')) as Summary;
    assert.ok(s.memory_keep !== null);
    assert.equal(s.memory_stop, null);
    assert.equal(s.interrupted, false);
    assert.equal(s.packets, packets, 'every packet is read');
    assert.equal(s.flows, packets, 'every flow is counted');
    assert.ok(s.memory_keep.packets > 0 && s.memory_keep.packets < packets, `detection covers ${s.memory_keep.packets} of ${packets} packets`);
    assert.ok(s.memory_keep.flows > 0 && s.memory_keep.flows <= s.memory_keep.packets, `${s.memory_keep.flows} flows kept`);
    assert.ok(readFileSync(join(dir, 'cut', 'flows.csv')).equals(wholeCsv), 'flows.csv: the kept flows and the later ones, as the exports-only run wrote them');
    const html = readFileSync(join(dir, 'cut', 'report.html'), 'utf8');
    assert.match(html, /findings cover part<\/th><td>detection and the report cover the flows that started in the first \d+ packets/);
    assert.deepEqual(readdirSync(join(dir, 'cut')).filter((n) => n.startsWith('.')), [], 'no temp run left behind');

    // With a worker thread too. From stdin, as a live pipe is read: the reading thread's chunks arrive through the
    // event loop, where the worker's record batches and heap reports are taken in. (A file under 32 MiB is read
    // inline, turning the loop only every 16 MiB, which makes the moment of the trip a matter of timing.)
    const workers = nad(['analyze', '-', '--out', join(dir, 'workers'), '--quiet', '--no-report', '--workers', '2'], { input: bytes, env: { NAD_TEST_HEAP_BUDGET_MB: '4' } });
    assert.equal(workers.status, 0, workers.stderr);
    assert.match(workers.stderr.trim(), /^nad: warning: memory: detection and the report cover the flows that started in the first \d+ packets/);
    const w = JSON.parse(readFileSync(join(dir, 'workers', 'summary.json'), 'utf8')) as Summary;
    assert.ok(w.memory_keep !== null && w.memory_keep.packets < packets && w.packets === packets, `detection covers ${w.memory_keep?.packets} of ${w.packets} packets with --workers 2`);
    assert.ok(readFileSync(join(dir, 'workers', 'flows.csv')).equals(wholeCsv), 'flows.csv with --workers 2');

    // The stop level: past it the reading stops, and the outputs cover what was read. Exports only, whose one level
    // the 4 MiB budget sets.
    const stop = nad(['analyze', capture, '--out', join(dir, 'stop'), '--quiet', '--no-detect', '--no-report'], { env: { NAD_TEST_HEAP_BUDGET_MB: '4' } });
    assert.equal(stop.status, 0, stop.stderr);
    assert.doesNotMatch(stop.stderr, STACK_LINE);
    assert.match(stop.stderr.trim(), /^nad: warning: memory: stopped reading after \d+ packets \(\d+ flows\): the heap held \d+ MiB of its \d+ MiB limit/);
    const t = JSON.parse(readFileSync(join(dir, 'stop', 'summary.json'), 'utf8')) as Summary;
    assert.ok(t.memory_stop !== null);
    assert.ok(t.packets > 0 && t.packets < packets, `read ${t.packets} of ${packets} packets`);
    assert.equal(t.memory_stop.packets, t.packets);
    assert.equal(t.memory_stop.flows, t.flows);
    assert.equal(t.interrupted, true);
    const rows = readFileSync(join(dir, 'stop', 'flows.csv'), 'utf8').trimEnd().split('\r\n').length - 1;
    assert.equal(rows, t.flows, 'flows.csv holds every flow of what was read');

    // Learning a baseline has no exports to go on with: it stops at its one level.
    const learn = nad(['baseline', capture, '-o', join(dir, 'model.json')], { env: { NAD_TEST_HEAP_BUDGET_MB: '4' } });
    assert.equal(learn.status, 0, learn.stderr);
    assert.match(learn.stderr, /^nad: warning: memory: stopped reading after \d+ packets/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
