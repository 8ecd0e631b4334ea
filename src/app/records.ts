/**
 * Application-layer records, one type per output file (dns.csv, tls.csv, http.csv, ssh.csv, ftp.csv, credentials.csv,
 * dhcp.csv). Field names are Zeek's (dns.log, ssl.log, http.log, ssh.log, ftp.log, dhcp.log) wherever Zeek has one.
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
  /** DNS transaction id. */
  trans_id: number;
  /** Seconds from query to response, null when unanswered. */
  rtt: number | null;
  /** Query name as sent (not lower-cased). */
  query: string;
  /** Query class number (1 = IN). */
  qclass: number;
  /** Query class name (C_INTERNET…). */
  qclass_name: string;
  /** Query type number. */
  qtype: number;
  /** Query type name (A, AAAA, TXT, …). */
  qtype_name: string;
  /** null when no response was seen. */
  rcode: number | null;
  /** Response code name (NOERROR, NXDOMAIN, …), empty when unanswered. */
  rcode_name: string;
  /** Authoritative answer flag of the response. */
  AA: boolean;
  /** Truncation flag. */
  TC: boolean;
  /** Recursion desired flag of the query. */
  RD: boolean;
  /** Recursion available flag of the response. */
  RA: boolean;
  /** The reserved Z bits of the header. */
  Z: number;
  /** Answer data as text (addresses, names, TXT strings joined). */
  answers: string[];
  /** Type name of each answer, parallel to answers. */
  answer_types: string[];
  /** TTL of each answer in seconds, parallel to answers. */
  TTLs: number[];
  /** Total bytes of TXT/NULL answer data. */
  txt_bytes: number;
  /** True when the server answered with an error code and no answers. */
  rejected: boolean;
}

export interface TlsRecord extends FlowRef {
  /** `tcp` for TLS over TCP, `quic` for a ClientHello read from a decrypted QUIC Initial, `dtls` for DTLS. */
  transport: 'tcp' | 'quic' | 'dtls';
  /** Negotiated version (ServerHello supported_versions, else its legacy version), e.g. `TLSv13`; '' when no ServerHello. */
  version: string;
  /** Chosen cipher suite name or hex; '' when no ServerHello. */
  cipher: string;
  /** SNI host name the client asked for. */
  server_name: string;
  /** ALPN protocols the client offered. */
  alpn: string[];
  /** JA3 client fingerprint (MD5, GREASE removed), as tshark computes tls.handshake.ja3. */
  ja3: string;
  /** JA3S server fingerprint (MD5), as tshark computes tls.handshake.ja3s. */
  ja3s: string;
  /** JA4 client fingerprint (FoxIO, BSD-3); `q` prefix for QUIC. */
  ja4: string;
  /** JA4S server fingerprint (FoxIO License 1.1). */
  ja4s: string;
  /** Leaf certificate: subject and issuer DN, validity, SHA-1 fingerprint (hex). In the clear up to TLS 1.2; in TLS 1.3 and QUIC only from a decrypted handshake (--tls-keylog or a key log the pcapng embeds). */
  subject: string;
  /** Issuer DN of the leaf certificate. */
  issuer: string;
  /** Start of the leaf certificate validity (ISO 8601). */
  not_valid_before: string;
  /** End of the leaf certificate validity (ISO 8601). */
  not_valid_after: string;
  /** SHA-1 fingerprint of the leaf certificate (hex). */
  cert_sha1: string;
  /** QUIC version for transport quic, as tshark prints it (`0x00000001`, `0x6b3343cf`), '' otherwise. */
  quic_version: string;
  /** JA4X of the leaf certificate (FoxIO License 1.1), as `subject`: TLS <= 1.2, or TLS 1.3 and QUIC decrypted; '' when none was seen. */
  ja4x: string;
  /** JA3 of a second ClientHello on the same connection (after a HelloRetryRequest); absent when none. */
  retry_ja3?: string;
  /** JA4 of that second ClientHello; absent when none. */
  retry_ja4?: string;
}

