/**
 * The files inside a multipart/form-data body (RFC 7578; RFC 2046 §5.1 framing): what a browser's file input, curl -F
 * and many stealers post. The body's bytes pass through once, as the HTTP parser hands them to the request body's tap
 * (body.ts), decoded when a Content-Encoding was: the delimiter (`CRLF--boundary`) is searched for across chunks, each
 * part's headers are read (Content-Disposition's filename, Content-Type), and the content of each part that names a
 * file goes to a BodyHasher of its own: typed by content, hashed, and written to files/ with --extract-files, as Zeek's
 * HTTP analyzer hands form-data files to its files framework (http.log orig_filenames, files.log hashes).
 *
 * Bounded: part headers of at most MAX_HEAD bytes, at most MAX_FILES files a body; a body that breaks the framing is
 * given up (the files found so far stay). Only the delimiter's length of bytes is kept across chunks.
 */
import { decodeWords, parseValue } from '../mime.js';
import { BodyHasher } from './body.js';
import type { FileExtractor } from './extract.js';

const MAX_HEAD = 8192;
const MAX_FILES = 20;
const MAX_NAME = 255;
const CRLF = Buffer.from('\r\n', 'latin1');
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/** One file a form posted. */
export interface FormFile {
  /** Content-Disposition filename (RFC 2231/2047 decoded), as the client sent it. */
  name: string;
  /** Its type by content ('' when no signature fits). */
  mime: string;
  bytes: number;
  md5: string;
  /** '' when the body did not reach the part's end. */
  sha256: string;
}

const enum St { Preamble, Head, Content, Done }

/** The multipart/form-data boundary of a Content-Type value, '' when it is not form data. */
export function formBoundary(contentType: string): string {
  const p = parseValue(contentType);
  if (p.value !== 'multipart/form-data') return '';
  const b = p.params.get('boundary') ?? '';
  return b.length > 0 && b.length <= 70 ? b : ''; // RFC 2046 §5.1.1: 1 to 70 characters
}

export class FormSplitter {
  readonly files: FormFile[] = [];
  /** Files past MAX_FILES, not read. */
  dropped = 0;
  private readonly delim: Buffer;
  private state = St.Preamble;
  /** Bytes held back: a possible start of the delimiter and what must follow it, or a header block being read. */
  private carry: Buffer;
  private part: { name: string; hasher: BodyHasher; bytes: number } | null = null;

  constructor(boundary: string, private readonly extract: FileExtractor | null) {
    this.delim = Buffer.from(`\r\n--${boundary}`, 'latin1');
    // The first delimiter may open the body with no line break before it: as if one preceded it.
    this.carry = Buffer.from(CRLF);
  }

  write(src: Buffer, from: number, to: number): void {
    if (this.state === St.Done || to <= from) return;
    let data = this.carry.length === 0 ? src.subarray(from, to) : Buffer.concat([this.carry, src.subarray(from, to)]);
    this.carry = Buffer.alloc(0);
    while (data.length > 0) data = this.step(data); // step returns nothing once the body is done
  }

  /** Consumes what it can of `data`; returns the rest (held in carry when more bytes are needed). */
  private step(data: Buffer): Buffer {
    switch (this.state) {
      case St.Preamble:
      case St.Content: {
        const i = data.indexOf(this.delim);
        if (i < 0) {
          // Everything but a tail that could begin the delimiter is content (or preamble, dropped).
          const safe = Math.max(0, data.length - (this.delim.length - 1));
          this.content(data, 0, safe);
          return this.hold(data.subarray(safe));
        }
        this.content(data, 0, i);
        // A delimiter is followed by `--` (the last one) or by white space and CRLF; anything else is content.
        const j = i + this.delim.length;
        if (data.length - j < 2) return this.hold(data.subarray(i));
        if (data[j] === 0x2d && data[j + 1] === 0x2d) {
          this.endPart(true);
          this.state = St.Done;
          return EMPTY;
        }
        let k = j;
        while (k < data.length && (data[k] === 0x20 || data[k] === 0x09)) k++;
        if (k + 1 >= data.length) return k - j > 256 ? this.notDelimiter(data, i) : this.hold(data.subarray(i));
        if (data[k] !== 0x0d || data[k + 1] !== 0x0a) return this.notDelimiter(data, i);
        this.endPart(true);
        this.state = St.Head;
        return data.subarray(k + 2);
      }
      case St.Head: {
        const end = data.indexOf(HEAD_END);
        // A part with no header at all starts with its blank line.
        const blank = data.length >= 2 && data[0] === 0x0d && data[1] === 0x0a;
        if (!blank && end < 0) return data.length > MAX_HEAD ? this.fail() : this.hold(data);
        const headLen = blank ? 0 : end;
        this.startPart(data.toString('latin1', 0, headLen));
        this.state = St.Content;
        // The content starts after the blank line; the CRLF before the next delimiter belongs to the delimiter.
        return data.subarray(blank ? 2 : end + 4);
      }
      default:
        return EMPTY;
    }
  }

  /** What looked like a delimiter at data[i] is not one: its first byte is content, and the search goes on after it. */
  private notDelimiter(data: Buffer, i: number): Buffer {
    this.content(data, i, i + 1);
    return data.subarray(i + 1);
  }

  private hold(data: Buffer): Buffer {
    this.carry = Buffer.from(data);
    return EMPTY;
  }

  private fail(): Buffer {
    this.endPart(false);
    this.state = St.Done;
    return EMPTY;
  }

  private content(data: Buffer, from: number, to: number): void {
    const p = this.part;
    if (p === null || to <= from || this.state !== St.Content) return;
    p.hasher.body(data, from, to);
    p.bytes += to - from;
  }

  private startPart(head: string): void {
    let name = '';
    let hasFile = false;
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0 || line.slice(0, colon).trim().toLowerCase() !== 'content-disposition') continue;
      const v = parseValue(line.slice(colon + 1));
      const f = v.params.get('filename');
      if (f !== undefined) {
        hasFile = true;
        name = decodeWords(f).slice(0, MAX_NAME);
      }
    }
    if (!hasFile) return; // a form field, not a file
    if (this.files.length >= MAX_FILES) {
      this.dropped++;
      return;
    }
    this.part = { name, hasher: BodyHasher.unbounded('', this.extract), bytes: 0 };
  }

  private endPart(whole: boolean): void {
    const p = this.part;
    this.part = null;
    if (p === null) return;
    const facts = p.hasher.finish(whole);
    facts.file?.close(facts.sha256);
    this.files.push({ name: p.name, mime: facts.mime, bytes: p.bytes, md5: facts.md5, sha256: facts.sha256 });
  }

  /** Bytes of the body fell into a sequence gap: the part they belong to gets no hash; the next delimiter resynchronises. */
  gap(): void {
    if (this.state === St.Done) return;
    this.endPart(false);
    this.carry = Buffer.alloc(0);
    this.state = St.Preamble;
  }

  /** The body ended: a part still open was cut short (no closing delimiter) and gets no hash. */
  finish(): FormFile[] {
    this.endPart(false);
    this.state = St.Done;
    return this.files;
  }
}

const EMPTY = Buffer.alloc(0);
