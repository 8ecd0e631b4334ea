/**
 * decodePacket throughput on a classic little-endian pcap (not a test: run by hand).
 *   node --import tsx test/decode/bench.ts /tmp/nad-bench/big.pcap [walk|decode]
 * walk: record walk only (the floor); decode: walk + decodePacket for every record. Reads 1 MiB chunks with
 * readSync, one DataView per chunk, one Packet for the run, as a capture reader would.
 * hot [MiB]: decodePacket alone over the records of the first MiB (default 1, so they stay in cache) held in
 * memory, repeated to about 6 M packets: no I/O, no walk. CPU time, not wall time, because the machine is shared.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { createPacket, Issue } from '../../src/decode/layer.js';
import { decodePacket } from '../../src/decode/packet.js';

const file = process.argv[2] ?? '/tmp/nad-bench/big.pcap';
const mode = process.argv[3] ?? 'decode';
const CHUNK = 1 << 20;
if (mode === 'hot') {
  hot();
  process.exit(0);
}
walkFile();

/** A function, so the counters are registers: module-level numbers past 2^30 would allocate per packet. */
function walkFile(): void {
  const fd = openSync(file, 'r');
  let buf = Buffer.alloc(CHUNK * 2);
  let have = 0;
  let first = true;
  let linktype = 1;
  const p = createPacket();
  let packets = 0;
  let bytes = 0;
  let ip = 0;
  let issues = 0;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (;;) {
    const r = readSync(fd, buf, have, buf.length - have, null);
    if (r === 0) break;
    have += r;
    let o = 0;
    if (first) {
      linktype = buf.readUInt32LE(20);
      o = 24;
      first = false;
    }
    p.buf = buf;
    p.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    p.linktype = linktype;
    while (o + 16 <= have) {
      const caplen = buf.readUInt32LE(o + 8);
      if (o + 16 + caplen > have) break;
      packets++;
      bytes += caplen;
      if (mode === 'decode') {
        p.start = o + 16;
        p.end = o + 16 + caplen;
        p.caplen = caplen;
        p.wirelen = buf.readUInt32LE(o + 12);
        p.file_offset = o;
        decodePacket(p);
        if (p.ip_version !== 0) ip++;
        if (p.issue !== Issue.None && issues++ < 3) console.error(`issue ${p.issue} layer ${p.issue_layer} detail ${p.issue_detail} layers ${p.layers.subarray(0, p.n_layers).join(',')} ports ${p.src_port}>${p.dst_port} tunnel ${p.tunnel}`);
      }
      o += 16 + caplen;
    }
    buf.copy(buf, 0, o, have); // keep the partial record
    have -= o;
    if (buf.length - have < CHUNK) {
      const bigger = Buffer.alloc(buf.length * 2);
      buf.copy(bigger, 0, 0, have);
      buf = bigger;
    }
  }
  closeSync(fd);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6; // CPU seconds: less sensitive than wall time to other processes on the machine
  console.log(JSON.stringify({ file, mode, packets, bytes, seconds: +s.toFixed(3), cpu_seconds: +cpu.toFixed(3), pps: Math.round(packets / s), MBps: +(bytes / 1e6 / s).toFixed(1), ip, issues }));
}

function hot(): void {
  const fd = openSync(file, 'r');
  const data = Buffer.alloc(Number(process.argv[4] ?? 1) << 20);
  const n = readSync(fd, data, 0, data.length, 0);
  closeSync(fd);
  const starts: number[] = [];
  const ends: number[] = [];
  for (let o = 24; o + 16 <= n; ) {
    const caplen = data.readUInt32LE(o + 8);
    if (o + 16 + caplen > n) break;
    starts.push(o + 16);
    ends.push(o + 16 + caplen);
    o += 16 + caplen;
  }
  const q = createPacket();
  q.buf = data;
  q.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  q.linktype = data.readUInt32LE(20);
  let sum = 0;
  const passes = Math.max(1, Math.round(6e6 / starts.length));
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < starts.length; i++) {
      q.start = starts[i] as number;
      q.end = ends[i] as number;
      q.caplen = q.wirelen = q.end - q.start;
      decodePacket(q);
      sum += q.src_port & 1; // stays a small integer: a growing double would allocate in the harness itself
    }
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  const total = starts.length * passes;
  console.log(JSON.stringify({ file, mode, packets: total, seconds: +wall.toFixed(3), cpu_seconds: +cpu.toFixed(3), pps_cpu: Math.round(total / cpu), ns_per_packet_cpu: +((cpu * 1e9) / total).toFixed(1), sum }));
}