export interface HttpRecord extends FlowRef {
  /** Position of the transaction in the connection, from 1 (pipelining and keep-alive). */
  trans_depth: number;
  /** Request method (GET, POST, …). */
  method: string;
  /** Host header (HTTP/2 and HTTP/3: :authority, else Host). */
  host: string;
  /** Request target as sent. */
  uri: string;
  /** Referer header. */
  referrer: string;
  /** HTTP version from the request line (1.0, 1.1; 0.9 when there is none); 2 for HTTP/2, read from decrypted TLS; 3 for HTTP/3, from decrypted QUIC. */
  version: string;
  /** User-Agent header. */
  user_agent: string;
  /** Request body length in bytes. */
  request_body_len: number;
  /** Response body length in bytes. */
  response_body_len: number;
  /** null when no response was seen. */
  status_code: number | null;
  /** Response reason phrase ('' in HTTP/2 and HTTP/3, which have none). */
  status_msg: string;
  /** Content-Type of the response. */
  resp_mime: string;
  /** JA4H HTTP client fingerprint (FoxIO License 1.1); '' for a method or version JA4H has no code for. */
  ja4h: string;
  /** Type of the request body by its content (magic bytes: application/x-dosexec, application/zip, …), as Zeek's orig_mime_types; '' when no body or no known signature. */
  orig_mime_types: string;
  /** Type of the response body by its content (decoded when its Content-Encoding was), as Zeek's resp_mime_types: what was sent, whatever Content-Type said. */
  resp_mime_types: string;
  /** MD5 of the response body (hex), when it was seen whole; decoded when sent with a gzip, deflate or br Content-Encoding (as tshark exports it), else as sent; '' for 206 Partial Content (a byte range) or an encoding that did not decode. */
  resp_md5: string;
  /** SHA-256 of the response body (hex), as resp_md5. */
  resp_sha256: string;
  /** SHA-256 of the request body (hex: an upload, a form, a C2 check-in), when it was seen whole; decoded as resp_md5. */
  orig_sha256: string;
  /** A multipart/form-data request: the file names of the files it posted (Zeek's orig_filenames), '' for a part with none. */
  orig_filenames: string[];
  /** Their types by content, lined up with orig_filenames ('' when no signature fits). */
  orig_file_mime_types: string[];
  /** Their SHA-256s (names in files/ with --extract-files), lined up; '' for one not seen whole. */
  orig_file_sha256: string[];
}

export interface SshRecord extends FlowRef {
  /** Client and server identification strings (RFC 4253 §4.2). */
  client: string;
  /** Server identification string. */
  server: string;
  /** HASSH / HASSHServer (MD5 of the KEXINIT algorithm lists), '' when not seen. */
  hassh: string;
  /** HASSHServer fingerprint (MD5 of the server KEXINIT algorithm lists). */
  hassh_server: string;
}

/**
 * One FTP command and its final reply (Zeek ftp.log): only the commands Zeek logs by default (FTP::logged_commands:
 * transfers, deletions and data-channel set-ups), so each row is a file moved or a channel opened.
 */
export interface FtpRecord extends FlowRef {
  /** User name of the session (USER), '' until one was given. */
  user: string;
  /** Password of the session (PASS): given only for guest users (anonymous, ftp, ftpuser, guest) unless
   *  --capture-passwords, as Zeek's FTP::default_capture_password; '' otherwise. */
  password: string;
  /** The command (RETR, STOR, PASV, …). */
  command: string;
  /** Its argument; for transfers the file's URL, `ftp://server/directory/file`, as Zeek builds it. */
  arg: string;
  /** File size in bytes from the server's replies (a 213 to SIZE, or `(N bytes)` in the 150), null when not told. */
  file_size: number | null;
  /** Final reply code, null when the capture holds none. */
  reply_code: number | null;
  /** Final reply text. */
  reply_msg: string;
  /** Data-channel set-ups (PASV, EPSV, PORT, EPRT): true for passive mode; null for other commands. */
  data_channel_passive: boolean | null;
  /** Set-ups: the host that will open the data connection (the client when passive, the server otherwise); '' for other commands. */
  data_channel_orig_h: string;
  /** Set-ups: the host the data connection goes to, as announced (a server behind NAT may announce its private address). */
  data_channel_resp_h: string;
  /** Set-ups: the port the data connection goes to; null for other commands. */
  data_channel_resp_p: number | null;
  /** Transfers: uid of the data connection that carried the file (flows.csv, service `ftp-data`), '' when not seen. */
  data_uid: string;
  /** File transfers (RETR, STOR, APPE, STOU): the file's type by its content (Zeek's mime_type), '' when none fits or not seen. */
  mime_type: string;
  /** File transfers: MD5 of the file the data connection carried; '' unless it was seen whole and the server accepted it. */
  md5: string;
  /** File transfers: its SHA-256 (its name in files/ with --extract-files); '' as for the MD5. */
  sha256: string;
}

/**
 * A user name (and password) sent in the clear, as NetworkMiner's Credentials tab lists them: FTP USER/PASS, HTTP
 * Basic authentication. Passwords are kept only under --capture-passwords (or for FTP guest users, as Zeek does).
 */
export interface CredentialRecord extends FlowRef {
  /** How they were sent: `ftp`, `http-basic`, `smtp` (AUTH LOGIN/PLAIN), `pop3` (USER/PASS, AUTH PLAIN, APOP's user), `imap` (LOGIN, AUTHENTICATE PLAIN), `ldap` (simple bind: the DN). */
  protocol: 'ftp' | 'http-basic' | 'smtp' | 'pop3' | 'imap' | 'ldap';
  /** Host the client addressed (HTTP Host header), '' otherwise. */
  host: string;
  /** The user name, as sent. */
  username: string;
  /** '' unless captured (see above). */
  password: string;
  /** True when a password was sent but not kept. */
  password_hidden: boolean;
  /** The server's answer: `accepted` (FTP 230, HTTP 2xx/3xx, SMTP 235, POP3 +OK, IMAP OK, LDAP success), `rejected` (FTP 4xx/5xx, HTTP 401/403, SMTP 535, POP3 -ERR, IMAP NO/BAD, any other LDAP resultCode), '' when not seen. */
  outcome: '' | 'accepted' | 'rejected';
}

