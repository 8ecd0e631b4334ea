/**
 * A second DHCP server (Zeek's and Suricata's rogue-DHCP checks; the first step of a DHCP-spoofing man in the middle):
 * when more than one server answers clients (OFFER, ACK or NAK, by server identifier, option 54), every server but the
 * one that answered the most clients is reported:
 *   another server answered clients                                                 0.45 (low: failover pairs do too)
 *   and it gives a gateway (option 3) or DNS servers (option 6) the main one does not  0.65 (medium: what a rogue
 *                                                                                       server is set up to do)
 * One server, however many messages, is never a finding.
 */
import type { DhcpRecord, FlowApp } from '../app/records.js';
import type { ConnRecord } from '../flow/conn.js';
import { compareText, round3 } from '../features/stats.js';
import type { DetectContext, Detector, RawFinding } from './detector.js';

const SECOND_SERVER = 0.45;
const OTHER_GATEWAY_OR_DNS = 0.65;

interface Server { id: string; clients: Set<string>; messages: DhcpRecord[]; routers: Set<string>; dns: Set<string> }

function serversOf(records: readonly DhcpRecord[]): Server[] {
  const servers = new Map<string, Server>();
  for (const r of records) {
    if ((r.msg_type !== 'OFFER' && r.msg_type !== 'ACK' && r.msg_type !== 'NAK') || r.server_addr === '') continue;
    let s = servers.get(r.server_addr);
    if (s === undefined) { s = { id: r.server_addr, clients: new Set(), messages: [], routers: new Set(), dns: new Set() }; servers.set(r.server_addr, s); }
    if (r.mac !== '') s.clients.add(r.mac);
    s.messages.push(r);
    for (const a of r.routers) s.routers.add(a);
    for (const a of r.dns_servers) s.dns.add(a);
  }
  // The main server first: most clients, then the lower address (a stable order for equal ones).
  return [...servers.values()].sort((a, b) => b.clients.size - a.clients.size || compareText(a.id, b.id));
}

const list = (s: ReadonlySet<string>): string => [...s].sort().join(' ') || '(none)';
const outside = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean => [...a].some((x) => !b.has(x));

export function createDhcpDetector(): Detector {
  const byUid = new Map<string, ConnRecord>();
  return {
    id: 'dhcp',
    observe(conn: ConnRecord, _app: FlowApp): void {
      if (conn.proto === 'udp' && (conn.resp_p === 67 || conn.resp_p === 68 || conn.orig_p === 67)) byUid.set(conn.uid, conn);
    },
    finish(ctx: DetectContext): RawFinding[] {
      const servers = serversOf(ctx.dhcp);
      if (servers.length < 2) return [];
      const main = servers[0]!;
      return servers.slice(1).map((s) => {
        const other = outside(s.routers, main.routers) || outside(s.dns, main.dns);
        const score = round3(other ? OTHER_GATEWAY_OR_DNS : SECOND_SERVER);
        const conns = [...new Set(s.messages.map((m) => byUid.get(m.uid)).filter((c): c is ConnRecord => c !== undefined))];
        return {
          detector: 'dhcp', kind: 'dhcp', src: s.id, dst: '', dst_port: 68, proto: 'udp', name: '', score, conns,
          evidence: [
            { name: 'server', value: s.id }, { name: 'clients_answered', value: s.clients.size },
            { name: 'messages', value: s.messages.length }, { name: 'main_server', value: main.id },
            { name: 'main_server_clients', value: main.clients.size },
            { name: 'routers', value: list(s.routers) }, { name: 'main_server_routers', value: list(main.routers) },
            { name: 'dns_servers', value: list(s.dns) }, { name: 'main_server_dns_servers', value: list(main.dns) },
            { name: 'dhcp_score', value: score },
          ],
          reason: `${s.id} answered DHCP for ${s.clients.size} client${s.clients.size === 1 ? '' : 's'} beside ${main.id} (${main.clients.size})` +
            (other ? `, giving them gateway ${list(s.routers)} and DNS ${list(s.dns)} where ${main.id} gives ${list(main.routers)} and ${list(main.dns)}: what a rogue DHCP server does` : ': a second DHCP server, which failover pairs are too; check that it is yours') + '.',
          ...(conns.length === 0 ? { span: { first: s.messages[0]!.ts, last: s.messages[s.messages.length - 1]!.ts } } : {}),
        };
      });
    },
  };
}
