/**
 * Counters the app hooks keep for summary.json (Zeek's weird.log idea): what could not be parsed, by protocol.
 * One object per run, shared by the hooks createAppHooks makes.
 */
export interface AppStats {
  /** DNS messages whose header or first question could not be read. */
  dns_malformed: number;
  /** DNS messages cut short after the question (answers missing or damaged). */
  dns_truncated: number;
  /** TLS records or hellos that did not parse. */
  tls_malformed: number;
  /** TLS connections decrypted with --tls-keylog secrets (at least one record). */
  tls_decrypted: number;
  /** Of those, connections that carried HTTP/2 (read by http/h2.ts). */
  tls_decrypted_h2: number;
  /** TLS records that did not authenticate under the key log's secrets (wrong keys, lost segments). */
  tls_decrypt_failed: number;
  /** QUIC Initial packets that failed to decrypt or held an unparsable hello. */
  quic_malformed: number;
  /** QUIC connections decrypted with key-log secrets (at least one Handshake or 1-RTT packet opened; quic/decrypt.ts). */
  quic_decrypted: number;
  /** Of those, connections that carried HTTP/3 requests (read by http/h3.ts). */
  quic_decrypted_h3: number;
  /** Handshake and 1-RTT packets of those connections that did not authenticate under the secrets. */
  quic_decrypt_failed: number;
  /** HTTP messages whose start line or headers did not parse, or outgrew the header buffer. */
  http_malformed: number;
  /** Bytes of HTTP bodies that fell into sequence gaps (not captured). */
  http_missed_bytes: number;
  /** Files FTP data connections carried whole (hashed; ftp.csv md5, sha256). */
  ftp_files: number;
  /** FTP control lines that were not FTP (binary, not a command, not a reply). */
  ftp_malformed: number;
  /** Attachments of SMTP messages decoded and hashed (mime.ts). */
  mail_attachments: number;
  /** SMTP, POP3 and IMAP connections given up because their lines were not the protocol's. */
  mail_malformed: number;
  /** LDAP connections given up because their bytes were not LDAP messages (or one outgrew 64 KiB). */
  ldap_malformed: number;
  /** --extract-files: HTTP bodies, FTP transfers' files and mail attachments written to files/ (distinct SHA-256s),
   *  their bytes, files already there, and whole files not written (a write failed, or larger than 512 MiB). */
  files_extracted: number;
  files_extracted_bytes: number;
  files_extracted_again: number;
  files_not_extracted: number;
  /** Records not kept because a flow exceeded its per-flow record limit. */
  records_dropped: number;
}

export function createAppStats(): AppStats {
  return {
    dns_malformed: 0,
    dns_truncated: 0,
    tls_malformed: 0,
    tls_decrypted: 0,
    tls_decrypted_h2: 0,
    tls_decrypt_failed: 0,
    quic_malformed: 0,
    quic_decrypted: 0,
    quic_decrypted_h3: 0,
    quic_decrypt_failed: 0,
    http_malformed: 0,
    http_missed_bytes: 0,
    ftp_files: 0,
    ftp_malformed: 0,
    mail_attachments: 0,
    mail_malformed: 0,
    ldap_malformed: 0,
    files_extracted: 0,
    files_extracted_bytes: 0,
    files_extracted_again: 0,
    files_not_extracted: 0,
    records_dropped: 0,
  };
}
