/**
 * Decryption Secrets Blocks (pcapng draft §4.8, block type 0x0000000A): key logs that editcap --inject-secrets and
 * Wireshark embed in a capture, read before the capture itself so that the app layer has the keys when the flows
 * start. Only the blocks ahead of the first packet are read (where editcap puts them); the pcapng reader skips and
 * counts every DSB as before (skipped_blocks). Plain and gzip files; stdin and FIFOs are not scanned (nothing can be
 * read twice there).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';

const SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
const DSB = 0x0000000a;
/** Secrets type of a TLS key log in NSS format (the ASCII of "TLSK"). */
const TLS_KEY_LOG = 0x544c534b;
const PACKET_BLOCKS = new Set([2, 3, 6]);
/** Bytes looked at before the first packet at most (a gzip file: of its start, decompressed). */
const SCAN_LIMIT = 16 * 1024 * 1024;

export interface EmbeddedKeyLog {
  /** The capture, and the byte offset of its block (in the decompressed stream for gzip). */
  path: string;
  offset: number;
  text: string;
}

/** The TLS key logs embedded in the given captures ahead of their first packet. */
export function embeddedKeyLogs(paths: readonly string[]): EmbeddedKeyLog[] {
  const out: EmbeddedKeyLog[] = [];
  for (const path of paths) {
    if (path === '-') continue;
    let head: Buffer;
    try {
      if (!statSync(path).isFile()) continue;
      head = readHead(path);
    } catch {
      continue; // unreadable: the capture reader says so, with its offset
    }
    if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      try {
        head = gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, SCAN_LIMIT);
      } catch {
        continue;
      }
    }
    for (const { offset, text } of scan(head)) out.push({ path, offset, text });
  }
  return out;
}

/** The file's first SCAN_LIMIT bytes when it starts as pcapng or gzip does; else its first 4 (nothing to scan). */
function readHead(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const magic = Buffer.alloc(4);
    if (readSync(fd, magic, 0, 4, 0) < 4) return magic.subarray(0, 0);
    if (magic.readUInt32LE(0) !== SHB && !(magic[0] === 0x1f && magic[1] === 0x8b)) return magic;
    const buf = Buffer.allocUnsafe(Math.min(SCAN_LIMIT, statSync(path).size));
    let n = 0;
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, n);
      if (r === 0) break;
      n += r;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Walks the blocks of a pcapng head up to its first packet block; anything that does not parse ends the walk. */
function scan(b: Buffer): { offset: number; text: string }[] {
  const found: { offset: number; text: string }[] = [];
  if (b.length < 12 || b.readUInt32LE(0) !== SHB) return found;
  let le = true;
  for (let o = 0; o + 12 <= b.length; ) {
    if (b.readUInt32LE(o) === SHB) {
      const bom = b.readUInt32LE(o + 8);
      le = bom === BOM;
      if (!le && b.readUInt32BE(o + 8) !== BOM) break;
    }
    const type = le ? b.readUInt32LE(o) : b.readUInt32BE(o);
    const len = le ? b.readUInt32LE(o + 4) : b.readUInt32BE(o + 4);
    if (len < 12 || len % 4 !== 0 || o + len > b.length || PACKET_BLOCKS.has(type)) break;
    if (type === DSB && len >= 20) {
      const kind = le ? b.readUInt32LE(o + 8) : b.readUInt32BE(o + 8);
      const n = le ? b.readUInt32LE(o + 12) : b.readUInt32BE(o + 12);
      if (kind === TLS_KEY_LOG && 16 + n <= len - 4) found.push({ offset: o, text: b.toString('utf8', o + 16, o + 16 + n) });
    }
    o += len;
  }
  return found;
}
