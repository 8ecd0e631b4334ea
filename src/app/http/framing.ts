/**
 * HTTP/1.x message framing for one direction (RFC 9112 §6–7): where a header block ends, how long the body is
 * (Content-Length, chunked, or until the close) and skipping it by count through the StreamBuf, never copying it.
 */
import type { HttpRecord } from '../records.js';
import { StreamBuf } from '../stream.js';
import { BodyHasher, discardBody, recordBody } from './body.js';
import type { FileExtractor } from './extract.js';
import { FormSplitter } from './multipart.js';
import { parseChunkSize, type HttpHead } from './parse.js';

/** Largest header block read (Apache's default limit is 8 KiB per line, 100 lines; 32 KiB covers real cookies). */
export const HEAD_CAP = 32 * 1024;
/** "Until the connection closes": a skip larger than any capture. */
export const UNTIL_CLOSE = 2 ** 50;

export const St = { Head: 0, ChunkSize: 1, Trailer: 2, UntilClose: 3, Dead: 4 } as const;
export type St = (typeof St)[keyof typeof St];

const CRLF = Buffer.from('\r\n', 'latin1');

export class HttpSide {
  readonly sb = new StreamBuf(HEAD_CAP);
  state: St = St.Head;
  /** Record whose body this side is counting, and the bytes declared but not yet seen. */
  body: HttpRecord | null = null;
  counting = false;
  /** Where the search for the end of the header block resumes. */
  scan = 0;
  /** The body being read: its tap (type by content, and hashes for responses) and whether it runs to the close. */
  hasher: BodyHasher | null = null;
  /** --extract-files: where this side's bodies (and a form's files) go. */
  extract: FileExtractor | null = null;
  untilClose = false;
  chunked = false;
}

type BodyField = 'request_body_len' | 'response_body_len';

/**
 * Ends the tap of the body just read and writes what it found into the record: the type by content, and for a
 * response seen whole its MD5 and SHA-256.
 */
export function finishBody(side: HttpSide, field: BodyField, ended = false): void {
  const hasher = side.hasher;
  if (hasher === null) return;
  side.hasher = null;
  side.sb.tap = null;
  const rec = side.body;
  if (rec === null) {
    discardBody(hasher.finish(false));
    return;
  }
  // Whole: a chunked body ended by its last chunk (`ended`), a body to the close at the close, or every byte a
  // Content-Length declared gone by (the hasher counts those lost to gaps).
  const facts = hasher.finish(ended || side.untilClose || (!side.chunked && hasher.budget === 0));
  recordBody(rec, field === 'request_body_len', facts);
}

function tap(side: HttpSide, budget: number, untilClose: boolean, chunked: boolean, encoding: string, boundary: string): void {
  const hasher = new BodyHasher(true, encoding, side.extract, boundary === '' ? null : new FormSplitter(boundary, side.extract));
  hasher.budget = budget;
  side.hasher = hasher;
  side.untilClose = untilClose;
  side.chunked = chunked;
  side.sb.tap = hasher;
}

/** Stops parsing one direction and frees its buffer. */
export function kill(side: HttpSide): void {
  side.state = St.Dead;
  side.sb.release();
}

/** Takes back body bytes that were declared but never arrived. */
export function settle(side: HttpSide, field: 'request_body_len' | 'response_body_len'): void {
  finishBody(side, field);
  if (side.body !== null && side.counting) side.body[field] = Math.max(0, side.body[field] - side.sb.skip);
  side.counting = false;
}

/**
 * Sets up body framing after a head (RFC 9112 §6.3). hasBody: false for responses that cannot carry one;
 * toClose: a response with neither length nor chunking runs to the close (a request then has no body).
 */
export function startBody(side: HttpSide, rec: HttpRecord, h: HttpHead, field: 'request_body_len' | 'response_body_len', hasBody: boolean, toClose: boolean): void {
  finishBody(side, field);
  side.body = rec;
  if (!hasBody) return;
  const boundary = field === 'request_body_len' ? h.form_boundary : '';
  if (h.chunked) {
    side.state = St.ChunkSize;
    tap(side, 0, false, true, h.content_encoding, boundary);
  } else if (h.content_length > 0) {
    rec[field] = h.content_length;
    side.counting = true;
    tap(side, h.content_length, false, false, h.content_encoding, boundary);
    side.sb.consumeOrSkip(h.content_length);
  } else if (h.content_length < 0 && toClose) {
    rec[field] = UNTIL_CLOSE;
    side.counting = true;
    side.state = St.UntilClose;
    tap(side, UNTIL_CLOSE, true, false, h.content_encoding, boundary);
    side.sb.consumeOrSkip(UNTIL_CLOSE);
  }
}

/** Chunked framing (RFC 9112 §7.1). Returns false when it needs more bytes. */
export function chunks(side: HttpSide, field: 'request_body_len' | 'response_body_len'): boolean {
  const sb = side.sb;
  if (sb.skip > 0 || sb.len === 0) return false;
  const eol = sb.data.subarray(sb.start, sb.start + sb.len).indexOf(CRLF);
  if (eol < 0) {
    if (sb.len > 1024) kill(side);
    return false;
  }
  if (side.state === St.Trailer) {
    sb.consume(eol + 2);
    if (eol === 0) {
      side.state = St.Head; // the blank line that ends the trailers
      finishBody(side, field, true);
    }
    return true;
  }
  const size = parseChunkSize(sb.data, sb.start, sb.start + eol);
  sb.consume(eol + 2);
  if (size < 0) {
    kill(side);
    return false;
  }
  if (size === 0) {
    side.state = St.Trailer;
    return true;
  }
  if (side.body !== null) side.body[field] += size;
  if (side.hasher !== null) side.hasher.budget += size; // the tap takes the data, not its CRLF
  sb.consumeOrSkip(size + 2); // data and its CRLF
  return true;
}

/**
 * End of the header block in side.sb (exclusive, without the blank line); sets side.scan past it. -1 if incomplete.
 * Bare LF line ends are accepted (RFC 9112 §2.2), as servers and tshark accept them.
 */
export function findHeadEnd(side: HttpSide, request: boolean): number {
  const b = side.sb.data;
  const base = side.sb.start;
  const n = side.sb.len;
  if (request) {
    // HTTP/0.9 (a request line without a version) has no headers: the line ends the request.
    const lf = b.indexOf(0x0a, base);
    const eol = lf - base;
    if (lf >= 0 && eol < n && b.lastIndexOf(' HTTP/', lf) < base) {
      side.scan = eol + 1;
      return eol > 0 && b[lf - 1] === 0x0d ? eol - 1 : eol;
    }
  }
  for (let i = Math.max(0, side.scan - 3); i < n; i++) {
    if (b[base + i] !== 0x0a) continue;
    const cr = i > 0 && b[base + i - 1] === 0x0d;
    // A line feed followed by an empty line: LF LF or LF CR LF.
    if (i + 1 < n && b[base + i + 1] === 0x0a) {
      side.scan = i + 2;
      return cr ? i - 1 : i;
    }
    if (i + 2 < n && b[base + i + 1] === 0x0d && b[base + i + 2] === 0x0a) {
      side.scan = i + 3;
      return cr ? i - 1 : i;
    }
  }
  side.scan = n;
  return -1;
}
