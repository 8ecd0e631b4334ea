/**
 * Synthetic ReportData built from the contracts (ConnRecord, records.ts, Finding), not from the pipeline: a 4-hour
 * office capture with a beacon, an exfiltration, a DNS tunnel and a port scan. `hostile` puts attacker-controlled
 * strings in every wire-derived field that the report shows.
 */
import type { CredentialRecord, DnsRecord, FtpRecord, HttpRecord, SmtpRecord, TlsRecord } from '../../src/app/records.js';
import type { InputSummary } from '../../src/capture/types.js';
import type { Finding } from '../../src/findings/finding.js';
import type { ConnRecord } from '../../src/flow/conn.js';
import type { GeoLookup } from '../../src/geo/lookup.js';
import type { ReportData } from '../../src/report/types.js';

export const HOSTILE = {
  script: '<script>window.__pwned=1;alert(1)</script>',
  img: '"><img src=x onerror="window.__pwned=2;alert(2)">',
  js: 'javascript:window.__pwned=3;alert(3)',
  tmpl: '{{constructor.constructor "window.__pwned=4"}}{{{x}}}',
  ctrl: 'evil\u0000\u001b[31mred\u0007\r\nX-Injected: 1\u202eexe.txt',
  svg: '<svg onload="window.__pwned=5"><foreignObject><iframe src="javascript:alert(5)"></iframe></foreignObject></svg>',
} as const;
export const HOSTILE_ALL = Object.values(HOSTILE).join(' ');
/** A password the fixture's FTP and HTTP logins carry (as under --capture-passwords): the report must never show it. */
export const PASSWORD = 'hunter2-NEVER-IN-REPORT';

const START = 1_772_000_000; // 2026-02-25T06:13:20Z

let uidN = 0;
function conn(p: Partial<ConnRecord> & Pick<ConnRecord, 'orig_h' | 'resp_h' | 'resp_p'>, t: number): ConnRecord {
  uidN++;
  const orig_bytes = p.orig_bytes ?? 300 + (uidN % 7) * 40;
  const resp_bytes = p.resp_bytes ?? 2000 + (uidN % 11) * 300;
  return {
    ts: t.toFixed(9),
    uid: `C${uidN.toString(36).padStart(8, '0')}`,
    community_id: `1:fixture${uidN}=`,
    orig_p: 40000 + (uidN % 20000),
    proto: 'tcp',
    ip_proto: 6,
    service: 'tls',
    service_source: 'payload',
    duration: 1.5,
    last_ts: (t + 1.5).toFixed(9),
    conn_state: 'SF',
    missed_bytes: 0,
    history: 'ShADadFf',
    orig_pkts: 8,
    orig_ip_bytes: orig_bytes + 400,
    resp_pkts: 9,
    resp_ip_bytes: resp_bytes + 460,
    orig_payload_bytes: orig_bytes,
    resp_payload_bytes: resp_bytes,
    tunnel: '',
    end_reason: 'fin',
    orig_bursts: [],
    orig_burst_bytes: [],
    ...p,
    orig_bytes,
    resp_bytes,
  };
}

function ref(c: ConnRecord) {
  return { ts: c.ts, uid: c.uid, community_id: c.community_id, orig_h: c.orig_h, orig_p: c.orig_p, resp_h: c.resp_h, resp_p: c.resp_p };
}

const PUBLIC = ['8.8.8.8', '1.1.1.1', '151.101.1.69', '185.199.108.153', '77.88.8.8', '2001:4860:4860::8888', '13.107.42.14', '104.16.132.229', '31.13.72.36', '94.100.180.200'];

