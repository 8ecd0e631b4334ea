/**
 * A bounded DNS message decoder (RFC 1035 §4.1). Never throws and never loops: compression pointers must point
 * strictly backwards (so every jump makes progress towards the start), names stop at 255 bytes, and section
 * counts are trusted only as far as the bytes go. dns-packet (measured in ../shared/DEPS.md) throws on 83% of
 * damaged inputs, which would cost a try/catch per message; this decoder returns null or a partial result instead.
 */
import { formatIpv6 } from './ipv6.js';

export interface DnsAnswer {
  type: number;
  ttl: number;
  /** Data as text (address, name, TXT strings joined by a space); `<TYPE>` placeholder for types not rendered. */
  data: string;
  rdlength: number;
}

export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

export interface DnsMessage {
  id: number;
  /** The 16-bit flags word: QR(15) opcode(11-14) AA(10) TC(9) RD(8) RA(7) Z(4-6) rcode(0-3). */
  flags: number;
  qdcount: number;
  ancount: number;
  /** Questions (mDNS asks several at once); a root name is '<Root>' as tshark prints it. */
  questions: DnsQuestion[];
  answers: DnsAnswer[];
  /** Set when the message ended early or a name was bad: the fields read before that are kept. */
  truncated: boolean;
}

const MAX_NAME = 255;
/** Answers decoded per message: enough for any real response, a bound for hostile ones. */
const MAX_ANSWERS = 64;
const MAX_QUESTIONS = 64;

/** Name text and where the name ends in the message (after its first pointer, if any); -1 when malformed. */
export interface NameResult {
  name: string;
  next: number;
}

/**
 * Name text is assembled here and read out as one flat string: one toString per name instead of one per label plus
 * a concatenation (Buffer#toString costs far more than copying a label's bytes, and a concatenated name stays a
 * rope of small strings for as long as its record lives). Escaping makes a wire byte at most 4 characters.
 */
const NAME_TEXT = Buffer.alloc(4 * MAX_NAME + 64);

/** Reads a possibly compressed name at o in msg[start, end). */
export function readName(buf: Buffer, start: number, end: number, o: number, out: NameResult): boolean {
  let pos = o;
  let next = -1;
  let total = 0;
  let n = 0; // characters of name text in NAME_TEXT
  let limit = pos; // a pointer must point before the label that holds it
  for (;;) {
    if (pos >= end) return false;
    const len = buf[pos]!;
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= end) return false;
      const target = start + (((len & 0x3f) << 8) | buf[pos + 1]!);
      if (next < 0) next = pos + 2;
      if (target >= limit) return false; // forward or self pointer: a loop in the making
      pos = target;
      limit = target;
      continue;
    }
    if (kind !== 0) return false; // 0x40 / 0x80 label types (RFC 6891 §5) are obsolete
    if (pos + 1 + len > end) return false;
    total += len + 1;
    if (total > MAX_NAME) return false;
    if (n > 0) NAME_TEXT[n++] = 0x2e; // '.'
    n = labelText(buf, pos + 1, pos + 1 + len, n);
    pos += 1 + len;
  }
  out.name = n === 0 ? '<Root>' : NAME_TEXT.toString('latin1', 0, n);
  out.next = next;
  return true;
}

/** Writes a label into NAME_TEXT at n: printable ASCII as is, other bytes as `\ddd` (RFC 4343 §2.1, as Zeek logs them). */
function labelText(buf: Buffer, o: number, end: number, at: number): number {
  let n = at;
  for (let i = o; i < end; i++) {
    const c = buf[i]!;
    if (c < 0x21 || c > 0x7e || c === 0x5c) {
      NAME_TEXT[n] = 0x5c;
      NAME_TEXT[n + 1] = 0x30 + ((c / 100) | 0);
      NAME_TEXT[n + 2] = 0x30 + (((c / 10) | 0) % 10);
      NAME_TEXT[n + 3] = 0x30 + (c % 10);
      n += 4;
    } else {
      NAME_TEXT[n++] = c;
    }
  }
  return n;
}

