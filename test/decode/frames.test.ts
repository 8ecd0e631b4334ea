/**
 * Per-frame check of the decoded header fields against tshark 4.0.17 (fixtures/frames.tsv, made by
 * fixtures/make-frames.sh: `tshark -n -r FILE -o ip.defragment:FALSE -o ipv6.defragment:FALSE
 * -o tcp.desegment_tcp_streams:FALSE -T fields -E occurrence=a …`).
 *
 * tshark lists every occurrence of a field (outer and inner headers, and the packet an ICMP error quotes). The
 * expected value is the occurrence that belongs to the innermost IP header before any ICMP, which is the header
 * nad's flow key uses (Zeek keys ICMP errors on the ICMP message itself).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createPacket, Layer } from '../../src/decode/layer.js';
import type { Packet } from '../../src/decode/layer.js';
import { decodePacket } from '../../src/decode/packet.js';
import { CAPTURES, SKIP_NO_SHARED } from '../shared.js';
import { formatIp } from './addr.js';
import { packetFor, readCapture } from './records.js';
import type { Capture } from './records.js';

/** Frames where nad and tshark are both right but disagree, with the reason. Key: `capture#frame`. */
const KNOWN: Record<string, string> = {
  'encap/ipv6-mobility-dst-opts.pcap#1':
    'a Home Address option claims 0x90 bytes inside a 16-byte destination-options header: tshark stops at the ' +
    'damaged option, nad skips the header by its own length field and decodes the UDP header after it',
};

interface Row {
  capture: string;
  frame: number;
  f: Record<string, string[]>;
  stack: string[];
}

function loadRows(): Row[] {
  const lines = readFileSync(new URL('./fixtures/frames.tsv', import.meta.url), 'utf8').trimEnd().split('\n');
  const header = (lines.shift() ?? '').split('\t');
  return lines.map((line) => {
    const cols = line.split('\t');
    const f: Record<string, string[]> = {};
    header.forEach((h, i) => {
      const v = cols[i] ?? '';
      f[h] = v === '' ? [] : v.split(',');
    });
    return { capture: cols[0] ?? '', frame: Number(cols[1]), f, stack: (cols[2] ?? '').split(':') };
  });
}

/** Ordinal (among tokens of the same name) of the innermost IP header and of its transport, before any ICMP. */
function innermost(stack: string[]): { ip: string; ipIdx: number; tr: string; trIdx: number } {
  const seen: Record<string, number> = {};
  let ip = '';
  let ipIdx = -1;
  let tr = '';
  let trIdx = -1;
  for (const t of stack) {
    const k = seen[t] ?? 0;
    seen[t] = k + 1;
    if (t === 'ip' || t === 'ipv6') {
      ip = t;
      ipIdx = k;
      tr = '';
      trIdx = -1;
    } else if (t === 'tcp' || t === 'udp' || t === 'icmp' || t === 'icmpv6') {
      tr = t;
      trIdx = k;
      if (t === 'icmp' || t === 'icmpv6') break;
    }
  }
  return { ip, ipIdx, tr, trIdx };
}

function num(v: string | undefined): number {
  return v === undefined ? NaN : Number(v);
}

