/**
 * Destinations the baseline never shows: a server in a country nobody in the office contacts (China, AS23724), a
 * hosting network (Linode, AS63949) in a familiar country, and a familiar network on a port never used (SSH to
 * GitHub, port 22). The SSH handshake is cleartext up to NEWKEYS (RFC 4253 §4.2, §7.1; RFC 5656 §4).
 */
import { https, open } from '../web.js';
import type { Rng } from '../rng.js';
import type { TcpSession } from '../tcp.js';
import type { TruthEntity } from '../truth.js';
import { Recorder } from './recorder.js';
import type { InjectContext } from './context.js';

export interface NoveltyParams {
  readonly kind: 'new-country' | 'new-asn' | 'new-port';
  readonly domain: string;
  readonly ip: string;
  readonly port: number;
  readonly country: string;
  readonly asn: number;
  readonly connections: number;
  readonly at: number;
}

export const NEW_COUNTRY: NoveltyParams = {
  kind: 'new-country', domain: 'dl.softmgr-update.cn', ip: '220.181.38.149', port: 443, country: 'CN', asn: 23724, connections: 3, at: 0.3,
};
export const NEW_ASN: NoveltyParams = {
  kind: 'new-asn', domain: 'files.bitshare-cdn.com', ip: '45.33.32.156', port: 443, country: 'US', asn: 63949, connections: 2, at: 0.6,
};
export const NEW_PORT: NoveltyParams = {
  kind: 'new-port', domain: 'github.com', ip: '140.82.121.4', port: 22, country: 'DE', asn: 36459, connections: 1, at: 0.8,
};

function str(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** A cleartext SSH binary packet: padding to a multiple of 8, at least 4 bytes. */
function sshPacket(rng: Rng, payload: Buffer): Buffer {
  let pad = 8 - ((5 + payload.length) % 8);
  if (pad < 4) pad += 8;
  const head = Buffer.alloc(5);
  head.writeUInt32BE(1 + payload.length + pad);
  head[4] = pad;
  return Buffer.concat([head, payload, rng.bytes(pad)]);
}

function kexinit(rng: Rng, client: boolean): Buffer {
  const lists = client
    ? ['curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,diffie-hellman-group14-sha256,ext-info-c', 'ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256',
      'chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com',
      'umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-256', 'umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-256',
      'none,zlib@openssh.com', 'none,zlib@openssh.com', '', '']
    : ['curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,kex-strict-s-v00@openssh.com', 'ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512',
      'chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-ctr', 'chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-ctr',
      'hmac-sha2-256-etm@openssh.com,hmac-sha2-256', 'hmac-sha2-256-etm@openssh.com,hmac-sha2-256', 'none,zlib@openssh.com', 'none,zlib@openssh.com', '', ''];
  return sshPacket(rng, Buffer.concat([Buffer.from([20]), rng.bytes(16), ...lists.map((l) => str(l)), Buffer.from([0, 0, 0, 0, 0])]));
}

/** Banner, KEXINIT both ways, curve25519 ECDH, NEWKEYS; then a few encrypted packets (opaque) and the close. */
function sshSession(tcp: TcpSession, rng: Rng): void {
  tcp.send('s', [{ data: Buffer.from('SSH-2.0-babeld-2bd9a4e8\r\n', 'latin1') }], { delay_us: rng.int(1_000, 5_000) });
  tcp.send('c', [{ data: Buffer.from('SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n', 'latin1') }], { delay_us: rng.int(200, 900) });
  tcp.send('c', [{ data: kexinit(rng, true) }], { delay_us: rng.int(100, 400) });
  tcp.send('s', [{ data: kexinit(rng, false) }], { delay_us: rng.int(200, 900) });
  tcp.send('c', [{ data: sshPacket(rng, Buffer.concat([Buffer.from([30]), str(rng.bytes(32))])) }], { delay_us: rng.int(200, 900) });
  // Ed25519 host key and signature (RFC 8709). tshark 4.0 does not decode signature bodies and warns
  // "Decoded 19 bytes, but packet length is 83 bytes" on any real one; that warning is expected.
  const hostKey = Buffer.concat([str('ssh-ed25519'), str(rng.bytes(32))]);
  const sig = Buffer.concat([str('ssh-ed25519'), str(rng.bytes(64))]);
  const reply = sshPacket(rng, Buffer.concat([Buffer.from([31]), str(hostKey), str(rng.bytes(32)), str(sig)]));
  tcp.send('s', [{ data: reply }, { data: sshPacket(rng, Buffer.from([21])) }], { delay_us: rng.int(1_000, 4_000) });
  tcp.send('c', [{ data: sshPacket(rng, Buffer.from([21])) }], { delay_us: rng.int(200, 900) });
  // Encrypted from here: nothing of it is captured.
  for (const [c, s] of [[44, 44], [60, 60], [600, 80], [400, 1800], [90, 1200]] as const) {
    tcp.send('c', [{ data: Buffer.alloc(0), size: c }], { delay_us: rng.int(1_000, 40_000) });
    tcp.send('s', [{ data: Buffer.alloc(0), size: s }], { delay_us: rng.int(1_000, 30_000) });
  }
  tcp.close('c', 'fin', rng.int(50_000, 500_000));
}

export function injectNovelty(ctx: InjectContext, p: NoveltyParams, id: string): () => TruthEntity | null {
  const { world, rng, host } = ctx;
  const rec = new Recorder(world, host);
  if (world.zoneEntry(p.domain) === undefined) world.addZone({ name: p.domain, ips: [p.ip], ttl: 600, server: 'openssl', rtt_ms: p.country === 'CN' ? 190 : 80 });
  const t0 = ctx.start_us + p.at * (ctx.end_us - ctx.start_us);
  for (let i = 0; i < p.connections; i++) {
    world.at(t0 + i * rng.range(60, 240) * 1e6, (t) => {
      if (p.port === 22) {
        const r = open(world, rng, host, t, { name: p.domain, ip: p.ip, port: 22, server: 'openssl', rtt_ms: 21 });
        if (r === null || !r.established) return;
        sshSession(r.opened.tcp, rng);
        rec.tcp(r.opened.tcp);
        return;
      }
      const r = https(world, rng, host, t, { name: p.domain, port: p.port }, {
        client: host.browser, end: 'fin',
        exchanges: [{ req_bytes: rng.int(400, 1200), resp_bytes: rng.int(30_000, 250_000), server_us: rng.int(50_000, 300_000) }],
      });
      if (r !== null) rec.tcp(r.tcp, r.tls.ja3);
    });
  }
  return () => rec.entity({
    id, kind: p.kind, variant: p.port === 22 ? 'ssh' : 'https', dst_name: p.domain, app: p.port === 22 ? 'ssh' : 'https',
    country: p.country, asn: p.asn,
    params: { connections: p.connections },
    description: p.kind === 'new-country'
      ? `${host.name} downloads from ${p.domain} (${p.ip}, ${p.country}, AS${p.asn}): a country the office never contacts`
      : p.kind === 'new-asn'
        ? `${host.name} fetches from ${p.domain} (${p.ip}, AS${p.asn}): a network the office never contacts`
        : `${host.name} opens SSH (tcp/${p.port}) to ${p.domain} (${p.ip}): a port the office never uses`,
  });
}
