/**
 * HTTP/1.x start lines and header blocks (RFC 9112 §3–§6), read once per message from a bounded buffer.
 * Only the fields HttpRecord needs are kept; header names compare case-insensitively.
 */
import { formBoundary } from './multipart.js';
import { ja4h } from './ja4h.js';

export interface HttpHead {
  /** Request: method, target, version (`1.1`, `1.0`, `0.9` when the line has no version). */
  method: string;
  uri: string;
  /** Response: status code and reason. */
  status: number;
  reason: string;
  version: string;
  host: string;
  user_agent: string;
  referrer: string;
  content_type: string;
  /** multipart/form-data: its boundary ('' otherwise): the files posted are read out of the body (multipart.ts). */
  form_boundary: string;
  /** -1 when absent or unparsable. */
  content_length: number;
  chunked: boolean;
  /** Content-Encoding, lower case ('' when absent): the body is typed and hashed decoded when body.ts can decode it. */
  content_encoding: string;
  /** Request: JA4H (ja4h.ts), '' when JA4H has no code for the method or version. */
  ja4h: string;
  /** Request: the first Cookie and Accept-Language values (JA4H's inputs), '' when absent. */
  cookie: string;
  accept_language: string;
  /** Request: the first Authorization value, '' when absent. */
  authorization: string;
}

function emptyHead(): HttpHead {
  return {
    method: '', uri: '', status: 0, reason: '', version: '', host: '', user_agent: '', referrer: '',
    content_type: '', form_boundary: '', content_length: -1, chunked: false, content_encoding: '', ja4h: '', cookie: '', accept_language: '', authorization: '',
  };
}

const METHODS: readonly string[] = [
  'GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'REPORT',
  // HTTPU (SSDP, UPnP over UDP).
  'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE',
];
const METHOD_BYTES: readonly Buffer[] = METHODS.map((m) => Buffer.from(`${m} `, 'latin1'));
const HTTP_SLASH = Buffer.from('HTTP/1.', 'latin1');

/** Does buf[off, end) start with a known method and a space? The cheap test that opens a request. */
export function startsRequest(buf: Buffer, off: number, end: number): boolean {
  const n = end - off;
  if (n < 4) return false;
  const c = buf[off]!;
  if (c < 0x41 || c > 0x5a) return false;
  for (const m of METHOD_BYTES) {
    if (n >= m.length && buf.compare(m, 0, m.length, off, off + m.length) === 0) return true;
  }
  return false;
}

/** Does buf[off, end) start with `HTTP/1.`, a status line? */
export function startsResponse(buf: Buffer, off: number, end: number): boolean {
  return end - off >= 7 && buf.compare(HTTP_SLASH, 0, 7, off, off + 7) === 0;
}

/** Parses a request head: the request line then headers, buf[off, end) without the blank line. */
export function parseRequestHead(buf: Buffer, off: number, end: number): HttpHead | null {
  const text = buf.toString('latin1', off, end);
  const lines = text.split(/\r?\n/);
  const parts = (lines[0] ?? '').split(' ');
  if (parts.length < 2 || parts[0] === '' || !/^[A-Z][A-Z-]*$/.test(parts[0]!)) return null;
  const h = emptyHead();
  h.method = parts[0]!;
  h.uri = parts[1]!; // a space inside the target ends it, as tshark reads it
  const proto = parts.length >= 3 ? parts[parts.length - 1]! : '';
  // No version: HTTP/0.9; something else (a line cut by the snap length): unknown.
  h.version = proto.startsWith('HTTP/') ? proto.slice(5) : proto === '' ? '0.9' : '';
  readHeaders(lines, h);
  h.ja4h = ja4h(h.method, h.version, lines, h.cookie, h.accept_language);
  return h;
}

/** Parses a response head (status line then headers). */
export function parseResponseHead(buf: Buffer, off: number, end: number): HttpHead | null {
  const text = buf.toString('latin1', off, end);
  const lines = text.split(/\r?\n/);
  const m = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (m === null) return null;
  const h = emptyHead();
  h.version = m[1]!;
  h.status = Number(m[2]);
  h.reason = m[3] ?? '';
  readHeaders(lines, h);
  return h;
}

function readHeaders(lines: readonly string[], h: HttpHead): void {
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    switch (name) {
      case 'host':
        h.host = value;
        break;
      case 'user-agent':
        h.user_agent = value;
        break;
      case 'referer':
        h.referrer = value;
        break;
      case 'content-type':
        h.content_type = value.split(';')[0]!.trim();
        if (h.content_type.toLowerCase() === 'multipart/form-data') h.form_boundary = formBoundary(value);
        break;
      case 'content-length':
        h.content_length = /^\d{1,15}$/.test(value) ? Number(value) : -1;
        break;
      case 'transfer-encoding':
        h.chunked = /chunked/i.test(value);
        break;
      case 'content-encoding':
        h.content_encoding = value.toLowerCase();
        break;
      case 'cookie':
        if (h.cookie === '') h.cookie = value;
        break;
      case 'accept-language':
        if (h.accept_language === '') h.accept_language = value;
        break;
      case 'authorization':
        if (h.authorization === '') h.authorization = value;
        break;
      default:
    }
  }
}

/** Hex chunk size at the start of a chunk-size line (RFC 9112 §7.1); -1 when not a number. */
export function parseChunkSize(buf: Buffer, off: number, end: number): number {
  let v = 0;
  let digits = 0;
  for (let i = off; i < end && digits < 13; i++) {
    const c = buf[i]!;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (d < 0) break;
    v = v * 16 + d;
    digits++;
  }
  return digits === 0 ? -1 : v;
}

/**
 * User name and password of an `Authorization: Basic` value (RFC 7617: base64 of `user:password`), null for any other
 * scheme or a value that is not base64.
 */
export function basicCredentials(value: string): { username: string; password: string } | null {
  const m = /^basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(value);
  if (m === null) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? { username: text, password: '' } : { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
