/**
 * QUIC v1 as Chrome speaks it to Google (RFC 9000, RFC 9001): a real, decryptable client Initial carrying the TLS
 * ClientHello (Initial keys derive from the client's destination connection ID, §5.2), the server's Initial with
 * ServerHello, then Handshake and 1-RTT packets whose protected payloads are opaque (no reader has their keys).
 * Only headers of the bulk 1-RTT datagrams are captured.
 */
import { createCipheriv, createHmac } from 'node:crypto';
import { udpFrame } from './frames.js';
import type { Host } from './office.js';
import type { Rng } from './rng.js';
import { clientHello, serverHello } from './tls/hello.js';
import { SERVER_PROFILES } from './tls/profiles.js';
import { remoteFor } from './web.js';
import type { Sender, World } from './world.js';

const INITIAL_SALT = Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex');

function hkdfExpandLabel(secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, full.length]), full, Buffer.from([0]), Buffer.from([1])]);
  return createHmac('sha256', secret).update(info).digest().subarray(0, length);
}

interface Keys {
  readonly key: Buffer;
  readonly iv: Buffer;
  readonly hp: Buffer;
}

/** Initial keys of one side (RFC 9001 §5.2). */
function initialKeys(dcid: Buffer, side: 'client' | 'server'): Keys {
  const initial = createHmac('sha256', INITIAL_SALT).update(dcid).digest();
  const secret = hkdfExpandLabel(initial, `${side} in`, 32);
  return { key: hkdfExpandLabel(secret, 'quic key', 16), iv: hkdfExpandLabel(secret, 'quic iv', 12), hp: hkdfExpandLabel(secret, 'quic hp', 16) };
}

/** Variable-length integer (RFC 9000 §16), 1, 2 or 4 bytes. */
function varint(n: number): Buffer {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE((0x80000000 | n) >>> 0);
  return b;
}

function crypto(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x06]), varint(0), varint(data.length), data]);
}

const ACK0 = Buffer.from([0x02, 0x00, 0x00, 0x00, 0x00]);

/** A protected long-header packet. With keys it is really encrypted (Initial); without, the payload is random. */
function longPacket(rng: Rng, type: 0 | 2, dcid: Buffer, scid: Buffer, pn: number, payload: Buffer, keys: Keys | null, padTo = 0): Buffer {
  const pnLen = 2;
  let body = payload;
  const headLen = 1 + 4 + 1 + dcid.length + 1 + scid.length + (type === 0 ? 1 : 0) + 2 + pnLen;
  if (padTo > 0 && headLen + body.length + 16 < padTo) body = Buffer.concat([body, Buffer.alloc(padTo - headLen - body.length - 16)]);
  const length = pnLen + body.length + 16;
  const head = Buffer.concat([
    Buffer.from([0xc0 | (type << 4) | (pnLen - 1)]), Buffer.from([0, 0, 0, 1]),
    Buffer.from([dcid.length]), dcid, Buffer.from([scid.length]), scid,
    type === 0 ? varint(0) : Buffer.alloc(0), Buffer.from([0x40 | (length >> 8), length & 0xff]), Buffer.from([pn >> 8, pn & 0xff]),
  ]);
  if (keys === null) return Buffer.concat([head, rng.bytes(body.length + 16)]);
  const nonce = Buffer.from(keys.iv);
  nonce.writeUInt16BE(nonce.readUInt16BE(10) ^ pn, 10);
  const gcm = createCipheriv('aes-128-gcm', keys.key, nonce);
  gcm.setAAD(head);
  const sealed = Buffer.concat([gcm.update(body), gcm.final(), gcm.getAuthTag()]);
  // Header protection (RFC 9001 §5.4): the sample starts 4 bytes after the packet number's first byte.
  const pnOffset = head.length - pnLen;
  const sample = sealed.subarray(4 - pnLen, 4 - pnLen + 16);
  const ecb = createCipheriv('aes-128-ecb', keys.hp, null);
  const mask = ecb.update(sample);
  const out = Buffer.concat([head, sealed]);
  out[0] = out[0]! ^ (mask[0]! & 0x0f);
  for (let i = 0; i < pnLen; i++) out[pnOffset + i] = out[pnOffset + i]! ^ mask[1 + i]!;
  return out;
}

/** A short-header (1-RTT) packet; everything after the connection ID is protected, hence random here. */
function shortPacket(rng: Rng, dcid: Buffer, size: number): Buffer {
  return Buffer.concat([Buffer.from([0x40 | (rng.int(0, 7) << 2) | 1]), dcid, rng.bytes(Math.max(20, size - 1 - dcid.length))]);
}

