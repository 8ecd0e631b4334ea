/**
 * Application-layer records, one type per output file (dns.csv, tls.csv, http.csv, ssh.csv).
 * Field names are Zeek's (dns.log, ssl.log, http.log, ssh.log) wherever Zeek has one.
 * Every string in them came off the wire: hostile until escaped by the output that renders it.
 */

/** Fields every record shares: the flow it belongs to. */
export interface FlowRef {
  /** Time of the message (query, hello, request) as `sec.nnnnnnnnn`. */
  ts: string;
  uid: string;
  community_id: string;
  orig_h: string;
  orig_p: number;
  resp_h: string;
  resp_p: number;
}

export interface DnsRecord extends FlowRef {
  proto: 'udp' | 'tcp';
  trans_id: number;
  /** Seconds from query to response, null when unanswered. */
  rtt: number | null;
  query: string;
  qclass: number;
  qclass_name: string;
  qtype: number;
  qtype_name: string;
  /** null when no response was seen. */
  rcode: number | null;
  rcode_name: string;
  AA: boolean;
  TC: boolean;
  RD: boolean;
  RA: boolean;
  Z: number;
  /** Answer data as text (addresses, names, TXT strings joined). */
  answers: string[];
  /** Type name of each answer, parallel to answers. */
  answer_types: string[];
  TTLs: number[];
  /** Total bytes of TXT/NULL answer data. */
  txt_bytes: number;
  rejected: boolean;
}

export interface TlsRecord extends FlowRef {
  /** `tcp` for TLS over TCP, `quic` for a ClientHello read from a decrypted QUIC Initial, `dtls` for DTLS. */
  transport: 'tcp' | 'quic' | 'dtls';
  /** Negotiated version (ServerHello supported_versions, else its legacy version), e.g. `TLSv13`; '' when no ServerHello. */
  version: string;
  /** Chosen cipher suite name or hex; '' when no ServerHello. */
  cipher: string;
  server_name: string;
  /** ALPN protocols the client offered. */
  alpn: string[];
  ja3: string;
  ja3s: string;
  ja4: string;
  ja4s: string;
  /** Leaf certificate (TLS <= 1.2 only; encrypted in 1.3): subject and issuer DN, validity, SHA-1 fingerprint (hex). */
  subject: string;
  issuer: string;
  not_valid_before: string;
  not_valid_after: string;
  cert_sha1: string;
  /** QUIC version for transport quic (e.g. `1`, `0x6b3343cf`), '' otherwise. */
  quic_version: string;
}

export interface HttpRecord extends FlowRef {
  /** Position of the transaction in the connection, from 1 (pipelining and keep-alive). */
  trans_depth: number;
  method: string;
  host: string;
  uri: string;
  referrer: string;
  version: string;
  user_agent: string;
  request_body_len: number;
  response_body_len: number;
  /** null when no response was seen. */
  status_code: number | null;
  status_msg: string;
  /** Content-Type of the response. */
  resp_mime: string;
}

export interface SshRecord extends FlowRef {
  /** Client and server identification strings (RFC 4253 §4.2). */
  client: string;
  server: string;
  /** HASSH / HASSHServer (MD5 of the KEXINIT algorithm lists), '' when not seen. */
  hassh: string;
  hassh_server: string;
}

/** All application records of one flow, handed to detectors with its ConnRecord. */
export interface FlowApp {
  dns: readonly DnsRecord[];
  tls: readonly TlsRecord[];
  http: readonly HttpRecord[];
  ssh: readonly SshRecord[];
}

/** Where hooks send records when a flow expires. */
export interface RecordSink {
  dns(r: DnsRecord): void;
  tls(r: TlsRecord): void;
  http(r: HttpRecord): void;
  ssh(r: SshRecord): void;
}
