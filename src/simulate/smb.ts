/**
 * File and print traffic to the office's own servers: SMB 3.1.1 to the NAS (a cleartext NEGOTIATE, MS-SMB2 §2.2.3–2.2.4,
 * then encrypted TRANSFORM messages, §2.2.41, as with share encryption on), raw print jobs to the printer on TCP 9100
 * and NTP (RFC 5905 §7.3) to public time servers.
 */
import type { Host } from './office.js';
import type { Rng } from './rng.js';
import type { Piece, TcpSession } from './tcp.js';
import type { Sender, World } from './world.js';

function smb2Header(command: number, response: boolean, messageId: number): Buffer {
  const h = Buffer.alloc(64);
  h.write('\xfeSMB', 0, 'latin1');
  h.writeUInt16LE(64, 4);
  h.writeUInt16LE(response ? 1 : 0, 6); // CreditCharge
  h.writeUInt16LE(command, 12);
  h.writeUInt16LE(response ? 1 : 31, 14); // credits requested / granted
  h.writeUInt32LE(response ? 1 : 0, 16); // SMB2_FLAGS_SERVER_TO_REDIR
  h.writeBigUInt64LE(BigInt(messageId), 24);
  h.writeUInt32LE(0xfeff, 32);
  return h;
}

/** NetBIOS session service framing (RFC 1002 §4.3.1) used by SMB over 445. */
function nbss(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0, (body.length >>> 16) & 0xff, (body.length >>> 8) & 0xff, body.length & 0xff]), body]);
}

function negotiateContexts(rng: Rng, ciphers: readonly number[]): Buffer {
  const preauth = Buffer.alloc(8 + 38);
  preauth.writeUInt16LE(1, 0); // SMB2_PREAUTH_INTEGRITY_CAPABILITIES
  preauth.writeUInt16LE(38, 2);
  preauth.writeUInt16LE(1, 8);
  preauth.writeUInt16LE(32, 10);
  preauth.writeUInt16LE(1, 12); // SHA-512
  rng.bytes(32).copy(preauth, 14);
  const enc = Buffer.alloc(8 + 2 + 2 * ciphers.length);
  enc.writeUInt16LE(2, 0); // SMB2_ENCRYPTION_CAPABILITIES
  enc.writeUInt16LE(2 + 2 * ciphers.length, 2);
  enc.writeUInt16LE(ciphers.length, 8);
  ciphers.forEach((c, i) => enc.writeUInt16LE(c, 10 + 2 * i));
  return Buffer.concat([preauth, Buffer.alloc(2), enc]); // 46 + 2 pad = 48: the next context starts 8-aligned
}

function negotiateRequest(rng: Rng): Buffer {
  const dialects = [0x0202, 0x0210, 0x0300, 0x0302, 0x0311];
  const body = Buffer.alloc(36 + 2 * dialects.length);
  body.writeUInt16LE(36, 0);
  body.writeUInt16LE(dialects.length, 2);
  body.writeUInt16LE(1, 4); // signing enabled
  body.writeUInt32LE(0x7f, 8);
  rng.bytes(16).copy(body, 12);
  dialects.forEach((d, i) => body.writeUInt16LE(d, 36 + 2 * i));
  const ctxOffset = 64 + body.length + ((8 - ((64 + body.length) % 8)) % 8);
  body.writeUInt32LE(ctxOffset, 28);
  body.writeUInt16LE(2, 32);
  const pad = Buffer.alloc(ctxOffset - 64 - body.length);
  return nbss(Buffer.concat([smb2Header(0, false, 0), body, pad, negotiateContexts(rng, [2, 1])]));
}

/** SPNEGO NegTokenInit offering NTLMSSP, as Samba sends it (RFC 4178; the hint string is Samba's). */
const SPNEGO_INIT = Buffer.from(
  '6048' + '06062b0601050502' + 'a03e303ca00e300c060a2b06010401823702020a' + 'a32a3028a0261b24' +
  Buffer.from('not_defined_in_RFC4178@please_ignore', 'latin1').toString('hex'), 'hex');

function negotiateResponse(rng: Rng, t_us: number): Buffer {
  const body = Buffer.alloc(64);
  body.writeUInt16LE(65, 0);
  body.writeUInt16LE(1, 2);
  body.writeUInt16LE(0x0311, 4);
  body.writeUInt16LE(2, 6);
  rng.bytes(16).copy(body, 8);
  body.writeUInt32LE(0x2f, 24);
  body.writeUInt32LE(8388608, 28);
  body.writeUInt32LE(8388608, 32);
  body.writeUInt32LE(8388608, 36);
  // FILETIME: 100 ns ticks since 1601-01-01.
  body.writeBigUInt64LE(BigInt(Math.floor(t_us)) * 10n + 116444736000000000n, 40);
  body.writeUInt16LE(128, 56);
  body.writeUInt16LE(SPNEGO_INIT.length, 58);
  const ctxOffset = 128 + SPNEGO_INIT.length + ((8 - ((128 + SPNEGO_INIT.length) % 8)) % 8);
  body.writeUInt32LE(ctxOffset, 60);
  const pad = Buffer.alloc(ctxOffset - 128 - SPNEGO_INIT.length);
  return nbss(Buffer.concat([smb2Header(0, true, 0), body, SPNEGO_INIT, pad, negotiateContexts(rng, [2])]));
}

