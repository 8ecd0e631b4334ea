/**
 * The columns of every CSV export. Headers are Zeek's names (`id.orig_h`…) wherever Zeek has one; the meaning of each
 * column is the doc comment of the field it reads (src/flow/conn.ts, src/app/records.ts, src/findings/finding.ts).
 */
import type { CredentialRecord, DhcpRecord, DnsRecord, FlowRef, FtpRecord, HttpRecord, SmtpRecord, SshRecord, TlsRecord } from '../app/records.js';
import type { ConnRecord } from '../flow/conn.js';
import type { Finding } from '../findings/finding.js';
import type { IntelMatch } from '../detect/intel.js';
import type { Column } from './csv.js';

/** Columns that tie an app record to its flow. */
export function refColumns<T extends FlowRef>(): Column<T>[] {
  return [
    { header: 'ts', get: (r) => r.ts },
    { header: 'uid', get: (r) => r.uid },
    { header: 'community_id', get: (r) => r.community_id },
    { header: 'id.orig_h', get: (r) => r.orig_h },
    { header: 'id.orig_p', get: (r) => r.orig_p },
    { header: 'id.resp_h', get: (r) => r.resp_h },
    { header: 'id.resp_p', get: (r) => r.resp_p },
  ];
}

export const FLOW_COLUMNS: readonly Column<ConnRecord>[] = [
  ...refColumns<ConnRecord>(),
  { header: 'proto', get: (c) => c.proto },
  { header: 'ip_proto', get: (c) => c.ip_proto },
  { header: 'service', get: (c) => c.service },
  { header: 'service_source', get: (c) => c.service_source },
  { header: 'duration', get: (c) => c.duration.toFixed(6) },
  { header: 'last_ts', get: (c) => c.last_ts },
  { header: 'orig_bytes', get: (c) => c.orig_bytes },
  { header: 'resp_bytes', get: (c) => c.resp_bytes },
  { header: 'conn_state', get: (c) => c.conn_state },
  { header: 'missed_bytes', get: (c) => c.missed_bytes },
  { header: 'history', get: (c) => c.history },
  { header: 'orig_pkts', get: (c) => c.orig_pkts },
  { header: 'orig_ip_bytes', get: (c) => c.orig_ip_bytes },
  { header: 'resp_pkts', get: (c) => c.resp_pkts },
  { header: 'resp_ip_bytes', get: (c) => c.resp_ip_bytes },
  { header: 'orig_payload_bytes', get: (c) => c.orig_payload_bytes },
  { header: 'resp_payload_bytes', get: (c) => c.resp_payload_bytes },
  { header: 'tunnel', get: (c) => c.tunnel },
  { header: 'end_reason', get: (c) => c.end_reason },
];

export const DNS_COLUMNS: readonly Column<DnsRecord>[] = [
  ...refColumns<DnsRecord>(),
  { header: 'proto', get: (r) => r.proto },
  { header: 'trans_id', get: (r) => r.trans_id },
  { header: 'rtt', get: (r) => (r.rtt === null ? null : r.rtt.toFixed(6)) },
  { header: 'query', get: (r) => r.query },
  { header: 'qclass', get: (r) => r.qclass },
  { header: 'qclass_name', get: (r) => r.qclass_name },
  { header: 'qtype', get: (r) => r.qtype },
  { header: 'qtype_name', get: (r) => r.qtype_name },
  { header: 'rcode', get: (r) => r.rcode },
  { header: 'rcode_name', get: (r) => r.rcode_name },
  { header: 'AA', get: (r) => r.AA },
  { header: 'TC', get: (r) => r.TC },
  { header: 'RD', get: (r) => r.RD },
  { header: 'RA', get: (r) => r.RA },
  { header: 'Z', get: (r) => r.Z },
  { header: 'answers', get: (r) => r.answers },
  { header: 'answer_types', get: (r) => r.answer_types },
  { header: 'TTLs', get: (r) => r.TTLs },
  { header: 'txt_bytes', get: (r) => r.txt_bytes },
  { header: 'rejected', get: (r) => r.rejected },
];

export const TLS_COLUMNS: readonly Column<TlsRecord>[] = [
  ...refColumns<TlsRecord>(),
  { header: 'transport', get: (r) => r.transport },
  { header: 'version', get: (r) => r.version },
  { header: 'cipher', get: (r) => r.cipher },
  { header: 'server_name', get: (r) => r.server_name },
  { header: 'alpn', get: (r) => r.alpn },
  { header: 'ja3', get: (r) => r.ja3 },
  { header: 'ja3s', get: (r) => r.ja3s },
  { header: 'ja4', get: (r) => r.ja4 },
  { header: 'ja4s', get: (r) => r.ja4s },
  { header: 'retry_ja3', get: (r) => r.retry_ja3 ?? '' },
  { header: 'retry_ja4', get: (r) => r.retry_ja4 ?? '' },
  { header: 'subject', get: (r) => r.subject },
  { header: 'issuer', get: (r) => r.issuer },
  { header: 'not_valid_before', get: (r) => r.not_valid_before },
  { header: 'not_valid_after', get: (r) => r.not_valid_after },
  { header: 'cert_sha1', get: (r) => r.cert_sha1 },
  { header: 'quic_version', get: (r) => r.quic_version },
  { header: 'ja4x', get: (r) => r.ja4x },
];

