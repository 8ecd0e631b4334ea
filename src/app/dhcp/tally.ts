/**
 * DHCP beside the flow table: every decoded packet is offered to `packet(p)`, and UDP datagrams between ports 67 and 68
 * (either way) are read as DHCP messages. Called per packet, so the test that rejects a packet comes first and costs
 * two compares; a record is made only for a DHCP message (rare). Bounded: past MAX_RECORDS messages are counted, not
 * kept (a DHCP starvation attack sends millions).
 *
 * Wiring (the capture sink): `const dhcp = createDhcpTally();` … `decodePacket(p); dhcp.packet(p);` … then
 * `linkDhcp(dhcp.records(), conns)` once the flows are known.
 */
import type { DhcpRecord } from '../records.js';
import type { ConnRecord } from '../../flow/conn.js';
import type { Packet } from '../../decode/layer.js';
import { formatTs } from '../../capture/time.js';
import { communityIdAt } from '../../flow/community_id.js';
import { addrToString } from '../../flow/key.js';
import { dhcpMessageTypeName, parseDhcp } from './message.js';

/** DHCP messages kept per run. */
export const MAX_DHCP_RECORDS = 100_000;

export interface DhcpTally {
  packet(p: Packet): void;
  /** The messages in packet order. */
  records(): DhcpRecord[];
  /** Datagrams on 67/68 that were not DHCP (no magic cookie, too short), messages cut short, messages not kept. */
  readonly stats: { not_dhcp: number; truncated: number; dropped: number };
}

export function createDhcpTally(): DhcpTally {
  const records: DhcpRecord[] = [];
  const stats = { not_dhcp: 0, truncated: 0, dropped: 0 };
  return {
    stats,
    packet(p: Packet): void {
      if (p.ip_proto !== 17 || p.ip_version !== 4) return;
      const sp = p.src_port;
      const dp = p.dst_port;
      if (!((sp === 68 && dp === 67) || (sp === 67 && dp === 68) || (sp === 67 && dp === 67))) return;
      if (p.frag_off !== 0 || p.frag_mf !== 0) return;
      const m = parseDhcp(p.buf, p.view, p.payload_off, p.payload_end);
      if (m === null) { stats.not_dhcp++; return; }
      if (!m.complete) stats.truncated++;
      if (records.length >= MAX_DHCP_RECORDS) { stats.dropped++; return; }
      const src = addrToString(p.buf, p.src_ip_off, 4);
      const dst = addrToString(p.buf, p.dst_ip_off, 4);
      records.push({
        ts: formatTs(p.ts_sec, p.ts_nsec), uid: '',
        community_id: communityIdAt(17, p.buf, p.src_ip_off, p.buf, p.dst_ip_off, 4, sp, dp),
        orig_h: src, orig_p: sp, resp_h: dst, resp_p: dp,
        trans_id: `0x${m.xid.toString(16).padStart(8, '0')}`,
        msg_type: m.msg_type === 0 ? 'BOOTP' : dhcpMessageTypeName(m.msg_type), mac: m.mac,
        client_addr: m.ciaddr, assigned_addr: m.yiaddr, requested_addr: m.requested_addr, server_addr: m.server_id,
        host_name: m.host_name, client_fqdn: m.client_fqdn, domain: m.domain, lease_time: m.lease_time,
        client_software: m.vendor_class, param_list: m.param_list.join(','), routers: m.routers, dns_servers: m.dns_servers,
      });
    },
    records: () => records,
  };
}

/** DHCP messages in time order (a stable sort: messages of one instant stay in packet order). */
export function sortDhcp(records: DhcpRecord[]): DhcpRecord[] {
  return records.sort((a, b) => Number(a.ts) - Number(b.ts));
}

/**
 * Ties each message to its flow: the connection with the same Community ID whose time span holds the message (flows of
 * one 5-tuple do not overlap in time); its uid and its ends (orig/resp as flows.csv has them). A message whose flow was
 * not kept keeps the packet's ends and no uid.
 */
export function linkDhcp(records: readonly DhcpRecord[], conns: readonly ConnRecord[]): DhcpRecord[] {
  if (records.length === 0) return [];
  const wanted = new Set(records.map((r) => r.community_id));
  const byCid = new Map<string, ConnRecord[]>();
  for (const c of conns) {
    if (c.proto !== 'udp' || !wanted.has(c.community_id)) continue;
    const l = byCid.get(c.community_id);
    if (l === undefined) byCid.set(c.community_id, [c]);
    else l.push(c);
  }
  // Each 5-tuple's flows by start time, searched by halving: a day of DHCP floods on one 5-tuple is many flows.
  const starts = new Map<string, number[]>();
  for (const [cid, l] of byCid) {
    l.sort((a, b) => Number(a.ts) - Number(b.ts));
    starts.set(cid, l.map((c) => Number(c.ts)));
  }
  return records.map((r) => {
    const t = Number(r.ts);
    const l = byCid.get(r.community_id);
    const ts = starts.get(r.community_id);
    if (l === undefined || ts === undefined) return r;
    // The last flow that started at or before the message.
    let lo = 0;
    let hi = ts.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ts[mid]! <= t) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    const c = at < 0 ? undefined : l[at];
    return c === undefined || t > Number(c.last_ts) ? r : { ...r, uid: c.uid, orig_h: c.orig_h, orig_p: c.orig_p, resp_h: c.resp_h, resp_p: c.resp_p };
  });
}
