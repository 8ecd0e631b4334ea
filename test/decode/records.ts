/**
 * A tiny capture walker for the decode tests only (the real readers live in src/capture, written separately):
 * classic pcap and pcapng, either byte order, gzip by magic. Small files only: the whole file is read into memory.
 * It fills a Packet per record so tests can run decodePacket on real bytes.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createPacket } from '../../src/decode/layer.js';
import type { Packet } from '../../src/decode/layer.js';

export interface Rec {
  linktype: number;
  start: number;
  caplen: number;
  wirelen: number;
  file_offset: number;
}

export interface Capture {
  buf: Buffer;
  records: Rec[];
}

export function readCapture(path: string): Capture {
  let buf = readFileSync(path);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  const magic = buf.length >= 4 ? buf.readUInt32LE(0) : 0;
  if (magic === 0x0a0d0d0a) return { buf, records: pcapngRecords(buf) };
  return { buf, records: pcapRecords(buf) };
}

function pcapRecords(buf: Buffer): Rec[] {
  const m = buf.readUInt32LE(0);
  const le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
  if (!le && m !== 0xd4c3b2a1 && m !== 0x4d3cb2a1) throw new Error('not a pcap file');
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linktype = u32(20);
  const records: Rec[] = [];
  for (let o = 24; o + 16 <= buf.length; ) {
    const caplen = u32(o + 8);
    const wirelen = u32(o + 12);
    if (o + 16 + caplen > buf.length) break;
    records.push({ linktype, start: o + 16, caplen, wirelen, file_offset: o });
    o += 16 + caplen;
  }
  return records;
}

function pcapngRecords(buf: Buffer): Rec[] {
  const records: Rec[] = [];
  let le = true;
  let links: number[] = [];
  for (let o = 0; o + 12 <= buf.length; ) {
    if (buf.readUInt32LE(o) === 0x0a0d0d0a) {
      le = buf.readUInt32LE(o + 8) === 0x1a2b3c4d;
      links = [];
    }
    const u32 = (x: number): number => (le ? buf.readUInt32LE(x) : buf.readUInt32BE(x));
    const u16 = (x: number): number => (le ? buf.readUInt16LE(x) : buf.readUInt16BE(x));
    const type = u32(o);
    const len = u32(o + 4);
    if (len < 12 || o + len > buf.length) break;
    if (type === 1) links.push(u16(o + 8));
    else if (type === 6 || type === 2) {
      const ifid = type === 6 ? u32(o + 8) : u16(o + 8);
      records.push({ linktype: links[ifid] ?? -1, start: o + 28, caplen: u32(o + 20), wirelen: u32(o + 24), file_offset: o });
    } else if (type === 3) {
      const wirelen = u32(o + 8);
      records.push({ linktype: links[0] ?? -1, start: o + 12, caplen: Math.min(wirelen, len - 16), wirelen, file_offset: o });
    }
    o += len;
  }
  return records;
}

/** A Packet over the whole file, as a reader would hand it over for record `r`. */
export function packetFor(cap: Capture, r: Rec, p: Packet = createPacket()): Packet {
  if (p.buf !== cap.buf) {
    p.buf = cap.buf;
    p.view = new DataView(cap.buf.buffer, cap.buf.byteOffset, cap.buf.byteLength);
  }
  p.start = r.start;
  p.end = r.start + r.caplen;
  p.caplen = r.caplen;
  p.wirelen = r.wirelen;
  p.linktype = r.linktype;
  p.file_offset = r.file_offset;
  return p;
}

/** A Packet over loose bytes (inline test vectors). */
export function packetFromHex(hex: string, linktype: number, wirelen?: number): Packet {
  const buf = Buffer.from(hex.replace(/\s+/g, ''), 'hex');
  const p = createPacket();
  p.buf = buf;
  p.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  p.start = 0;
  p.end = buf.length;
  p.caplen = buf.length;
  p.wirelen = wirelen ?? buf.length;
  p.linktype = linktype;
  return p;
}