/** Decodes the message buf[start, end). Null when even the header or first question is unreadable. */
export function parseDnsMessage(buf: Buffer, start: number, end: number): DnsMessage | null {
  if (end - start < 12) return null;
  const m: DnsMessage = {
    id: buf.readUInt16BE(start),
    flags: buf.readUInt16BE(start + 2),
    qdcount: buf.readUInt16BE(start + 4),
    ancount: buf.readUInt16BE(start + 6),
    questions: [],
    answers: [],
    truncated: false,
  };
  let o = start + 12;
  const nr: NameResult = { name: '', next: 0 };
  const nq = Math.min(m.qdcount, MAX_QUESTIONS);
  for (let q = 0; q < nq; q++) {
    if (!readName(buf, start, end, o, nr) || nr.next + 4 > end) {
      if (q === 0) return null;
      m.truncated = true;
      return m;
    }
    m.questions.push({ name: nr.name, type: buf.readUInt16BE(nr.next), class: buf.readUInt16BE(nr.next + 2) });
    o = nr.next + 4;
  }
  const n = Math.min(m.ancount, MAX_ANSWERS);
  for (let a = 0; a < n; a++) {
    if (!readName(buf, start, end, o, nr) || nr.next + 10 > end) {
      m.truncated = true;
      return m;
    }
    const type = buf.readUInt16BE(nr.next);
    const ttl = buf.readUInt32BE(nr.next + 4);
    const rdlength = buf.readUInt16BE(nr.next + 8);
    const rd = nr.next + 10;
    if (rd + rdlength > end) {
      m.truncated = true;
      return m;
    }
    m.answers.push({ type, ttl, rdlength, data: rdataText(buf, start, rd, rd + rdlength, type, nr) });
    o = rd + rdlength;
  }
  return m;
}

function rdataText(buf: Buffer, start: number, o: number, end: number, type: number, nr: NameResult): string {
  switch (type) {
    case 1: // A
      return end - o === 4 ? `${buf[o]}.${buf[o + 1]}.${buf[o + 2]}.${buf[o + 3]}` : '<A>';
    case 28: // AAAA
      return end - o === 16 ? formatIpv6(buf, o) : '<AAAA>';
    case 2: // NS
    case 5: // CNAME
    case 6: // SOA: the primary name server
    case 12: // PTR
    case 39: // DNAME
      return readName(buf, start, end, o, nr) ? nr.name : `<${type}>`;
    case 15: // MX: preference, exchange
      return end - o > 2 && readName(buf, start, end, o + 2, nr) ? nr.name : '<MX>';
    case 33: // SRV: priority, weight, port, target
      return end - o > 6 && readName(buf, start, end, o + 6, nr) ? nr.name : '<SRV>';
    case 16: // TXT: character-strings
      return txtText(buf, o, end);
    default:
      return `<${dnsTypeName(type)}>`;
  }
}

function txtText(buf: Buffer, o: number, end: number): string {
  const parts: string[] = [];
  let q = o;
  while (q < end) {
    const l = buf[q]!;
    const e = Math.min(end, q + 1 + l);
    parts.push(buf.toString('latin1', q + 1, e));
    q = e;
  }
  return parts.join(' ');
}

const TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 10: 'NULL', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 17: 'RP',
  24: 'SIG', 25: 'KEY', 28: 'AAAA', 29: 'LOC', 33: 'SRV', 35: 'NAPTR', 36: 'KX', 37: 'CERT', 39: 'DNAME',
  41: 'OPT', 43: 'DS', 44: 'SSHFP', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 50: 'NSEC3', 51: 'NSEC3PARAM',
  52: 'TLSA', 59: 'CDS', 60: 'CDNSKEY', 64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 249: 'TKEY', 250: 'TSIG',
  251: 'IXFR', 252: 'AXFR', 255: 'ANY', 256: 'URI', 257: 'CAA',
};

/** IANA DNS RR TYPE mnemonic, `TYPE<n>` (RFC 3597 §5) for the rest. */
export function dnsTypeName(t: number): string {
  return TYPE_NAMES[t] ?? `TYPE${t}`;
}

const CLASS_NAMES: Readonly<Record<number, string>> = { 1: 'C_INTERNET', 3: 'C_CHAOS', 4: 'C_HESIOD', 254: 'C_NONE', 255: 'C_ANY' };

/** Zeek's class names; mDNS sets the top bit (unicast-response / cache-flush, RFC 6762 §18.12). */
export function dnsClassName(c: number): string {
  return CLASS_NAMES[c & 0x7fff] ?? `CLASS${c}`;
}

const RCODE_NAMES: readonly string[] = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

export function dnsRcodeName(r: number): string {
  return RCODE_NAMES[r] ?? `RCODE${r}`;
}
