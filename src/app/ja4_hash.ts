/**
 * The truncated hash every JA4+ fingerprint uses (FoxIO's specifications): the first 12 hex characters of the SHA-256
 * of a text, or twelve zeros when the text is empty (no ciphers, no extensions, no cookies…). The text is hashed as
 * latin1, its raw bytes: the fingerprints' texts are ASCII but for JA4H's cookies, read from the wire as latin1.
 */
import { hash } from 'node:crypto';

export const JA4_EMPTY = '000000000000';

export function ja4Hash(text: string): string {
  return text === '' ? JA4_EMPTY : hash('sha256', Buffer.from(text, 'latin1'), 'hex').slice(0, 12);
}