export const HTTP_COLUMNS: readonly Column<HttpRecord>[] = [
  ...refColumns<HttpRecord>(),
  { header: 'trans_depth', get: (r) => r.trans_depth },
  { header: 'method', get: (r) => r.method },
  { header: 'host', get: (r) => r.host },
  { header: 'uri', get: (r) => r.uri },
  { header: 'referrer', get: (r) => r.referrer },
  { header: 'version', get: (r) => r.version },
  { header: 'user_agent', get: (r) => r.user_agent },
  { header: 'request_body_len', get: (r) => r.request_body_len },
  { header: 'response_body_len', get: (r) => r.response_body_len },
  { header: 'status_code', get: (r) => r.status_code },
  { header: 'status_msg', get: (r) => r.status_msg },
  { header: 'resp_mime', get: (r) => r.resp_mime },
  { header: 'ja4h', get: (r) => r.ja4h },
  { header: 'orig_mime_types', get: (r) => r.orig_mime_types },
  { header: 'resp_mime_types', get: (r) => r.resp_mime_types },
  { header: 'resp_md5', get: (r) => r.resp_md5 },
  { header: 'resp_sha256', get: (r) => r.resp_sha256 },
  { header: 'orig_sha256', get: (r) => r.orig_sha256 },
  { header: 'orig_filenames', get: (r) => r.orig_filenames },
  { header: 'orig_file_mime_types', get: (r) => r.orig_file_mime_types },
  { header: 'orig_file_sha256', get: (r) => r.orig_file_sha256 },
];

export const SSH_COLUMNS: readonly Column<SshRecord>[] = [
  ...refColumns<SshRecord>(),
  { header: 'client', get: (r) => r.client },
  { header: 'server', get: (r) => r.server },
  { header: 'hassh', get: (r) => r.hassh },
  { header: 'hassh_server', get: (r) => r.hassh_server },
];

/** ftp.csv: Zeek's ftp.log columns (its `data_channel.*` names), `data_uid` for its `fuid`, and the transferred file's hashes. */
export const FTP_COLUMNS: readonly Column<FtpRecord>[] = [
  ...refColumns<FtpRecord>(),
  { header: 'user', get: (r) => r.user },
  { header: 'password', get: (r) => r.password },
  { header: 'command', get: (r) => r.command },
  { header: 'arg', get: (r) => r.arg },
  { header: 'file_size', get: (r) => r.file_size },
  { header: 'reply_code', get: (r) => r.reply_code },
  { header: 'reply_msg', get: (r) => r.reply_msg },
  { header: 'data_channel.passive', get: (r) => r.data_channel_passive },
  { header: 'data_channel.orig_h', get: (r) => r.data_channel_orig_h },
  { header: 'data_channel.resp_h', get: (r) => r.data_channel_resp_h },
  { header: 'data_channel.resp_p', get: (r) => r.data_channel_resp_p },
  { header: 'data_uid', get: (r) => r.data_uid },
  { header: 'mime_type', get: (r) => r.mime_type },
  { header: 'md5', get: (r) => r.md5 },
  { header: 'sha256', get: (r) => r.sha256 },
];

/** smtp.csv: Zeek's smtp.log columns (but `path`, and `fuids` as the attachments' file names), the message size, and what
 *  Zeek's files.log says of each attachment (type, size, hashes). */
