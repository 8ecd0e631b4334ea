// The memory guard (src/cli/memory.ts): a capture whose flows would fill the heap is read until the heap budget, and
// the run then finishes every output with what was read, says so in one line, and exits 0 — instead of V8's abort.
// Reference: the capture is written by the test (pcap_fixture.ts), so its packet count is known without nad.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { nad, STACK_LINE } from './run.js';
import { udpCapture } from './pcap_fixture.js';

test('memory guard: reading stops at the heap budget; outputs cover what was read; one line, exit 0, no stack trace', () => {
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

    const cut = nad(['analyze', capture, '--out', join(dir, 'cut'), '--quiet'], { env: { NAD_TEST_HEAP_BUDGET_MB: '4' } });
    assert.equal(cut.status, 0, cut.stderr);
    assert.doesNotMatch(cut.stderr, STACK_LINE);
    const lines = cut.stderr.trim().split('\n');
    assert.equal(lines.length, 1, cut.stderr);
    assert.match(lines[0]!, /^nad: warning: memory: stopped reading after \d+ packets \(\d+ flows\): the heap held \d+ MiB of its \d+ MiB limit/);
    const s = JSON.parse(readFileSync(join(dir, 'cut', 'summary.json'), 'utf8')) as {
      packets: number; flows: number; interrupted: boolean; memory_stop: { packets: number; flows: number; what: string } | null;
    };
    assert.ok(s.memory_stop !== null);
    assert.ok(s.packets > 0 && s.packets < packets, `read ${s.packets} of ${packets} packets`);
    assert.equal(s.memory_stop.packets, s.packets);
    assert.equal(s.memory_stop.flows, s.flows);
    assert.equal(s.interrupted, true);
    const rows = readFileSync(join(dir, 'cut', 'flows.csv'), 'utf8').trimEnd().split('\r\n').length - 1;
    assert.equal(rows, s.flows, 'flows.csv holds every flow of what was read');
    const html = readFileSync(join(dir, 'cut', 'report.html'), 'utf8');
    assert.match(html, /stopped for memory<\/th><td>stopped reading after \d+ packets/);
    assert.match(html, /reading was stopped by the memory guard/);

    // With a worker thread the guard stops too. From stdin, as a live pipe is read: the reading thread's chunks arrive
    // through the event loop, where the worker's flow batches and heap reports are taken in. (A file under 32 MiB is
    // read inline, turning the loop only every 16 MiB, which makes the moment of the trip a matter of timing.)
    const workers = nad(['analyze', '-', '--out', join(dir, 'workers'), '--quiet', '--no-report', '--workers', '2'], { input: bytes, env: { NAD_TEST_HEAP_BUDGET_MB: '4' } });
    assert.equal(workers.status, 0, workers.stderr);
    assert.match(workers.stderr.trim(), /^nad: warning: memory: stopped reading after \d+ packets/);
    const w = JSON.parse(readFileSync(join(dir, 'workers', 'summary.json'), 'utf8')) as { packets: number; memory_stop: unknown };
    assert.ok(w.memory_stop !== null && w.packets < packets, `read ${w.packets} of ${packets} packets with --workers 2`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
