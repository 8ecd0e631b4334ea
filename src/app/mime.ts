/**
 * The attachments of a mail message (RFC 2045–2047, RFC 2231), read a line at a time as the message passes: the MIME
 * entity tree is walked by its boundaries (nested multiparts, message/rfc822 parts), and each attachment's content is
 * decoded (base64, quoted-printable, 7bit/8bit/binary) into a BodyHasher (http/body.ts): typed by its first bytes,
 * hashed (MD5, SHA-256) and, with --extract-files, written to files/ under its hash, as Zeek's files framework and
 * NetworkMiner do for SMTP. Nothing of the content is kept.
 *
 * An attachment is a leaf part that is `Content-Disposition: attachment`, or names a file (filename, name), or is not
 * text (application/*, image/*…); inline text/plain and text/html bodies are the message, not files. Quoted-printable
 * hard line breaks and the lines of unencoded content decode to CRLF (RFC 2045 §6.7: the canonical form), and the line
 * break before a boundary belongs to the boundary (RFC 2046 §5.1.1).
 *
 * Bounded: at most MAX_DEPTH nested multiparts, MAX_PARTS attachments a message, header values of MAX_HEADER
 * characters; lines come bounded from lines.ts.
 */
import { BodyHasher } from './http/body.js';
import type { FileExtractor } from './http/extract.js';

const MAX_DEPTH = 8;
const MAX_PARTS = 20;
const MAX_HEADER = 2000;
const MAX_NAME = 255;

/** One attachment, once its part has ended. */
export interface MailFile {
  /** Its file name (Content-Disposition filename, else Content-Type name; RFC 2231 and RFC 2047 decoded), '' when none. */
  name: string;
  /** Its type by content (sniffMime), '' when no signature fits. */
  mime: string;
  /** Bytes decoded. */
  bytes: number;
  /** Hashes of the decoded content; '' when the part did not end (the message was cut short). */
  md5: string;
  sha256: string;
}

const enum Cte { Identity, Base64, QuotedPrintable }

/** The headers of one entity, as far as MIME needs them. */
interface Entity {
  type: string;
  boundary: string;
  name: string;
  disposition: string;
  filename: string;
  cte: Cte;
}

const newEntity = (): Entity => ({ type: '', boundary: '', name: '', disposition: '', filename: '', cte: Cte.Identity });

const enum State { Header, Skip, Leaf }

export class MimeReader {
  readonly files: MailFile[] = [];
  /** Attachments past MAX_PARTS, not read. */
  dropped = 0;
  private state = State.Header;
  private entity = newEntity();
  /** The header line being unfolded. */
  private header = '';
  /** Boundaries of the open multiparts, outermost first. */
  private readonly boundaries: string[] = [];
  /** The attachment being read (null: a leaf that is not one, or none). */
  private hasher: BodyHasher | null = null;
  private current: Omit<MailFile, 'mime' | 'md5' | 'sha256' | 'bytes'> | null = null;
  private cte = Cte.Identity;
  private bytes = 0;
  /** A line break owed before the next content (it is dropped if a boundary comes first). */
  private owedBreak = false;
  /** Base64 characters not yet decoded (fewer than 4). */
  private carry = '';
  private b64done = false;

  constructor(private readonly extract: FileExtractor | null = null) {}

  /** One line of the message, without its CR LF, after dot-unstuffing. */
  line(line: string): void {
    if (line.length >= 3 && line.charCodeAt(0) === 0x2d && line.charCodeAt(1) === 0x2d && this.boundaries.length > 0 && this.boundary(line)) return;
    switch (this.state) {
      case State.Header:
        this.headerLine(line);
        return;
      case State.Leaf:
        if (this.hasher !== null) this.content(line);
        return;
      default:
    }
  }

  /** The message ended: an attachment still open ends with it (whole, as far as anything shows). */
  end(): void {
    this.finishLeaf(true);
    this.state = State.Skip;
  }

  /** The message was cut short (the connection ended, or was given up, inside it): an open attachment gets no hash. */
  cut(): void {
    this.finishLeaf(false);
    this.state = State.Skip;
  }

  /** A `--boundary` or `--boundary--` line of an open multipart: true when it was one. */
  private boundary(line: string): boolean {
    for (let i = this.boundaries.length - 1; i >= 0; i--) {
      const b = this.boundaries[i]!;
      if (!line.startsWith(b, 2)) continue;
      const rest = line.slice(2 + b.length);
      const close = rest.startsWith('--');
      if ((close ? rest.slice(2) : rest).trim() !== '') continue;
      this.finishLeaf(true);
      this.boundaries.length = close ? i : i + 1;
      if (close) this.state = State.Skip; // the epilogue, until a boundary of an outer multipart
      else {
        this.state = State.Header;
        this.entity = newEntity();
        this.header = '';
      }
      return true;
    }
    return false;
  }