export const SMTP_COLUMNS: readonly Column<SmtpRecord>[] = [
  ...refColumns<SmtpRecord>(),
  { header: 'trans_depth', get: (r) => r.trans_depth },
  { header: 'helo', get: (r) => r.helo },
  { header: 'mailfrom', get: (r) => r.mailfrom },
  { header: 'rcptto', get: (r) => r.rcptto },
  { header: 'date', get: (r) => r.date },
  { header: 'from', get: (r) => r.from },
  { header: 'to', get: (r) => r.to },
  { header: 'cc', get: (r) => r.cc },
  { header: 'reply_to', get: (r) => r.reply_to },
  { header: 'msg_id', get: (r) => r.msg_id },
  { header: 'in_reply_to', get: (r) => r.in_reply_to },
  { header: 'subject', get: (r) => r.subject },
  { header: 'x_originating_ip', get: (r) => r.x_originating_ip },
  { header: 'first_received', get: (r) => r.first_received },
  { header: 'second_received', get: (r) => r.second_received },
  { header: 'last_reply', get: (r) => r.last_reply },
  { header: 'user_agent', get: (r) => r.user_agent },
  { header: 'tls', get: (r) => r.tls },
  { header: 'attachments', get: (r) => r.attachments },
  { header: 'body_bytes', get: (r) => r.body_bytes },
  { header: 'attachment_mime_types', get: (r) => r.attachment_mime_types },
  { header: 'attachment_bytes', get: (r) => r.attachment_bytes },
  { header: 'attachment_md5', get: (r) => r.attachment_md5 },
  { header: 'attachment_sha256', get: (r) => r.attachment_sha256 },
];

/** credentials.csv: user names (and, when asked, passwords) sent in the clear. */
export const CREDENTIAL_COLUMNS: readonly Column<CredentialRecord>[] = [
  ...refColumns<CredentialRecord>(),
  { header: 'protocol', get: (r) => r.protocol },
  { header: 'host', get: (r) => r.host },
  { header: 'username', get: (r) => r.username },
  { header: 'password', get: (r) => r.password },
  { header: 'password_hidden', get: (r) => r.password_hidden },
  { header: 'outcome', get: (r) => r.outcome },
];

export const FINDING_COLUMNS: readonly Column<Finding>[] = [
  { header: 'rank', get: (f) => f.rank },
  { header: 'severity', get: (f) => f.severity },
  { header: 'score', get: (f) => f.score.toFixed(3) },
  { header: 'kinds', get: (f) => f.kinds },
  { header: 'src', get: (f) => f.src },
  { header: 'dst', get: (f) => f.dst },
  { header: 'dst_port', get: (f) => f.dst_port },
  { header: 'proto', get: (f) => f.proto },
  { header: 'name', get: (f) => f.name },
  { header: 'dst_country', get: (f) => f.dst_country },
  { header: 'dst_asn', get: (f) => f.dst_asn },
  { header: 'flow_count', get: (f) => f.flow_count },
  { header: 'community_ids', get: (f) => f.community_ids.slice(0, 50) },
  { header: 'uids', get: (f) => f.uids.slice(0, 50) },
  { header: 'first_seen', get: (f) => f.first_seen },
  { header: 'last_seen', get: (f) => f.last_seen },
  { header: 'evidence', get: (f) => f.evidence.map((e) => `${e.name}=${e.value}`) },
  { header: 'explanation', get: (f) => f.explanation },
  // Added after the columns the first release had, so positional readers of findings.csv keep working.
  { header: 'src_host', get: (f) => f.src_host },
];

/** intel.csv: Zeek's intel.log columns (seen.indicator, seen.indicator_type, seen.where, sources) and the listed indicator. */
export const INTEL_COLUMNS: readonly Column<IntelMatch>[] = [
  ...refColumns<IntelMatch>(),
  { header: 'proto', get: (r) => r.proto },
  { header: 'seen.indicator', get: (r) => r.seen_indicator },
  { header: 'seen.indicator_type', get: (r) => r.seen_indicator_type },
  { header: 'seen.where', get: (r) => r.seen_where },
  { header: 'indicator', get: (r) => r.indicator },
  { header: 'sources', get: (r) => r.sources },
  { header: 'desc', get: (r) => r.desc },
  { header: 'url', get: (r) => r.url },
];

/** dhcp.csv: one row per DHCP message, Zeek's dhcp.log names where it has them. */
export const DHCP_COLUMNS: readonly Column<DhcpRecord>[] = [
  ...refColumns<DhcpRecord>(),
  { header: 'trans_id', get: (r) => r.trans_id },
  { header: 'msg_type', get: (r) => r.msg_type },
  { header: 'mac', get: (r) => r.mac },
  { header: 'client_addr', get: (r) => r.client_addr },
  { header: 'assigned_addr', get: (r) => r.assigned_addr },
  { header: 'requested_addr', get: (r) => r.requested_addr },
  { header: 'server_addr', get: (r) => r.server_addr },
  { header: 'host_name', get: (r) => r.host_name },
  { header: 'client_fqdn', get: (r) => r.client_fqdn },
  { header: 'domain', get: (r) => r.domain },
  { header: 'lease_time', get: (r) => r.lease_time },
  { header: 'client_software', get: (r) => r.client_software },
  { header: 'param_list', get: (r) => r.param_list },
  { header: 'routers', get: (r) => r.routers },
  { header: 'dns_servers', get: (r) => r.dns_servers },
];
