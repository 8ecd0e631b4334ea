/**
 * TLS key log files (the NSS format that SSLKEYLOGFILE makes browsers, curl and OpenSSL write, and Wireshark's
 * tls.keylog_file reads): one secret a line, `LABEL <client_random hex> <secret hex>`, `#` comments. Indexed by
 * the ClientHello's random, which is how a connection finds its secrets.
 */
import { readFileSync } from 'node:fs';

/** The secrets of one connection (raw bytes; Uint8Array so that the map crosses to worker threads by structured clone). */
export interface TlsSecrets {
  /** TLS <= 1.2: the 48-byte master secret (CLIENT_RANDOM). */
  master?: Uint8Array;
  /** TLS 1.3 traffic secrets (RFC 8446 §7.1). */
  client_handshake?: Uint8Array;
  server_handshake?: Uint8Array;
  client_traffic?: Uint8Array;
  server_traffic?: Uint8Array;
}

/** client_random (64 lowercase hex digits) → secrets. */
export type TlsKeyLog = Map<string, TlsSecrets>;

const LABELS: Readonly<Record<string, keyof TlsSecrets>> = {
  CLIENT_RANDOM: 'master',
  CLIENT_HANDSHAKE_TRAFFIC_SECRET: 'client_handshake',
  SERVER_HANDSHAKE_TRAFFIC_SECRET: 'server_handshake',
  CLIENT_TRAFFIC_SECRET_0: 'client_traffic',
  SERVER_TRAFFIC_SECRET_0: 'server_traffic',
};

/** Labels of the format that nad does not need (0-RTT data, exporters) or cannot use (RSA pre-master secrets). */
const OTHER_LABELS = new Set(['CLIENT_EARLY_TRAFFIC_SECRET', 'EARLY_EXPORTER_SECRET', 'EXPORTER_SECRET', 'RSA']);

const HEX = /^[0-9a-fA-F]+$/;

/**
 * Parses a key log's text. A line with a label nad knows but a malformed random or secret is an error (the file is
 * not what it should be), with the line and its byte offset; unknown labels are passed over, as Wireshark does.
 */
export function parseKeyLog(text: string, name: string): TlsKeyLog {
  const keys: TlsKeyLog = new Map();
  let offset = 0;
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const at = offset;
    offset += Buffer.byteLength(raw, 'utf8') + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    const label = parts[0]!;
    const field = LABELS[label];
    if (field === undefined) {
      if (OTHER_LABELS.has(label) || /^[A-Z0-9_]+$/.test(label)) continue;
      throw new Error(`${name}: byte ${at}: line ${lineNo}: not a TLS key log line (expected LABEL CLIENT_RANDOM SECRET)`);
    }
    const random = parts[1] ?? '';
    const secret = parts[2] ?? '';
    if (parts.length !== 3 || random.length !== 64 || !HEX.test(random)) {
      throw new Error(`${name}: byte ${at}: line ${lineNo}: ${label} needs a 32-byte client random in hex and a secret`);
    }
    const want = field === 'master' ? 96 : 0;
    if (!HEX.test(secret) || secret.length % 2 !== 0 || (want > 0 ? secret.length !== want : secret.length < 64 || secret.length > 128)) {
      throw new Error(`${name}: byte ${at}: line ${lineNo}: ${label} secret is not ${want > 0 ? '48' : '32–64'} bytes of hex`);
    }
    const key = random.toLowerCase();
    let entry = keys.get(key);
    if (entry === undefined) keys.set(key, (entry = {}));
    entry[field] = new Uint8Array(Buffer.from(secret, 'hex'));
  }
  return keys;
}

/** Reads and parses `--tls-keylog` files (several merge); a file with no secret nad can use is an error. */
export function loadKeyLogs(paths: readonly string[]): TlsKeyLog {
  const all: TlsKeyLog = new Map();
  for (const path of paths) {
    const keys = parseKeyLog(readFileSync(path, 'utf8'), path);
    if (keys.size === 0) throw new Error(`${path}: byte 0: no TLS secrets (CLIENT_RANDOM or TLS 1.3 traffic secrets) in this key log`);
    mergeKeyLogs(all, keys);
  }
  return all;
}

/** Adds `more`'s secrets to `into` (a connection's secrets from both are joined, `more` winning); returns `into`. */
export function mergeKeyLogs(into: TlsKeyLog, more: TlsKeyLog): TlsKeyLog {
  for (const [random, s] of more) into.set(random, { ...into.get(random), ...s });
  return into;
}