export function fixture(opts: { hostile: boolean; geo: GeoLookup | null; scale?: number }): ReportData {
  uidN = 0;
  const h = (s: string): string => (opts.hostile ? `${s}${HOSTILE_ALL}` : s);
  const scale = opts.scale ?? 1;
  const conns: ConnRecord[] = [];
  const dns: DnsRecord[] = [];
  const tls: TlsRecord[] = [];
  const http: HttpRecord[] = [];
  // Background: 10 clients browsing for 4 hours.
  for (let i = 0; i < 600 * scale; i++) {
    const c = conn({ orig_h: `10.0.0.${10 + (i % 10)}`, resp_h: PUBLIC[i % PUBLIC.length] ?? '', resp_p: 443, service: i % 5 === 0 ? 'http' : 'tls' }, START + (i * 14400) / (600 * scale));
    conns.push(c);
    if (c.service === 'tls') tls.push({ ...ref(c), transport: 'tcp', version: 'TLSv13', cipher: 'TLS_AES_128_GCM_SHA256', server_name: h(`site${i % 20}.example.com`), alpn: ['h2'], ja3: 'a0e9f5d64349fb13191bc781f81f42e1', ja3s: '', ja4: 't13d1516h2_8daaf6152771_e5627efa2ab1', ja4s: '', subject: '', issuer: '', not_valid_before: '', not_valid_after: '', cert_sha1: '', quic_version: '', ja4x: 'a373a9f83c6b_2bab15409345_7bf9a7bf7029' });
    else http.push({ ...ref(c), trans_depth: 1, method: 'GET', host: h(`cdn${i % 5}.example.net`), uri: h(`/index.html?q=${i}`), referrer: '', version: '1.1', user_agent: h('Mozilla/5.0'), request_body_len: 0, response_body_len: c.resp_bytes, status_code: 200, status_msg: 'OK', resp_mime: 'text/html', ja4h: h('ge11nn05enus_c937b9d8d06e_000000000000_000000000000'), orig_mime_types: '', resp_mime_types: h('text/html'), resp_md5: '', resp_sha256: h('0'.repeat(64)), orig_sha256: '', orig_filenames: [], orig_file_mime_types: [], orig_file_sha256: [] });
    const d = conn({ orig_h: c.orig_h, resp_h: '10.0.0.2', resp_p: 53, proto: 'udp', ip_proto: 17, service: 'dns', orig_bytes: 40, resp_bytes: 120 }, START + (i * 14400) / (600 * scale) - 0.05);
    conns.push(d);
    dns.push({ ...ref(d), proto: 'udp', trans_id: i, rtt: 0.01, query: h(`site${i % 20}.example.com`), qclass: 1, qclass_name: 'C_INTERNET', qtype: 1, qtype_name: 'A', rcode: 0, rcode_name: 'NOERROR', AA: false, TC: false, RD: true, RA: true, Z: 0, answers: [c.resp_h], answer_types: ['A'], TTLs: [300], txt_bytes: 0, rejected: false });
  }
  // A program downloaded as an image (the files table), its URI and host from the wire.
  const dl = conn({ orig_h: '10.0.0.23', resp_h: '203.0.113.80', resp_p: 80, service: 'http', resp_bytes: 463_872 }, START + 20);
  conns.push(dl);
  http.push({ ...ref(dl), trans_depth: 1, method: 'GET', host: h('update.vps-c2.example'), uri: h('/invest_20.png'), referrer: '', version: '1.1', user_agent: h('curl/8.0'), request_body_len: 0, response_body_len: 463_872, status_code: 200, status_msg: 'OK', resp_mime: h('image/png'), ja4h: '', orig_mime_types: '', resp_mime_types: 'application/x-dosexec', resp_md5: 'ab'.repeat(16), resp_sha256: 'cd'.repeat(32), orig_sha256: '', orig_filenames: [], orig_file_mime_types: [], orig_file_sha256: [] });
  // An archive posted out (an upload: exfiltration evidence).
  const up = conn({ orig_h: '10.0.0.42', resp_h: '198.51.100.99', resp_p: 80, service: 'http', orig_bytes: 2_400_000 }, START + 30);
  conns.push(up);
  http.push({ ...ref(up), trans_depth: 1, method: 'POST', host: h('drop.example.org'), uri: h('/upload.php'), referrer: '', version: '1.1', user_agent: h('curl/8.0'), request_body_len: 2_400_000, response_body_len: 2, status_code: 200, status_msg: 'OK', resp_mime: 'text/plain', ja4h: '', orig_mime_types: 'application/zip', resp_mime_types: '', resp_md5: '', resp_sha256: '', orig_sha256: 'ef'.repeat(32), orig_filenames: [], orig_file_mime_types: [], orig_file_sha256: [] });
  // Beacon: every 60 s ± 1 s to a VPS.
  const beacon = Array.from({ length: 240 }, (_, i) => conn({ orig_h: '10.0.0.23', resp_h: '45.33.32.156', resp_p: 8443, orig_bytes: 310, resp_bytes: 120 }, START + 30 + i * 60 + (i % 3) - 1));
  // Exfiltration: 40 large uploads in the last hour.
  const exfil = Array.from({ length: 40 }, (_, i) => conn({ orig_h: '10.0.0.42', resp_h: '185.220.101.7', resp_p: 443, orig_bytes: 25_000_000 + i * 1000, resp_bytes: 4000 }, START + 10800 + i * 90));
  // DNS tunnel: 300 TXT queries with random-looking labels.
  const tunnel = Array.from({ length: 300 }, (_, i) => {
    const c = conn({ orig_h: '10.0.0.51', resp_h: '10.0.0.2', resp_p: 53, proto: 'udp', ip_proto: 17, service: 'dns', orig_bytes: 90, resp_bytes: 200 }, START + 600 + i * 20);
    const label = Buffer.from(`chunk-${i}-${'x'.repeat(i % 9)}`).toString('hex').slice(0, 40);
    dns.push({ ...ref(c), proto: 'udp', trans_id: 5000 + i, rtt: 0.05, query: `${label}${opts.hostile ? HOSTILE_ALL : ''}.t.exfil-tunnel.xyz`, qclass: 1, qclass_name: 'C_INTERNET', qtype: 16, qtype_name: 'TXT', rcode: 0, rcode_name: 'NOERROR', AA: false, TC: false, RD: true, RA: true, Z: 0, answers: [h('txtdata')], answer_types: ['TXT'], TTLs: [0], txt_bytes: 120, rejected: false });
    return c;
  });
  // Scan: one host probes 200 ports on 3 hosts.
  const scan = Array.from({ length: 200 }, (_, i) => conn({ orig_h: '10.0.0.66', resp_h: `10.0.1.${1 + (i % 3)}`, resp_p: 1 + i * 3, conn_state: i % 10 === 0 ? 'SF' : 'REJ', history: 'Sr', orig_bytes: 0, resp_bytes: 0, service: '', service_source: '' }, START + 7200 + i * 0.2));
  conns.push(...beacon, ...exfil, ...tunnel, ...scan);
  conns.sort((a, b) => Number(a.ts) - Number(b.ts));
  const mk = (rank: number, f: Partial<Finding> & Pick<Finding, 'severity' | 'score' | 'kinds' | 'src' | 'dst'>, cs: readonly ConnRecord[]): Finding => ({
    rank,
    dst_port: cs[0]?.resp_p ?? null,
    proto: cs[0]?.proto ?? 'tcp',
    name: '',
    dst_country: '',
    dst_asn: '',
    src_host: '',
    uids: cs.slice(0, 50).map((c) => c.uid),
    community_ids: cs.slice(0, 50).map((c) => c.community_id),
    flow_count: cs.length,
    first_seen: cs[0]?.ts ?? '',
    last_seen: cs[cs.length - 1]?.last_ts ?? '',
    evidence: [],
    explanation: '',
    ...f,
  });
  const findings: Finding[] = [
    mk(1, { severity: 'high', score: 0.962, kinds: ['beacon'], src: '10.0.0.23', src_host: h('LT-OLGA'), dst: '45.33.32.156', name: h('update.vps-c2.example'), evidence: [{ name: 'ts_score', value: 0.998 }, { name: 'ds_score', value: 0.97 }, { name: 'sni', value: h('update.vps-c2.example') }], explanation: h('10.0.0.23 contacted update.vps-c2.example every 60 s (240 times) with near-constant size.') }, beacon),
    mk(2, { severity: 'high', score: 0.91, kinds: ['exfil', 'anomaly'], src: '10.0.0.42', dst: '185.220.101.7', evidence: [{ name: 'orig_bytes', value: 1_000_780_000 }, { name: 'ratio', value: 6250, note: 'out/in' }], explanation: '10.0.0.42 sent 1.0 GB to 185.220.101.7 in one hour, 250× its baseline.' }, exfil),
    mk(3, { severity: 'medium', score: 0.74, kinds: ['dns_tunnel'], src: '10.0.0.51', dst: '', name: h('exfil-tunnel.xyz').replace(/^/, ''), evidence: [{ name: 'queries', value: 300 }, { name: 'mean_entropy', value: 3.6 }, { name: 'example', value: h('a1b2.t.exfil-tunnel.xyz') }], explanation: h('300 TXT queries with random labels under exfil-tunnel.xyz.') }, tunnel),
    mk(4, { severity: 'low', score: 0.41, kinds: ['scan'], src: '10.0.0.66', dst: '', dst_port: null, evidence: [{ name: 'ports', value: 200 }], explanation: '10.0.0.66 probed 200 ports on 3 hosts; 90% were rejected.' }, scan),
  ];
  if (opts.hostile) findings[2] = { ...(findings[2] as Finding), name: 'exfil-tunnel.xyz' };
  const input: InputSummary = {
    path: opts.hostile ? `captures/${HOSTILE.script}.pcap` : 'samples/suspect.pcap',
    sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    size: 123_456_789,
    format: 'pcapng',
    gzip: false,
    packets: 412_345,
    bytes: 120_000_000,
    lost_bytes: 0,
    link_types: [1],
    first_ts: START.toFixed(9),
    last_ts: (START + 14400).toFixed(9),
    skipped_blocks: {},
    warnings: opts.hostile ? { truncated_record: { count: 2, first_offset: 1024, message: h('record cut at byte 1024') } } : {},
    stopped: null,
    interrupted: false,
  };
  // An FTP upload and two cleartext logins; user names and file names come off the wire.
  const ctl = conn({ orig_h: '10.0.0.23', resp_h: '198.51.100.7', resp_p: 21, service: 'ftp' }, START + 7000);
  const data = conn({ orig_h: '10.0.0.23', resp_h: '198.51.100.7', resp_p: 50000, service: 'ftp-data', orig_bytes: 2_400_000, resp_bytes: 0 }, START + 7005);
  conns.push(ctl, data);
  const ftp: FtpRecord[] = [{
    ...ref(ctl), user: h('bob'), password: PASSWORD, command: 'STOR', arg: h('ftp://198.51.100.7/./PW_bob.html'), file_size: null,
    reply_code: 226, reply_msg: h('Transfer complete.'), data_channel_passive: null, data_channel_orig_h: '', data_channel_resp_h: '',
    data_channel_resp_p: null, data_uid: data.uid, mime_type: '', md5: '', sha256: '',
  }];
  const smtp: SmtpRecord[] = [{
    ...ref(ctl), trans_depth: 1, helo: h('pc'), mailfrom: h('x@corp.example'), rcptto: [h('drop@mail.example')], date: '', from: h('X'), to: [],
    cc: [], reply_to: '', msg_id: '', in_reply_to: '', subject: h('logs'), x_originating_ip: '', first_received: '', second_received: '',
    last_reply: '250 ok', user_agent: h('Outlook'), tls: false, attachments: [h('PW_pc.html'), h('invoice.zip')], body_bytes: 56000,
    attachment_mime_types: ['text/html', 'application/zip'], attachment_bytes: [2100, 51200], attachment_md5: ['', ''], attachment_sha256: ['', 'ab'.repeat(32)],
  }];
  const credentials: CredentialRecord[] = [
    { ...ref(ctl), protocol: 'ftp', host: '', username: h('bob'), password: PASSWORD, password_hidden: false, outcome: 'accepted' },
    { ...ref(ctl), protocol: 'http-basic', host: h('intranet'), username: h('admin'), password: PASSWORD, password_hidden: false, outcome: 'rejected' },
  ];
  return {
    tool: 'nad',
    version: '0.1.0',
    generated_at: '2026-03-09T12:00:00.000Z',
    params: { idle_timeout_s: 60, active_timeout_s: 3600, geo: opts.geo !== null, filter: opts.hostile ? h('tcp') : '' },
    inputs: [input],
    conns,
    dns,
    tls,
    http,
    findings,
    baseline: { path: 'models/baseline.json', sha256: 'ab'.repeat(32), flows: 12_000, service_share: { tls: 0.6, dns: 0.3, http: 0.08, '': 0.02 } },
    geo: opts.geo,
    decode_issues: { truncated: 3 },
    // DHCP host names come off the wire too (option 12 is whatever the client sends).
    hosts: [{ ip: '10.0.0.23', names: [h('LT-OLGA')], mac: '3c:52:82:c3:96:8f', client_software: h('MSFT 5.0'), first_seen: String(START) }],
    ftp,
    smtp,
    credentials,
  };
}
