/**
 * What an HTTP body is, as Zeek's files framework tells it: its type by content (the first bytes' magic, Zeek's
 * resp_mime_types / orig_mime_types) and its MD5 and SHA-256 (both ways: downloads and uploads), the values an
 * incident responder looks up. The bytes come from the StreamBuf tap (stream.ts) as the parser passes over them: hashed as they go, never
 * buffered. Hashes are given only for a body seen whole (no byte lost to a gap, not cut short), as Zeek's files.log
 * gives them. A body sent with a Content-Encoding nad can decode (gzip, deflate, br) is typed and hashed decoded,
 * as Zeek's files framework and tshark's object export see it: its bytes are kept (within MAX_ENCODED, and
 * MAX_HELD for all such bodies at once) and decoded when it ends (within MAX_DECODED). Other encodings are hashed as sent.
 */
import { createHash, type Hash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { HttpRecord } from '../records.js';
import type { BodyTap } from '../stream.js';
import type { ExtractedFile, FileExtractor } from './extract.js';
import type { FormFile, FormSplitter } from './multipart.js';

/** Bytes kept to sniff the type: the longest magic below is 8 bytes past a 4-byte offset (RIFF…WEBP). */
const HEAD = 16;

/** Content signatures: a deliberately short list of what matters in an investigation (programs, archives, documents). */
const MAGIC: readonly { at: number; bytes: Buffer; mime: string }[] = [
  ['MZ', 'application/x-dosexec'],
  ['\x7fELF', 'application/x-executable'],
  ['\xca\xfe\xba\xbe', 'application/x-mach-o-executable'],
  ['\xcf\xfa\xed\xfe', 'application/x-mach-o-executable'],
  ['\xce\xfa\xed\xfe', 'application/x-mach-o-executable'],
  ['PK\x03\x04', 'application/zip'],
  ['Rar!\x1a\x07', 'application/x-rar'],
  ['7z\xbc\xaf\x27\x1c', 'application/x-7z-compressed'],
  ['\x1f\x8b', 'application/x-gzip'],
  ['BZh', 'application/x-bzip2'],
  ['\xfd7zXZ\x00', 'application/x-xz'],
  ['MSCF', 'application/vnd.ms-cab-compressed'],
  ['\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1', 'application/vnd.ms-ole-storage'],
  ['%PDF-', 'application/pdf'],
  ['{\\rtf', 'text/rtf'],
  ['\x89PNG\r\n\x1a\n', 'image/png'],
  ['\xff\xd8\xff', 'image/jpeg'],
  ['GIF87a', 'image/gif'],
  ['GIF89a', 'image/gif'],
  ['wOFF', 'font/woff'],
  ['wOF2', 'font/woff2'],
].map(([m, mime]) => ({ at: 0, bytes: Buffer.from(m!, 'latin1'), mime: mime! }));

/** Content types (by sniffMime) of what a responder looks at first: programs, archives and documents, not web assets. */
const OF_INTEREST = new Set([
  'application/x-dosexec', 'application/x-executable', 'application/x-mach-o-executable', 'application/zip', 'application/x-rar',
  'application/x-7z-compressed', 'application/x-gzip', 'application/x-bzip2', 'application/x-xz', 'application/vnd.ms-cab-compressed',
  'application/vnd.ms-ole-storage', 'application/pdf', 'text/rtf',
]);

/** Whether a body of this content type is a program, an archive or a document (the report's files table). */
export function isFileOfInterest(mime: string): boolean {
  return OF_INTEREST.has(mime);
}

/** The content type of a body's first bytes; '' when none of the signatures (or the markup checks) fits. */
export function sniffMime(head: Buffer): string {
  for (const m of MAGIC) {
    if (head.length >= m.at + m.bytes.length && head.compare(m.bytes, 0, m.bytes.length, m.at, m.at + m.bytes.length) === 0) return m.mime;
  }
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  const text = head.toString('latin1').trimStart().toLowerCase();
  if (text.startsWith('<?xml')) return 'application/xml';
  if (text.startsWith('<!doctype html') || text.startsWith('<html')) return 'text/html';
  return '';
}

/** An encoded body kept for decoding larger than this gets no hash. */
const MAX_ENCODED = 16 << 20;
/** Encoded bytes kept by every body of this thread at once. */
const MAX_HELD = 64 << 20;
/** A body that decodes to more than this (a decompression bomb) gets no hash. */
const MAX_DECODED = 64 << 20;
let held = 0;

type Decoder = (b: Buffer) => Buffer;
const DECODERS: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ['gzip', (b) => gunzipSync(b, { maxOutputLength: MAX_DECODED })],
  ['x-gzip', (b) => gunzipSync(b, { maxOutputLength: MAX_DECODED })],
  // RFC 9110 §8.4.1.2: deflate is the zlib format; some servers send raw deflate, which browsers accept too.
  ['deflate', (b) => { try { return inflateSync(b, { maxOutputLength: MAX_DECODED }); } catch { return inflateRawSync(b, { maxOutputLength: MAX_DECODED }); } }],
  ['br', (b) => brotliDecompressSync(b, { maxOutputLength: MAX_DECODED })],
]);

/** Whether a Content-Encoding value is one body.ts decodes (a single coding of gzip, deflate or br). */
export function decodable(encoding: string): boolean {
  return DECODERS.has(encoding.trim());
}

/** What a finished body gives its record. */
export interface BodyFacts {
  mime: string;
  md5: string;
  sha256: string;
  /** --extract-files: the body's file, kept or removed by recordBody once the hash is final. */
  file?: ExtractedFile;
  /** A multipart/form-data request: the files it posted (multipart.ts). */
  files?: FormFile[];
}