  private headerLine(line: string): void {
    const folded = line.length > 0 && (line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09);
    if (folded) {
      if (this.header !== '' && this.header.length < MAX_HEADER) this.header += ` ${line.trim()}`;
      return;
    }
    if (this.header !== '') this.field(this.header);
    this.header = line;
    if (line === '') this.bodyStarts();
  }

  /** One unfolded header field of the entity. */
  private field(raw: string): void {
    const colon = raw.indexOf(':');
    if (colon <= 0) return;
    const name = raw.slice(0, colon).trim().toLowerCase();
    const value = raw.slice(colon + 1).slice(0, MAX_HEADER);
    const e = this.entity;
    if (name === 'content-type') {
      const p = parseValue(value);
      e.type = p.value;
      e.boundary = p.params.get('boundary') ?? '';
      e.name = p.params.get('name') ?? '';
    } else if (name === 'content-disposition') {
      const p = parseValue(value);
      e.disposition = p.value;
      e.filename = p.params.get('filename') ?? '';
    } else if (name === 'content-transfer-encoding') {
      const v = value.trim().toLowerCase();
      e.cte = v === 'base64' ? Cte.Base64 : v === 'quoted-printable' ? Cte.QuotedPrintable : Cte.Identity;
    }
  }

  /** The blank line after an entity's headers: what its body is. */
  private bodyStarts(): void {
    const e = this.entity;
    this.header = '';
    if (e.type.startsWith('multipart/') && e.boundary !== '' && this.boundaries.length < MAX_DEPTH) {
      this.boundaries.push(e.boundary);
      this.state = State.Skip; // the preamble
      return;
    }
    if (e.type.startsWith('multipart/')) {
      this.state = State.Skip; // nested deeper than MAX_DEPTH, or with no boundary: not read
      return;
    }
    if (e.type === 'message/rfc822') {
      this.entity = newEntity(); // a message inside: its headers follow
      return;
    }
    this.state = State.Leaf;
    const name = clip(decodeWords(e.filename !== '' ? e.filename : e.name));
    const text = e.type === '' || e.type.startsWith('text/');
    if (e.disposition !== 'attachment' && name === '' && text) return; // the message's own text
    if (this.files.length + (this.current === null ? 0 : 1) >= MAX_PARTS) {
      this.dropped++;
      return;
    }
    this.current = { name };
    this.hasher = BodyHasher.unbounded('', this.extract);
    this.cte = e.cte;
    this.bytes = 0;
    this.owedBreak = false;
    this.carry = '';
    this.b64done = false;
  }

  private emit(b: Buffer): void {
    if (b.length === 0 || this.hasher === null) return;
    this.hasher.body(b, 0, b.length);
    this.bytes += b.length;
  }

  private content(line: string): void {
    if (this.cte === Cte.Base64) {
      if (this.b64done) return;
      let chars = this.carry + line.replace(/[^A-Za-z0-9+/=]/g, '');
      const pad = chars.indexOf('=');
      if (pad >= 0) {
        chars = chars.slice(0, pad);
        this.b64done = true; // padding ends the data; what follows is not part of it
      }
      const whole = this.b64done ? chars.length : chars.length - (chars.length % 4);
      this.carry = chars.slice(whole);
      this.emit(Buffer.from(chars.slice(0, whole), 'base64'));
      return;
    }
    if (this.owedBreak) this.emit(CRLF);
    if (this.cte === Cte.QuotedPrintable) {
      const text = line.replace(/[ \t]+$/, ''); // trailing white space is not content (RFC 2045 §6.7 rule 3)
      const soft = text.endsWith('=');
      this.emit(decodeQp(soft ? text.slice(0, -1) : text));
      this.owedBreak = !soft;
    } else {
      this.emit(Buffer.from(line, 'latin1'));
      this.owedBreak = true;
    }
  }

  private finishLeaf(whole: boolean): void {
    const h = this.hasher, c = this.current;
    this.hasher = null;
    this.current = null;
    if (h === null || c === null) return;
    if (this.cte === Cte.Base64 && this.carry.length > 1) this.emit(Buffer.from(this.carry, 'base64'));
    const facts = h.finish(whole);
    facts.file?.close(facts.sha256);
    this.files.push({ ...c, mime: facts.mime, bytes: this.bytes, md5: facts.md5, sha256: facts.sha256 });
  }
}

const CRLF = Buffer.from('\r\n', 'latin1');
const HEX = /=([0-9A-Fa-f]{2})/g;

