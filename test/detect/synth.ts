/** Synthetic connection records for detector tests (no capture needed). */
import type { ConnRecord } from '../../src/flow/conn.js';
import type { DhcpRecord, DnsRecord, FlowApp, HttpRecord, TlsRecord } from '../../src/app/records.js';

let counter = 0;

/** A TCP SF connection with sensible defaults; `ts` in epoch seconds. */
export function conn(p: Partial<Omit<ConnRecord, 'ts' | 'last_ts'>> & { ts: number; last?: number }): ConnRecord {
  counter++;
  const { ts, last, ...rest } = p;
  const duration = rest.duration ?? (last !== undefined ? last - ts : 0.5);
  return {
    uid: `C${counter.toString(36).padStart(8, '0')}`, community_id: `1:synthetic${counter}=`,
    orig_h: '10.0.0.5', orig_p: 40000 + (counter % 20000), resp_h: '203.0.113.10', resp_p: 443, proto: 'tcp', ip_proto: 6,
    service: '', service_source: '', duration, orig_bytes: 300, resp_bytes: 1200, conn_state: 'SF', missed_bytes: 0,
    history: 'ShADadFf', orig_pkts: 6, orig_ip_bytes: 620, resp_pkts: 6, resp_ip_bytes: 1520, orig_payload_bytes: 300,
    resp_payload_bytes: 1200, tunnel: '', end_reason: 'fin', orig_bursts: [ts], orig_burst_bytes: [300],
    ...rest,
    ts: ts.toFixed(9), last_ts: (ts + duration).toFixed(9),
  };
}

export const NO_APP: FlowApp = { dns: [], tls: [], http: [], ssh: [] };

export function dns(c: ConnRecord, query: string, qtype = 1, answers: string[] = []): DnsRecord {
  return {
    ts: c.ts, uid: c.uid, community_id: c.community_id, orig_h: c.orig_h, orig_p: c.orig_p, resp_h: c.resp_h, resp_p: c.resp_p,
    proto: 'udp', trans_id: 1, rtt: 0.01, query, qclass: 1, qclass_name: 'C_INTERNET', qtype,
    qtype_name: ({ 1: 'A', 5: 'CNAME', 10: 'NULL', 15: 'MX', 16: 'TXT', 28: 'AAAA' } as Record<number, string>)[qtype] ?? String(qtype),
    rcode: 0, rcode_name: 'NOERROR', AA: false, TC: false, RD: true, RA: true, Z: 0, answers,
    answer_types: answers.map(() => 'A'), TTLs: answers.map(() => 60), txt_bytes: 0, rejected: false,
  };
}

export function tls(c: ConnRecord, p: Partial<TlsRecord>): TlsRecord {
  return {
    ts: c.ts, uid: c.uid, community_id: c.community_id, orig_h: c.orig_h, orig_p: c.orig_p, resp_h: c.resp_h, resp_p: c.resp_p,
    transport: 'tcp', version: 'TLSv12', cipher: '', server_name: '', alpn: [], ja3: '', ja3s: '', ja4: '', ja4s: '',
    subject: '', issuer: '', not_valid_before: '', not_valid_after: '', cert_sha1: '', quic_version: '', ja4x: '', ...p,
  };
}

export function http(c: ConnRecord, p: Partial<HttpRecord>): HttpRecord {
  return {
    ts: c.ts, uid: c.uid, community_id: c.community_id, orig_h: c.orig_h, orig_p: c.orig_p, resp_h: c.resp_h, resp_p: c.resp_p,
    trans_depth: 1, method: 'GET', host: '', uri: '/', referrer: '', version: '1.1', user_agent: 'Mozilla/5.0', request_body_len: 0,
    response_body_len: 0, status_code: 200, status_msg: 'OK', resp_mime: 'text/html', ja4h: '', orig_mime_types: '', resp_mime_types: '', resp_md5: '', resp_sha256: '', orig_sha256: '', orig_filenames: [], orig_file_mime_types: [], orig_file_sha256: [], ...p,
  };
}

/** xorshift32 in [0, 1): reproducible series. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

let dhcpN = 0;
/** A DHCP message (dhcp.csv row) with empty defaults, one second after the last one. */
export function dhcpMsg(p: Partial<DhcpRecord> & Pick<DhcpRecord, 'msg_type' | 'trans_id' | 'mac'>): DhcpRecord {
  dhcpN++;
  return {
    ts: `${1_700_000_000 + dhcpN}.000000000`, uid: '', community_id: '', orig_h: '0.0.0.0', orig_p: 68, resp_h: '255.255.255.255', resp_p: 67,
    client_addr: '', assigned_addr: '', requested_addr: '', server_addr: '', host_name: '', client_fqdn: '', domain: '',
    lease_time: null, client_software: '', param_list: '', routers: [], dns_servers: [], ...p,
  };
}