/**
 * One body's tap: takes at most `budget` bytes (more arrive as chunks are announced), sniffs the first of them and,
 * when `hash`, hashes them all. finish() reads the result once.
 */
export class BodyHasher implements BodyTap {
  budget = 0;
  seen = 0;
  missing = 0;
  private readonly head = Buffer.alloc(HEAD);
  private headLen = 0;
  private readonly md5: Hash | null;
  private readonly sha256: Hash | null;
  /** A decodable Content-Encoding: the body's bytes, kept to be decoded when it ends (null: hashed as they pass). */
  private readonly decoder: Decoder | null;
  private kept: Buffer[] | null = null;
  private keptBytes = 0;
  /** --extract-files: where the (decoded) body goes; opened with its first byte. */
  private file: ExtractedFile | null = null;

  /**
   * `encoding`: the Content-Encoding; a response in one nad decodes is typed and hashed decoded. `extract`: write the
   * (hashed) body to a file named by its hash (extract.ts).
   */
  /** A hasher that takes every byte it is given (no framing announces a length): a stream, a part, a data connection. */
  static unbounded(encoding: string, extract: FileExtractor | null, form: FormSplitter | null = null): BodyHasher {
    const h = new BodyHasher(true, encoding, extract, form);
    h.budget = Infinity;
    return h;
  }

  constructor(hash: boolean, encoding = '', private readonly extract: FileExtractor | null = null, private readonly form: FormSplitter | null = null) {
    this.md5 = hash ? createHash('md5') : null;
    this.sha256 = hash ? createHash('sha256') : null;
    this.decoder = hash ? DECODERS.get(encoding.trim()) ?? null : null;
    if (this.decoder !== null) this.kept = [];
  }

  /** The content bytes (decoded when they were encoded), in order: sniffed, hashed, and written when extracting. */
  private content(src: Buffer, from: number, end: number): void {
    this.sniff(src, from, end);
    if (this.md5 === null || this.sha256 === null) return;
    this.md5.update(src.subarray(from, end));
    this.sha256.update(src.subarray(from, end));
    if (this.extract !== null && this.file === null && this.seen > 0) this.file = this.extract.open();
    this.file?.write(src, from, end);
    this.form?.write(src, from, end);
  }

  body(src: Buffer, from: number, to: number): void {
    const n = Math.min(to - from, this.budget);
    if (n <= 0) return;
    const end = from + n;
    this.budget -= n;
    this.seen += n;
    if (this.kept !== null) {
      if (this.keptBytes + n > MAX_ENCODED || held + n > MAX_HELD) this.drop();
      else {
        this.kept.push(Buffer.from(src.subarray(from, end)));
        this.keptBytes += n;
        held += n;
        return;
      }
    }
    if (this.decoder !== null) return; // dropped: too large to decode, so neither typed nor hashed past this point
    this.content(src, from, end);
  }

  private sniff(src: Buffer, from: number, end: number): void {
    if (this.headLen >= HEAD) return;
    const k = Math.min(HEAD - this.headLen, end - from);
    src.copy(this.head, this.headLen, from, from + k);
    this.headLen += k;
  }

  /** Stops keeping an encoded body: it will get no hash. */
  private drop(): void {
    if (this.kept === null) return;
    held -= this.keptBytes;
    this.kept = null;
    this.keptBytes = 0;
  }

  gap(n: number): void {
    const k = Math.min(n, this.budget);
    this.missing += k;
    this.budget -= k;
    if (k > 0) this.form?.gap();
  }

  /** The type of what was seen, and the hashes when the whole body was (`complete`: no declared byte still owed). */
  finish(complete: boolean): BodyFacts {
    let whole = complete && this.missing === 0 && this.seen > 0 && this.md5 !== null && this.sha256 !== null;
    if (this.decoder !== null) {
      const kept = this.kept;
      this.drop();
      let decoded: Buffer | null = null;
      if (whole && kept !== null) {
        try {
          decoded = this.decoder(Buffer.concat(kept));
        } catch {
          decoded = null; // damaged, or a bomb past MAX_DECODED
        }
      }
      if (decoded === null) {
        // Not decoded: typed by what was sent (the compressed bytes), no hash of content nobody saw.
        if (kept !== null && kept.length > 0) this.sniff(kept[0]!, 0, kept[0]!.length);
        whole = false;
      } else this.content(decoded, 0, decoded.length);
    }
    const mime = this.headLen === 0 ? '' : sniffMime(this.head.subarray(0, this.headLen));
    return {
      mime, md5: whole ? this.md5!.digest('hex') : '', sha256: whole ? this.sha256!.digest('hex') : '',
      ...(this.file === null ? {} : { file: this.file }), ...(this.form === null ? {} : { files: this.form.finish() }),
    };
  }
}

/**
 * Writes a finished body's facts into its transaction: the request's type, or the response's type and hashes. A 206
 * Partial Content is a byte range of a file: its hash would be of no file anyone can look up, so it gets none.
 */
export function recordBody(rec: HttpRecord, request: boolean, facts: BodyFacts): void {
  if (request) {
    rec.orig_mime_types = facts.mime;
    rec.orig_sha256 = facts.sha256;
    for (const f of facts.files ?? []) {
      rec.orig_filenames.push(f.name);
      rec.orig_file_mime_types.push(f.mime);
      rec.orig_file_sha256.push(f.sha256);
    }
    facts.file?.close(facts.sha256);
    return;
  }
  rec.resp_mime_types = facts.mime;
  const partial = rec.status_code === 206;
  rec.resp_md5 = partial ? '' : facts.md5;
  rec.resp_sha256 = partial ? '' : facts.sha256;
  facts.file?.close(rec.resp_sha256);
}

/** A body whose transaction is gone: its file, if any, is removed. */
export function discardBody(facts: BodyFacts): void {
  facts.file?.close('');
}
