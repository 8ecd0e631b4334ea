/**
 * The capture stage's readCaptures hands decodePacket what it needs (chunk view, record bounds, link type): for
 * every capture under encap/, linktypes/ and app/, decoding the packets it delivers gives the same per-packet
 * results as decoding the records of this folder's own minimal walker (records.ts).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCaptures } from '../../src/capture/index.js';
import { createPacket } from '../../src/decode/layer.js';
import type { Packet } from '../../src/decode/layer.js';
import { decodePacket } from '../../src/decode/packet.js';
import { CAPTURES, HAVE_SHARED, SKIP_NO_SHARED } from '../shared.js';
import { packetFor, readCapture } from './records.js';

/** What the flow stage reads from a decoded packet, as one comparable string. */
function summary(p: Packet): string {
  const addr = p.ip_version === 0 ? '' : p.buf.toString('hex', p.src_ip_off, p.dst_ip_off + (p.ip_version === 4 ? 4 : 16));
  return [
    [...p.layers.subarray(0, p.n_layers)].join('.'), p.tunnel, p.vlan, p.ip_version, addr, p.ip_proto, p.ip_len,
    p.src_port, p.dst_port, p.tcp_flags, p.tcp_seq, p.frag_off, p.frag_mf, p.payload_len, p.payload_end - p.payload_off,
    p.issue, p.issue_layer,
  ].join(' ');
}

const files = HAVE_SHARED
  ? ['encap', 'linktypes', 'app'].flatMap((d) =>
      readdirSync(join(CAPTURES, d)).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => `${d}/${f}`))
  : [];

test('decoding what readCaptures delivers equals decoding the raw records', { skip: SKIP_NO_SHARED }, async () => {
  let compared = 0;
  for (const rel of files) {
    const path = join(CAPTURES, rel);
    const cap = readCapture(path);
    const want = cap.records.map((r) => {
      const p = packetFor(cap, r, createPacket());
      p.linktype &= 0xffff; // the reader drops the FCS-length bits of the pcap link-type field (and warns)
      decodePacket(p);
      return summary(p);
    });
    const got: string[] = [];
    await readCaptures([path], { packet: (p) => { decodePacket(p); got.push(summary(p)); } });
    assert.deepEqual(got, want, rel);
    compared += got.length;
  }
  assert.ok(compared > 2000, `${compared} packets compared`);
});
