/** Shared assertions for the table-driven decoder tests: a partial expectation of the decoded Packet. */
import assert from 'node:assert/strict';
import { Layer } from '../../src/decode/layer.js';
import type { Packet } from '../../src/decode/layer.js';
import { layerName } from '../../src/decode/stats.js';
import { formatIp } from './addr.js';

export interface Expect {
  layers: (keyof typeof Layer)[];
  tunnel?: number;
  vlan?: number;
  ip_version?: 0 | 4 | 6;
  src?: string;
  dst?: string;
  ip_proto?: number;
  ip_len?: number;
  ttl?: number;
  src_port?: number;
  dst_port?: number;
  tcp_flags?: number;
  tcp_seq?: number;
  payload_len?: number;
  /** Captured payload bytes: payload_end - payload_off. */
  payload_bytes?: number;
  frag_off?: number;
  frag_mf?: number;
  frag_id?: number;
  issue?: number;
  issue_layer?: keyof typeof Layer;
  issue_detail?: number;
  arp_op?: number;
  arp_tpa?: string;
}

export function check(p: Packet, e: Expect, what: string): void {
  const layers = [...p.layers.subarray(0, p.n_layers)].map(layerName);
  assert.deepEqual(layers, e.layers, `${what}: layers`);
  const len = p.ip_version === 6 ? 16 : 4;
  const got: Record<string, unknown> = {
    tunnel: p.tunnel, vlan: p.vlan, ip_version: p.ip_version, ip_proto: p.ip_proto, ip_len: p.ip_len, ttl: p.ttl,
    src_port: p.src_port, dst_port: p.dst_port, tcp_flags: p.tcp_flags, tcp_seq: p.tcp_seq, payload_len: p.payload_len,
    payload_bytes: p.payload_end - p.payload_off, frag_off: p.frag_off, frag_mf: p.frag_mf, frag_id: p.frag_id,
    issue: p.issue, issue_detail: p.issue_detail, arp_op: p.arp_op,
    issue_layer: p.issue === 0 ? undefined : layerName(p.issue_layer),
    src: p.ip_version === 0 ? undefined : formatIp(p.buf, p.src_ip_off, len),
    dst: p.ip_version === 0 ? undefined : formatIp(p.buf, p.dst_ip_off, len),
    arp_tpa: p.arp_tpa_off === 0 ? undefined : formatIp(p.buf, p.arp_tpa_off, 4),
  };
  // Defaults: no tunnel, no VLAN, no issue, unless the case says otherwise.
  const want: Record<string, unknown> = { tunnel: 0, vlan: 0, issue: 0, ...e };
  delete want['layers'];
  for (const [k, v] of Object.entries(want)) assert.equal(got[k], v, `${what}: ${k}`);
}