function transportParams(rng: Rng, scid: Buffer): Buffer {
  const p = (id: number, v: Buffer): Buffer => Buffer.concat([varint(id), varint(v.length), v]);
  return Buffer.concat([
    p(0x01, varint(30000)), p(0x03, varint(1472)), p(0x04, varint(15728640)), p(0x05, varint(6291456)), p(0x06, varint(6291456)),
    p(0x07, varint(6291456)), p(0x08, varint(100)), p(0x09, varint(103)), p(0x0f, scid), p(0x20, varint(65536 + rng.int(0, 1000))),
  ]);
}

/**
 * One HTTP/3 fetch over QUIC from a Chromium host: resolves the name, handshakes, downloads resp_bytes, and the
 * connection idles out (Chrome closes with CONNECTION_CLOSE after its idle timeout). Returns the end time, or null.
 */
export function quicFetch(world: World, rng: Rng, h: Host, t_us: number, name: string, resp_bytes: number): number | null {
  const l = world.resolve(h, rng, name, t_us);
  const ip = l.ips[0];
  const zone = world.zoneEntry(name);
  if (ip === undefined || zone === undefined) return null;
  const rtt = zone.rtt_ms * 1000 * rng.range(0.9, 1.2);
  const me: Sender = world.sender(h);
  const server = remoteFor(world, ip, zone.server);
  const sport = world.ephemeral(h, rng);
  const send = (t: number, from: Sender, to: Sender, payload: Buffer, keep: number): void => {
    const f = udpFrame(from, to, { ttl: from.ttl, id: from.ipid_host >= 0 ? 0 : rng.int(0, 0xffff), df: true }, from === me ? sport : 443, from === me ? 443 : sport, payload);
    // Keep only the first `keep` bytes of the UDP payload in the capture (the rest is protected anyway).
    const cut = Math.min(f.frame.length, 42 + keep);
    world.log.add(t, { frame: f.frame.subarray(0, Math.max(cut, 60)), wirelen: f.wirelen }, from.ipid_host);
  };
  const dcid = rng.bytes(8);
  const scid = Buffer.alloc(0);
  const serverCid = rng.bytes(8);
  const ch = clientHello(rng, 'chrome_quic', name, transportParams(rng, scid));
  let t = l.t + rng.int(100, 600);
  const clientKeys = initialKeys(dcid, 'client');
  const serverKeys = initialKeys(dcid, 'server');
  send(t, me, server, longPacket(rng, 0, dcid, scid, 1, crypto(ch.message), clientKeys, 1250), 2000);
  const sh = serverHello(rng, SERVER_PROFILES[zone.server], ch);
  const shMessage = sh.record.subarray(5, 5 + sh.record.readUInt16BE(3));
  t += rtt;
  const sInitial = longPacket(rng, 0, scid, serverCid, 1, Buffer.concat([ACK0, crypto(shMessage)]), serverKeys);
  const sHandshake = longPacket(rng, 2, scid, serverCid, 0, Buffer.alloc(1200 - sInitial.length - 60), null);
  send(t, server, me, Buffer.concat([sInitial, sHandshake]), sInitial.length + 40);
  send(t + 150, server, me, longPacket(rng, 2, scid, serverCid, 1, Buffer.alloc(rng.int(900, 1150)), null), 40);
  t += 300 + rng.int(100, 500);
  const cInitial = longPacket(rng, 0, serverCid, scid, 2, ACK0, clientKeys);
  const cHandshake = longPacket(rng, 2, serverCid, scid, 0, Buffer.alloc(60), null);
  send(t, me, server, Buffer.concat([cInitial, cHandshake, Buffer.alloc(Math.max(0, 1250 - cInitial.length - cHandshake.length))]), cInitial.length + 40);
  send(t + 50, me, server, shortPacket(rng, serverCid, rng.int(300, 900)), 20);
  // Response: full-size 1-RTT datagrams, the client ACKs every second one.
  t += rtt + rng.int(1_000, 30_000);
  const n = Math.ceil(resp_bytes / 1220);
  for (let i = 0; i < n; i++) {
    t += rng.int(40, 200);
    send(t, server, me, shortPacket(rng, scid, i === n - 1 ? 40 + (resp_bytes % 1220) : 1252), 12);
    if (i % 2 === 1 || i === n - 1) send(t + 120, me, server, shortPacket(rng, serverCid, rng.int(36, 45)), 12);
  }
  return t;
}
