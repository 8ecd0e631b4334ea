/**
 * The application layer: one FlowHook per protocol, in the order the flow table should call them. The protocol
 * hooks come first so that the service hook, last, only fills in what they did not recognise.
 */
import { createDnsHook } from './dns/hook.js';
import { createFtpHook, type FtpOptions } from './ftp.js';
import type { FlowHook } from './hook.js';
import { FileExtractor } from './http/extract.js';
import { createHttpHook } from './http/hook.js';
import { createLdapHook } from './ldap.js';
import { createMailHook } from './mail.js';
import { createQuicHook } from './quic/hook.js';
import { createServiceHook } from './service.js';
import { createSshHook } from './ssh.js';
import { createAppStats, type AppStats } from './stats.js';
import { createDtlsHook } from './tls/dtls.js';
import { createTlsDecryptHook, type DecryptedCerts, type TlsDecryptOptions } from './tls/decrypt_hook.js';
import { createTlsHook } from './tls/hook.js';

export { createAppStats, type AppStats } from './stats.js';

/**
 * What the hooks may keep and use: passwords sent in the clear only when asked (capture_passwords: FTP, HTTP Basic,
 * mail); TLS secrets from a key log (tls_keys), which decrypt the connections they belong to; a folder to extract
 * files to (extract_dir): HTTP bodies and form files, FTP transfers' files, mail attachments.
 */
export type AppOptions = FtpOptions & TlsDecryptOptions & {
  /** --extract-files: the folder the files seen whole are written to, under their SHA-256 (http/extract.ts). */
  extract_dir?: string;
};

/**
 * Hooks for one run; pass `stats` to read their malformed/dropped counters afterwards (summary.json). FTP comes first:
 * it recognises the data connections its sessions announced before any other hook reads their first bytes.
 */
export function createAppHooks(stats: AppStats = createAppStats(), opts: AppOptions = {}): FlowHook<unknown>[] {
  const certs: DecryptedCerts = new Map();
  const extract = opts.extract_dir === undefined ? null : new FileExtractor(opts.extract_dir, stats);
  const decrypt = createTlsDecryptHook(stats, opts, certs, extract);
  return [
    createFtpHook(stats, opts, extract),
    createDnsHook(stats),
    createTlsHook(stats, decrypt === null ? null : certs),
    ...(decrypt === null ? [] : [decrypt]),
    createQuicHook(stats, opts.tls_keys, extract),
    createDtlsHook(stats),
    createHttpHook(stats, opts, extract),
    createSshHook(),
    createMailHook(stats, opts, extract),
    createLdapHook(stats, opts),
    createServiceHook(),
  ];
}