/** One encrypted SMB3 message: NetBIOS + TRANSFORM header captured, ciphertext not. */
function sealed(rng: Rng, sessionId: bigint, plainLen: number): Piece {
  const t = Buffer.alloc(52);
  t.write('\xfdSMB', 0, 'latin1');
  rng.bytes(16).copy(t, 4);
  rng.bytes(11).copy(t, 20); // AES-GCM nonce: 11 bytes used, rest zero
  t.writeUInt32LE(plainLen, 36);
  t.writeUInt16LE(1, 42);
  t.writeBigUInt64LE(sessionId, 44);
  const total = 52 + plainLen;
  const head = Buffer.from([0, (total >>> 16) & 0xff, (total >>> 8) & 0xff, total & 0xff]);
  return { data: Buffer.concat([head, t]), size: 4 + total };
}

export class SmbSession {
  private readonly tcp: TcpSession;
  private readonly rng: Rng;
  private readonly sessionId: bigint;

  /** Connects and negotiates; returns null when the NAS does not answer. */
  static open(world: World, rng: Rng, h: Host, t_us: number): SmbSession | null {
    const nas: Sender = world.sender(world.office.nas);
    const tcp = world.tcp(h, rng, nas, 445, t_us, rng.int(250, 600));
    if (!tcp.connect()) return null;
    tcp.send('c', [{ data: negotiateRequest(rng) }], { delay_us: rng.int(200, 800) });
    tcp.send('s', [{ data: negotiateResponse(rng, tcp.t) }], { delay_us: rng.int(100, 500) });
    return new SmbSession(tcp, rng);
  }

  private constructor(tcp: TcpSession, rng: Rng) {
    this.tcp = tcp;
    this.rng = rng;
    this.sessionId = BigInt(rng.u32()) << 16n | 0x41n;
    // Session setup, tree connect: three encrypted round trips.
    for (let i = 0; i < 3; i++) this.op(rng.int(120, 600), rng.int(100, 400), rng.int(500, 5000));
  }

  get t(): number {
    return this.tcp.t;
  }

  /** One request/response pair after `think_us`. */
  op(req: number, resp: number, think_us: number): void {
    this.tcp.send('c', [sealed(this.rng, this.sessionId, req)], { delay_us: think_us });
    this.tcp.send('s', [sealed(this.rng, this.sessionId, resp)], { delay_us: this.rng.int(80, 900), rate_bps: 900e6 });
  }

  /** A burst of file work: listing, opening and reading or writing files. */
  burst(n: number, readBytes: number, writeBytes: number, start_us: number): void {
    this.tcp.idle(Math.max(0, start_us - this.tcp.t));
    for (let i = 0; i < n; i++) {
      const r = this.rng.chance(0.7);
      this.op(r ? this.rng.int(150, 400) : Math.round(writeBytes / n), r ? Math.round(readBytes / n) : this.rng.int(90, 200), this.rng.int(2_000, 400_000));
    }
  }

  close(at_us: number): void {
    this.tcp.idle(Math.max(0, at_us - this.tcp.t));
    this.op(this.rng.int(100, 140), this.rng.int(100, 140), 0);
    this.tcp.close('c');
  }
}

/** A raw PJL/PCL job to the printer (TCP 9100): the PJL header is captured, the page data is not. */
export function printJob(world: World, rng: Rng, h: Host, t_us: number, bytes: number): void {
  const printer: Sender = world.sender(world.office.printer);
  const tcp = world.tcp(h, rng, printer, 9100, t_us, rng.int(300, 900));
  if (!tcp.connect()) return;
  const pjl = Buffer.from(`\x1b%-12345X@PJL JOB NAME = "Document ${rng.int(1, 99)}"\r\n@PJL SET DUPLEX = ON\r\n@PJL ENTER LANGUAGE = PCLXL\r\n`, 'latin1');
  tcp.send('c', [{ data: pjl, size: pjl.length + bytes }], { rate_bps: 200e6 });
  tcp.close('c', 'fin', rng.int(200_000, 2_000_000));
}

const NTP_EPOCH_OFFSET = 2208988800;

function ntpTime(t_us: number): Buffer {
  const b = Buffer.alloc(8);
  const sec = Math.floor(t_us / 1e6);
  b.writeUInt32BE((sec + NTP_EPOCH_OFFSET) >>> 0, 0);
  b.writeUInt32BE(Math.floor(((t_us % 1e6) / 1e6) * 4294967296) >>> 0, 4);
  return b;
}

/** One NTP client request (mode 3) and the server's reply (mode 4). */
export function ntpQuery(world: World, rng: Rng, t_us: number, h: Host, server: Sender, stratum: number, refId: Buffer, rtt_us: number): void {
  const windows = h.os === 'windows';
  const req = Buffer.alloc(48);
  req[0] = windows ? 0xdb : 0x23; // LI 3 (unsynchronised) VN 3 mode 3 (w32time) | LI 0 VN 4 mode 3
  req[2] = windows ? 17 : 6;
  req[3] = 0xe9;
  const clientTs = ntpTime(t_us + rng.int(-20_000, 20_000)); // the host's clock is a little off
  clientTs.copy(req, 40);
  const sport = windows ? 123 : rng.int(49152, 65535);
  world.udp(t_us, world.sender(h), server, sport, 123, req, rng);
  const res = Buffer.alloc(48);
  res[0] = windows ? 0x1c : 0x24;
  res[1] = stratum;
  res[2] = req[2]!;
  res[3] = 0xe7;
  res.writeUInt32BE(rng.int(0, 0x0300), 4);
  res.writeUInt32BE(rng.int(0x10, 0x0600), 8);
  refId.copy(res, 12);
  ntpTime(t_us - rng.int(1e6, 600e6)).copy(res, 16);
  clientTs.copy(res, 24);
  ntpTime(t_us + rtt_us / 2).copy(res, 32);
  ntpTime(t_us + rtt_us / 2 + rng.int(5, 40)).copy(res, 40);
  world.udp(t_us + rtt_us, server, world.sender(h), 123, sport, res, rng);
}
