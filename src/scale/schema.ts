/**
 * The Parquet schema of a shard: one table per record type, columns named as the record fields (so the TypeScript
 * interfaces in src/flow/conn.ts and src/app/records.ts document them), in the same order. Types are plain Parquet
 * types every engine reads (Spark, Trino, ClickHouse, DuckDB): STRING (UTF-8 byte array), INT64, DOUBLE, BOOLEAN, and
 * JSON (a UTF-8 byte array holding a JSON array) for list fields, which keeps the files free of nested types.
 */
import type { CredentialRecord, DnsRecord, FtpRecord, HttpRecord, SmtpRecord, SshRecord, TlsRecord } from '../app/records.js';
import type { ConnRecord } from '../flow/conn.js';

export type ColumnType = 'STRING' | 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'JSON';

export interface TableColumn {
  readonly name: string;
  readonly type: ColumnType;
  /** The record field may be absent (an optional property): written as null, left out again when read back. */
  readonly optional?: boolean;
}

const S = (name: string): TableColumn => ({ name, type: 'STRING' });
const I = (name: string): TableColumn => ({ name, type: 'INT64' });
const D = (name: string): TableColumn => ({ name, type: 'DOUBLE' });
const B = (name: string): TableColumn => ({ name, type: 'BOOLEAN' });
const J = (name: string): TableColumn => ({ name, type: 'JSON' });

const REF: readonly TableColumn[] = [S('ts'), S('uid'), S('community_id'), S('orig_h'), I('orig_p'), S('resp_h'), I('resp_p')];

export const FLOW_TABLE: readonly TableColumn[] = [
  ...REF, S('proto'), I('ip_proto'), S('service'), S('service_source'), D('duration'), S('last_ts'), I('orig_bytes'),
  I('resp_bytes'), S('conn_state'), I('missed_bytes'), S('history'), I('orig_pkts'), I('orig_ip_bytes'), I('resp_pkts'),
  I('resp_ip_bytes'), I('orig_payload_bytes'), I('resp_payload_bytes'), S('tunnel'), S('end_reason'), J('orig_bursts'),
  J('orig_burst_bytes'),
  // Not a ConnRecord field: true when the flow touches a shard edge, so `nad merge` rebuilds it from the edge packets.
  B('edge'),
];

export const DNS_TABLE: readonly TableColumn[] = [
  ...REF, S('proto'), I('trans_id'), D('rtt'), S('query'), I('qclass'), S('qclass_name'), I('qtype'), S('qtype_name'),
  I('rcode'), S('rcode_name'), B('AA'), B('TC'), B('RD'), B('RA'), I('Z'), J('answers'), J('answer_types'), J('TTLs'),
  I('txt_bytes'), B('rejected'),
];

export const TLS_TABLE: readonly TableColumn[] = [
  ...REF, S('transport'), S('version'), S('cipher'), S('server_name'), J('alpn'), S('ja3'), S('ja3s'), S('ja4'), S('ja4s'),
  S('subject'), S('issuer'), S('not_valid_before'), S('not_valid_after'), S('cert_sha1'), S('quic_version'), S('ja4x'),
  { name: 'retry_ja3', type: 'STRING', optional: true }, { name: 'retry_ja4', type: 'STRING', optional: true },
];

export const HTTP_TABLE: readonly TableColumn[] = [
  ...REF, I('trans_depth'), S('method'), S('host'), S('uri'), S('referrer'), S('version'), S('user_agent'),
  I('request_body_len'), I('response_body_len'), I('status_code'), S('status_msg'), S('resp_mime'), S('ja4h'),
  S('orig_mime_types'), S('resp_mime_types'), S('resp_md5'), S('resp_sha256'), S('orig_sha256'),
  J('orig_filenames'), J('orig_file_mime_types'), J('orig_file_sha256'),
];

export const SSH_TABLE: readonly TableColumn[] = [...REF, S('client'), S('server'), S('hassh'), S('hassh_server')];