/**
 * One SMTP message (Zeek smtp.log): the envelope (HELO, MAIL FROM, RCPT TO), the headers Zeek logs, the server's last
 * reply, and the file names of its attachments (Zeek's fuids point at files; nad keeps none). Only mail sent in the
 * clear: after STARTTLS the session is encrypted.
 */
export interface SmtpRecord extends FlowRef {
  /** Position of the message in the connection, from 1. */
  trans_depth: number;
  /** The client's EHLO/HELO argument. */
  helo: string;
  /** Envelope sender (MAIL FROM), without the angle brackets. */
  mailfrom: string;
  /** Envelope recipients (RCPT TO). */
  rcptto: string[];
  /** Date header. */
  date: string;
  /** From header, as written. */
  from: string;
  /** To header, split at commas. */
  to: string[];
  /** Cc header, split at commas. */
  cc: string[];
  /** Reply-To header. */
  reply_to: string;
  /** Message-ID header. */
  msg_id: string;
  /** In-Reply-To header. */
  in_reply_to: string;
  /** Subject header, as written (MIME encoded-words are not decoded). */
  subject: string;
  /** X-Originating-IP header (webmail's client address). */
  x_originating_ip: string;
  /** The first and second Received headers (the hops nearest the recipient). */
  first_received: string;
  /** Second Received header. */
  second_received: string;
  /** The server's reply to the end of the message (`250 OK id=…`). */
  last_reply: string;
  /** X-Mailer or User-Agent header: the mail client. */
  user_agent: string;
  /** STARTTLS was accepted while the message was under way (nothing after it is readable). */
  tls: boolean;
  /**
   * The attachments, one entry each in order (the next four columns line up with it): file names (MIME
   * Content-Disposition filename, else Content-Type name, RFC 2231 and RFC 2047 decoded), '' for a part with none.
   */
  attachments: string[];
  /** Bytes of the message (headers and body, after dot-unstuffing). */
  body_bytes: number;
  /** Each attachment's type by its content (the first bytes' magic, as http.csv's resp_mime_types), '' when none fits. */
  attachment_mime_types: string[];
  /** Each attachment's size, decoded (base64, quoted-printable). */
  attachment_bytes: number[];
  /** Each attachment's MD5, decoded; '' for one the capture does not hold whole (the message was cut short). */
  attachment_md5: string[];
  /** Each attachment's SHA-256 (its name in files/ with --extract-files); '' as for the MD5. */
  attachment_sha256: string[];
}

/**
 * One DHCPv4 message (dhcp.csv), Zeek's dhcp.log names where it has them. Read from every decoded packet, beside the
 * flow table (as ARP is), and tied to its flow afterwards by Community ID and time; the flow's ends are those of
 * flows.csv, or the packet's when the flow was not kept (memory guard).
 */
export interface DhcpRecord extends FlowRef {
  /** Transaction id (xid) in hex, as tshark prints it (`0x3903f326`). */
  trans_id: string;
  /** DHCP message type (option 53): DISCOVER, OFFER, REQUEST, ACK, NAK, RELEASE, INFORM, …; BOOTP for none. */
  msg_type: string;
  /** Client hardware address (chaddr), aa:bb:cc:dd:ee:ff; '' unless Ethernet. */
  mac: string;
  /** Address the client already has (ciaddr), '' for 0.0.0.0. */
  client_addr: string;
  /** Address the server assigns (yiaddr), '' for 0.0.0.0. */
  assigned_addr: string;
  /** Address the client asks for (option 50). */
  requested_addr: string;
  /** Server identifier (option 54). */
  server_addr: string;
  /** Host name the client gave or was given (option 12). */
  host_name: string;
  /** Client FQDN (option 81). */
  client_fqdn: string;
  /** Domain name (option 15). */
  domain: string;
  /** Lease time in seconds (option 51), null when absent. */
  lease_time: number | null;
  /** Vendor class identifier (option 60), e.g. `MSFT 5.0`, `android-dhcp-13`: Zeek's client_software. */
  client_software: string;
  /** Parameter request list (option 55), option codes joined by `,`: the DHCP fingerprint Fingerbank reads. */
  param_list: string;
  /** Routers (option 3) the server gives: the gateway its clients will send through. */
  routers: string[];
  /** DNS servers (option 6) the server gives. */
  dns_servers: string[];
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
  ftp(r: FtpRecord): void;
  smtp(r: SmtpRecord): void;
  credential(r: CredentialRecord): void;
}
