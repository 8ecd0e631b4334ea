/**
 * A minimal MaxMind DB writer (format spec: https://maxmind.github.io/MaxMind-DB/, version 2.0) for test fixtures:
 * 24-bit records, non-overlapping networks, data types string/double/uint16/uint32/uint64/map/array. The files it
 * writes are checked by Debian's `mmdblookup` (libmaxminddb) in the tests, so nad is never its own oracle.
 */
export type MmdbValue = string | number | { double: number } | MmdbValue[] | { [k: string]: MmdbValue };

export interface MmdbNetwork {
  /** Address bytes (4 or 16) and prefix length in bits; IPv4 networks in an IPv6 tree go under ::/96. */
  bytes: Uint8Array;
  prefix: number;
  data: { [k: string]: MmdbValue };
}

function ctrl(type: number, size: number): Buffer {
  const ext = type > 7;
  const first = (ext ? 0 : type << 5) & 0xff;
  let head: number[];
  if (size < 29) head = [first | size];
  else if (size < 285) head = [first | 29, size - 29];
  else head = [first | 30, ((size - 285) >> 8) & 0xff, (size - 285) & 0xff];
  if (ext) head.splice(1, 0, type - 7);
  return Buffer.from(head);
}

function uint(type: number, v: number | bigint): Buffer {
  const bytes: number[] = [];
  let x = BigInt(v);
  while (x > 0n) {
    bytes.unshift(Number(x & 0xffn));
    x >>= 8n;
  }
  return Buffer.concat([ctrl(type, bytes.length), Buffer.from(bytes)]);
}

export function encode(v: MmdbValue | bigint): Buffer {
  if (typeof v === 'bigint') return uint(9, v);
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([ctrl(2, b.length), b]);
  }
  if (typeof v === 'number') return uint(6, v);
  if (Array.isArray(v)) return Buffer.concat([ctrl(11, v.length), ...v.map(encode)]);
  if ('double' in v && typeof v.double === 'number') {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v.double);
    return Buffer.concat([ctrl(3, 8), b]);
  }
  const entries = Object.entries(v as { [k: string]: MmdbValue });
  return Buffer.concat([ctrl(7, entries.length), ...entries.flatMap(([k, x]) => [encode(k), encode(x)])]);
}

type Rec = { node: number } | { data: number } | null;

export function writeMmdb(ipVersion: 4 | 6, databaseType: string, networks: readonly MmdbNetwork[]): Buffer {
  const nodes: [Rec, Rec][] = [[null, null]];
  const dataParts: Buffer[] = [];
  let dataLen = 0;
  for (const net of networks) {
    const bits = net.bytes.length * 8;
    const lead = ipVersion === 6 && net.bytes.length === 4 ? 96 : 0;
    const bit = (i: number): number => (i < lead ? 0 : ((net.bytes[(i - lead) >> 3] ?? 0) >> (7 - ((i - lead) & 7))) & 1);
    const total = lead + net.prefix;
    if (lead + bits > (ipVersion === 6 ? 128 : 32)) throw new Error('IPv6 network in an IPv4 tree');
    let n = 0;
    for (let i = 0; i < total - 1; i++) {
      const side = bit(i);
      const rec = nodes[n]![side];
      if (rec !== null && rec !== undefined && 'node' in rec) n = rec.node;
      else {
        nodes.push([null, null]);
        nodes[n]![side] = { node: nodes.length - 1 };
        n = nodes.length - 1;
      }
    }
    const d = encode(net.data);
    nodes[n]![bit(total - 1)] = { data: dataLen };
    dataParts.push(d);
    dataLen += d.length;
  }
  const count = nodes.length;
  const tree = Buffer.alloc(count * 6);
  const val = (r: Rec): number => (r === null ? count : 'node' in r ? r.node : count + 16 + r.data);
  nodes.forEach(([l, r], i) => {
    tree.writeUIntBE(val(l), i * 6, 3);
    tree.writeUIntBE(val(r), i * 6 + 3, 3);
  });
  const meta = Buffer.concat([
    ctrl(7, 9),
    encode('node_count'), uint(6, count),
    encode('record_size'), uint(5, 24),
    encode('ip_version'), uint(5, ipVersion),
    encode('database_type'), encode(databaseType),
    encode('languages'), encode(['en']),
    encode('binary_format_major_version'), uint(5, 2),
    encode('binary_format_minor_version'), uint(5, 0),
    encode('build_epoch'), uint(9, 1_700_000_000n),
    encode('description'), encode({ en: 'nad test fixture' }),
  ]);
  return Buffer.concat([tree, Buffer.alloc(16), ...dataParts, Buffer.from('\xab\xcd\xefMaxMind.com', 'latin1'), meta]);
}
