/**
 * DNS messages (RFC 1035 §4) with name compression, for unicast DNS and mDNS (RFC 6762). Only what the simulator
 * sends: A, AAAA, CNAME, PTR, TXT, SRV and an EDNS(0) OPT pseudo-record (RFC 6891).
 */

export const RType = { A: 1, CNAME: 5, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41 } as const;
export type RTypeName = keyof typeof RType;

export interface Question {
  readonly name: string;
  readonly type: RTypeName;
  /** mDNS: ask for a unicast reply (the top bit of qclass, RFC 6762 §5.4). */
  readonly unicast?: boolean;
}

export interface ResourceRecord {
  readonly name: string;
  readonly type: Exclude<RTypeName, 'OPT'>;
  readonly ttl: number;
  /** A: dotted quad; AAAA: full or '::'-compressed text; CNAME/PTR: a name; TXT: strings; SRV: [priority, weight, port, target]. */
  readonly data: string | readonly string[] | readonly [number, number, number, string];
  /** mDNS: cache-flush bit in the class field (RFC 6762 §10.2). */
  readonly flush?: boolean;
}

export interface DnsMessage {
  readonly id: number;
  /** QR, opcode, AA, TC, RD, RA, rcode as the 16-bit flags word. */
  readonly flags: number;
  readonly questions: readonly Question[];
  readonly answers?: readonly ResourceRecord[];
  readonly authority?: readonly ResourceRecord[];
  readonly additional?: readonly ResourceRecord[];
  /** EDNS(0) UDP payload size; adds an OPT record when set. */
  readonly edns_udp?: number;
}

export const DnsFlags = {
  query: 0x0100, // RD
  response: 0x8180, // QR RD RA, NOERROR
  nxdomain: 0x8183,
  mdnsResponse: 0x8400, // QR AA
} as const;

class Writer {
  private readonly parts: Buffer[] = [];
  private len = 0;
  /** Lower-cased name suffix → offset of its first copy, for compression pointers. */
  private readonly names = new Map<string, number>();

  push(b: Buffer): void {
    this.parts.push(b);
    this.len += b.length;
  }
  u16(n: number): void {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n);
    this.push(b);
  }
  u32(n: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    this.push(b);
  }
  get offset(): number {
    return this.len;
  }
  /**
   * Encodes a name that will be written at offset `at`, pointing at an earlier copy of its longest known suffix
   * (RFC 1035 §4.1.4), and remembers its own suffixes for later names.
   */
  nameAt(name: string, at: number): Buffer {
    const labels = name.replace(/\.$/, '').split('.').filter((l) => l.length > 0);
    const out: Buffer[] = [];
    let off = at;
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const ptr = this.names.get(suffix);
      if (ptr !== undefined) {
        out.push(Buffer.from([0xc0 | (ptr >> 8), ptr & 0xff]));
        return Buffer.concat(out);
      }
      if (off < 0x3fff) this.names.set(suffix, off);
      const label = Buffer.from(labels[i]!, 'ascii');
      if (label.length > 63) throw new Error(`DNS label longer than 63 bytes in ${name}`);
      out.push(Buffer.concat([Buffer.from([label.length]), label]));
      off += label.length + 1;
    }
    out.push(Buffer.from([0]));
    return Buffer.concat(out);
  }
  name(name: string): void {
    this.push(this.nameAt(name, this.len));
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export function encodeDns(m: DnsMessage): Buffer {
  const w = new Writer();
  const additional = m.additional ?? [];
  w.u16(m.id);
  w.u16(m.flags);
  w.u16(m.questions.length);
  w.u16(m.answers?.length ?? 0);
  w.u16(m.authority?.length ?? 0);
  w.u16(additional.length + (m.edns_udp !== undefined ? 1 : 0));
  for (const q of m.questions) {
    w.name(q.name);
    w.u16(RType[q.type]);
    w.u16(q.unicast === true ? 0x8001 : 1);
  }
  for (const rr of [...(m.answers ?? []), ...(m.authority ?? []), ...additional]) record(w, rr);
  if (m.edns_udp !== undefined) {
    w.push(Buffer.from([0]));
    w.u16(RType.OPT);
    w.u16(m.edns_udp);
    w.u32(0);
    w.u16(0);
  }
  return w.done();
}

function record(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name);
  w.u16(RType[rr.type]);
  w.u16(rr.flush === true ? 0x8001 : 1);
  w.u32(rr.ttl);
  const data = rdata(w, rr, w.offset + 2);
  w.u16(data.length);
  w.push(data);
}

/** Encodes RDATA that starts at offset `at`; names inside it are compressed against the whole message. */
function rdata(w: Writer, rr: ResourceRecord, at: number): Buffer {
  switch (rr.type) {
    case 'A':
      return Buffer.from(String(rr.data).split('.').map(Number));
    case 'AAAA':
      return ipv6Bytes(String(rr.data));
    case 'TXT':
      return Buffer.concat((rr.data as readonly string[]).map((s) => {
        const b = Buffer.from(s, 'ascii');
        return Buffer.concat([Buffer.from([b.length]), b]);
      }));
    case 'CNAME':
    case 'PTR':
      return w.nameAt(String(rr.data), at);
    case 'SRV': {
      const [prio, weight, port, target] = rr.data as readonly [number, number, number, string];
      const fixed = Buffer.from([prio >> 8, prio & 0xff, weight >> 8, weight & 0xff, port >> 8, port & 0xff]);
      return Buffer.concat([fixed, w.nameAt(target, at + 6)]);
    }
  }
}

function ipv6Bytes(text: string): Buffer {
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