/** Quoted-printable text of one line → bytes (`=XX` escapes; a stray `=` stays, as decoders tolerate). */
function decodeQp(text: string): Buffer {
  if (text.indexOf('=') < 0) return Buffer.from(text, 'latin1');
  return Buffer.from(text.replace(HEX, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
}

const clip = (s: string): string => (s.length > MAX_NAME ? s.slice(0, MAX_NAME) : s);

/**
 * A structured header value (`type/sub; a=1; b="x y"`) → its value, lower case, and its parameters by lower-case name
 * (a plain value's raw 8-bit bytes read as UTF-8 when they are), RFC 2231 included: `name*=charset'lang'%XX…` and continuations `name*0`, `name*1*`… are joined and decoded.
 */
export function parseValue(raw: string): { value: string; params: Map<string, string> } {
  const semi = raw.indexOf(';');
  const value = (semi < 0 ? raw : raw.slice(0, semi)).trim().toLowerCase();
  const params = new Map<string, string>();
  if (semi < 0) return { value, params };
  const pieces = new Map<string, { parts: { n: number; v: string; enc: boolean }[] }>();
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  const tail = raw.slice(semi);
  for (let m = re.exec(tail); m !== null; m = re.exec(tail)) {
    let key = m[1]!.toLowerCase();
    const v = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '').trim();
    const enc = key.endsWith('*');
    if (enc) key = key.slice(0, -1);
    const star = /^(.*)\*(\d+)$/.exec(key);
    const base = star === null ? key : star[1]!;
    const n = star === null ? -1 : Number(star[2]);
    let p = pieces.get(base);
    if (p === undefined) pieces.set(base, (p = { parts: [] }));
    if (p.parts.length < 64) p.parts.push({ n, v, enc });
  }
  for (const [k, p] of pieces) {
    const plain = p.parts.find((x) => x.n < 0 && !x.enc);
    const ext = p.parts.find((x) => x.n < 0 && x.enc);
    if (ext !== undefined) params.set(k, rfc2231(ext.v));
    else if (p.parts.some((x) => x.n >= 0)) {
      const seq = p.parts.filter((x) => x.n >= 0).sort((a, b) => a.n - b.n);
      const first = seq[0]!;
      const m = first.enc ? /^([^']*)'[^']*'(.*)$/.exec(first.v) : null;
      const charset = m === null ? '' : m[1]!;
      const bytes: number[] = [];
      seq.forEach((x, i) => {
        const text = i === 0 && m !== null ? m[2]! : x.v;
        for (const b of x.enc ? percentBytes(text) : Buffer.from(text, 'latin1')) bytes.push(b);
      });
      params.set(k, decodeCharset(Buffer.from(bytes), charset));
    } else if (plain !== undefined) params.set(k, utf8Text(plain.v)); // raw 8-bit: UTF-8 when it is
  }
  return { value, params };
}

/** `utf-8'en'%E2%82%AC.txt` → the text. */
function rfc2231(v: string): string {
  const m = /^([^']*)'[^']*'(.*)$/.exec(v);
  if (m === null) return v;
  return decodeCharset(percentBytes(m[2]!), m[1]!);
}

function percentBytes(s: string): Buffer {
  return Buffer.from(s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
}

/** Bytes in a named charset: UTF-8 and Latin-1 (and US-ASCII) are read; others as UTF-8, which they most often are. */
function decodeCharset(b: Buffer, charset: string): string {
  const c = charset.trim().toLowerCase();
  if (c === 'iso-8859-1' || c === 'latin1' || c === 'windows-1252' || c === 'us-ascii') return b.toString('latin1');
  return b.toString('utf8');
}

/**
 * A header value read as Latin-1 whose bytes are UTF-8 (RFC 6532 headers; RFC 7578 §4.2 file names, which browsers and
 * curl send as raw UTF-8): the text; the value unchanged when its bytes are not valid UTF-8.
 */
export function utf8Text(latin1: string): string {
  if (!/[\x80-\xff]/.test(latin1)) return latin1;
  const text = Buffer.from(latin1, 'latin1').toString('utf8');
  return text.includes('\ufffd') ? latin1 : text;
}

/** RFC 2047 encoded words (`=?utf-8?B?…?=`, `=?iso-8859-1?Q?…?=`) in a value → text; white space between two words goes. */
export function decodeWords(s: string): string {
  if (s.indexOf('=?') < 0) return s;
  return s
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g, (_m, cs: string, enc: string, text: string) => {
      const charset = cs.split('*')[0]!;
      const bytes = enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(HEX, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      return decodeCharset(bytes, charset);
    });
}