export const FTP_TABLE: readonly TableColumn[] = [
  ...REF, S('user'), S('password'), S('command'), S('arg'), I('file_size'), I('reply_code'), S('reply_msg'),
  B('data_channel_passive'), S('data_channel_orig_h'), S('data_channel_resp_h'), I('data_channel_resp_p'), S('data_uid'), S('mime_type'), S('md5'), S('sha256'),
];

export const SMTP_TABLE: readonly TableColumn[] = [
  ...REF, I('trans_depth'), S('helo'), S('mailfrom'), J('rcptto'), S('date'), S('from'), J('to'), J('cc'), S('reply_to'), S('msg_id'),
  S('in_reply_to'), S('subject'), S('x_originating_ip'), S('first_received'), S('second_received'), S('last_reply'), S('user_agent'),
  B('tls'), J('attachments'), I('body_bytes'), J('attachment_mime_types'), J('attachment_bytes'), J('attachment_md5'), J('attachment_sha256'),
];

export const CREDENTIAL_TABLE: readonly TableColumn[] = [
  ...REF, S('protocol'), S('host'), S('username'), S('password'), B('password_hidden'), S('outcome'),
];

/** dhcp.parquet: DHCP messages, read beside the flow table, so every shard's are its own packets' (no edge rows); not
 *  in SHARD_TABLES, whose app tables keep only the rows of non-edge flows. */
export const DHCP_TABLE: readonly TableColumn[] = [
  ...REF, S('trans_id'), S('msg_type'), S('mac'), S('client_addr'), S('assigned_addr'), S('requested_addr'), S('server_addr'),
  S('host_name'), S('client_fqdn'), S('domain'), I('lease_time'), S('client_software'), S('param_list'), J('routers'),
  J('dns_servers'),
];

/** The tables of a shard, by file name stem (flows.parquet, dns.parquet, …). */
export const SHARD_TABLES = {
  flows: FLOW_TABLE, dns: DNS_TABLE, tls: TLS_TABLE, http: HTTP_TABLE, ssh: SSH_TABLE, ftp: FTP_TABLE, smtp: SMTP_TABLE, credentials: CREDENTIAL_TABLE,
} as const;
export type ShardTable = keyof typeof SHARD_TABLES;

/** What each table's rows are in memory. */
export interface TableRows {
  flows: (ConnRecord & { edge: boolean })[];
  dns: DnsRecord[];
  tls: TlsRecord[];
  http: HttpRecord[];
  ssh: SshRecord[];
  ftp: FtpRecord[];
  smtp: SmtpRecord[];
  credentials: CredentialRecord[];
}

/** Column-major data for the Parquet writer: INT64 as bigint, JSON as its text, absent/null as null. */
export function toColumnData(columns: readonly TableColumn[], rows: readonly object[]): { name: string; data: unknown[]; type: 'STRING' | 'INT64' | 'DOUBLE' | 'BOOLEAN' }[] {
  return columns.map((c) => ({
    name: c.name,
    // JSON goes out as STRING with JSON text: hyparquet-writer's JSON type would serialise again.
    type: c.type === 'JSON' ? 'STRING' : c.type,
    data: rows.map((r) => {
      const v = (r as Record<string, unknown>)[c.name];
      if (v === undefined || v === null) return null;
      if (c.type === 'INT64') return BigInt(v as number);
      if (c.type === 'JSON') return JSON.stringify(v);
      return v;
    }),
  }));
}

/** A row as an engine returns it (bigint for INT64, text for JSON) back into the record, field order as the schema. */
export function fromRow(columns: readonly TableColumn[], row: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) {
    const v = row[c.name];
    if (v === null || v === undefined) {
      if (!c.optional) out[c.name] = null;
      continue;
    }
    if (c.type === 'INT64') out[c.name] = Number(v);
    else if (c.type === 'JSON') out[c.name] = JSON.parse(String(v)) as unknown;
    else out[c.name] = v;
  }
  return out;
}