/** Differences between a decoded packet and tshark's fields for that frame, as readable strings. */
function compare(p: Packet, row: Row): string[] {
  const d: string[] = [];
  const eq = (name: string, got: unknown, want: unknown): void => {
    if (got !== want) d.push(`${name}: nad ${String(got)} tshark ${String(want)}`);
  };
  const { ip, ipIdx, tr, trIdx } = innermost(row.stack);
  const f = row.f;
  const vlan = f['vlan.id']?.[0];
  if (vlan !== undefined) eq('vlan', p.vlan, num(vlan));
  if (row.stack.includes('arp') && ip === '') {
    eq('arp.opcode', p.arp_op, num(f['arp.opcode']?.[0]));
    const tpa = f['arp.dst.proto_ipv4']?.[0];
    if (tpa !== undefined) eq('arp.tpa', formatIp(p.buf, p.arp_tpa_off, 4), tpa);
    return d;
  }
  if (ip === '') {
    eq('ip_version', p.ip_version, 0);
    return d;
  }
  if (ip === 'ip') {
    eq('ip_version', p.ip_version, 4);
    eq('src', formatIp(p.buf, p.src_ip_off, 4), f['ip.src']?.[ipIdx]);
    eq('dst', formatIp(p.buf, p.dst_ip_off, 4), f['ip.dst']?.[ipIdx]);
    eq('ttl', p.ttl, num(f['ip.ttl']?.[ipIdx]));
    eq('ip_len', p.ip_len, num(f['ip.len']?.[ipIdx]));
    eq('ip_proto', p.ip_proto, num(f['ip.proto']?.[ipIdx]));
    eq('frag_mf', p.frag_mf, num(f['ip.flags.mf']?.[ipIdx]));
    eq('frag_off', p.frag_off, num(f['ip.frag_offset']?.[ipIdx]) * 8); // tshark 4.0 prints 8-byte units
    eq('frag_id', p.frag_id, num(f['ip.id']?.[ipIdx]));
  } else {
    eq('ip_version', p.ip_version, 6);
    eq('src', formatIp(p.buf, p.src_ip_off, 16), f['ipv6.src']?.[ipIdx]);
    eq('dst', formatIp(p.buf, p.dst_ip_off, 16), f['ipv6.dst']?.[ipIdx]);
    eq('ttl', p.ttl, num(f['ipv6.hlim']?.[ipIdx]));
    eq('ip_len', p.ip_len, 40 + num(f['ipv6.plen']?.[ipIdx]));
  }
  if (tr === 'tcp') {
    eq('src_port', p.src_port, num(f['tcp.srcport']?.[trIdx]));
    eq('dst_port', p.dst_port, num(f['tcp.dstport']?.[trIdx]));
    eq('tcp_flags', p.tcp_flags, num(f['tcp.flags']?.[trIdx]) & 0xff);
    eq('tcp_seq', p.tcp_seq, num(f['tcp.seq_raw']?.[trIdx]));
    eq('tcp_ack', p.tcp_ack, num(f['tcp.ack_raw']?.[trIdx]));
    eq('tcp_win', p.tcp_win, num(f['tcp.window_size_value']?.[trIdx]));
    const len = f['tcp.len']?.[trIdx]; // absent when tshark hands a first fragment to an application dissector
    if (len !== undefined) eq('payload_len', p.payload_len, num(len));
  } else if (tr === 'udp') {
    eq('src_port', p.src_port, num(f['udp.srcport']?.[trIdx]));
    eq('dst_port', p.dst_port, num(f['udp.dstport']?.[trIdx]));
    eq('payload_len', p.payload_len, num(f['udp.length']?.[trIdx]) - 8);
  } else if (tr === 'icmp' || tr === 'icmpv6') {
    eq('type', p.src_port, num(f[`${tr}.type`]?.[trIdx]));
    eq('code', p.dst_port, num(f[`${tr}.code`]?.[trIdx]));
  } else {
    eq('ports', p.src_port + p.dst_port, 0);
  }
  return d;
}

test('decoded fields equal tshark per frame (innermost IP and transport)', { skip: SKIP_NO_SHARED }, () => {
  const rows = loadRows();
  const captures = new Map<string, Capture>();
  const p = createPacket();
  const problems: string[] = [];
  let compared = 0;
  for (const row of rows) {
    let cap = captures.get(row.capture);
    if (cap === undefined) {
      cap = readCapture(join(CAPTURES, row.capture));
      captures.set(row.capture, cap);
    }
    const rec = cap.records[row.frame - 1];
    assert.ok(rec, `${row.capture} frame ${row.frame} exists`);
    decodePacket(packetFor(cap, rec, p));
    if (p.layers[0] === Layer.Unknown) continue; // link types nad does not decode: see oracle.test.ts
    const key = `${row.capture}#${row.frame}`;
    const diff = compare(p, row);
    compared++;
    if (KNOWN[key] !== undefined) {
      assert.notDeepEqual(diff, [], `${key} is listed as a known difference but now matches: remove it from KNOWN`);
    } else if (diff.length > 0) {
      problems.push(`${key} (${row.stack.join(':')}): ${diff.join('; ')}`);
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(compared > 900, `compared ${compared} frames`);
});
