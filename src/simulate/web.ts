/**
 * Client connections to the internet as whole units: look the name up (or use a bare address), open TCP, speak TLS or
 * plain HTTP, close as the client or server would. Used by the baseline and by the injections alike.
 */
import { ipToString, parseIp } from './frames.js';
import { httpExchange, type HttpRequest, type HttpResponse } from './http.js';
import type { Host } from './office.js';
import type { Rng } from './rng.js';
import type { TcpSession } from './tcp.js';
import { runTls, type TlsExchange, type TlsResult } from './tls/session.js';
import { SERVER_PROFILES, type ClientName, type ServerName } from './tls/profiles.js';
import type { Sender, World } from './world.js';

/** How many routers lie between the office and an address: fixed per address, so its TTL is stable. */
function hops(ip: number): number {
  return 6 + (((ip >>> 8) ^ ip) % 11);
}

export function remoteFor(world: World, ip: number, server: ServerName): Sender {
  return world.remote(ip, hops(ip), server === 'iis' ? 128 : 64);
}

export interface Target {
  /** Name to resolve (and send as SNI / Host), or null for a bare address. */
  readonly name: string | null;
  /** Address to use when name is null, or to force instead of the DNS answer. */
  readonly ip?: string;
  readonly port?: number;
  /** Defaults to the zone entry's values, else openssl / 40 ms. */
  readonly server?: ServerName;
  readonly rtt_ms?: number;
}

export interface Opened {
  readonly tcp: TcpSession;
  readonly ip: number;
  readonly server: ServerName;
  readonly name: string | null;
}

/**
 * Resolves the target (if named) and opens TCP. Returns null when the name does not resolve or the capture window
 * ended; `answer` 'none'/'rst' models a dead or closed destination (returns the session but not established).
 */
export function open(world: World, rng: Rng, h: Host, t_us: number, target: Target, answer: 'accept' | 'rst' | 'none' = 'accept'): { opened: Opened; established: boolean } | null {
  const zone = target.name !== null ? world.zoneEntry(target.name) : undefined;
  let ip: number;
  let t = t_us;
  if (target.ip !== undefined) {
    if (target.name !== null) t = world.resolve(h, rng, target.name, t).t + rng.int(50, 400);
    ip = parseIp(target.ip);
  } else if (target.name !== null) {
    const l = world.resolve(h, rng, target.name, t);
    const first = l.ips[0];
    if (first === undefined) return null;
    ip = first;
    t = l.t + rng.int(50, 400);
  } else throw new Error('target needs a name or an ip');
  const server = target.server ?? zone?.server ?? 'openssl';
  const rtt = (target.rtt_ms ?? zone?.rtt_ms ?? 40) * 1000 * rng.range(0.9, 1.25);
  const tcp = world.tcp(h, rng, remoteFor(world, ip, server), target.port ?? 443, t, Math.round(rtt));
  const established = tcp.connect(answer);
  return { opened: { tcp, ip, server, name: target.name }, established };
}

export interface HttpsOptions {
  readonly client: ClientName;
  readonly exchanges: readonly TlsExchange[];
  readonly end: 'notify' | 'fin' | 'rst' | 'open' | 'server';
  readonly ack_every?: number;
  readonly rate_bps?: number;
  /** Leave out SNI even though a name was resolved. */
  readonly no_sni?: boolean;
}

export interface HttpsResult extends Opened {
  readonly tls: TlsResult;
}

/** DNS + TCP + TLS + exchanges + teardown. */
export function https(world: World, rng: Rng, h: Host, t_us: number, target: Target, o: HttpsOptions): HttpsResult | null {
  const r = open(world, rng, h, t_us, target);
  if (r === null || !r.established) return null;
  const { tcp, server } = r.opened;
  const tls = runTls(tcp, rng, {
    client: o.client, server: SERVER_PROFILES[server], sni: o.no_sni === true ? null : target.name,
    exchanges: o.exchanges, end: o.end === 'server' ? 'open' : o.end,
    ...(o.ack_every !== undefined ? { ack_every: o.ack_every } : {}), ...(o.rate_bps !== undefined ? { rate_bps: o.rate_bps } : {}),
  });
  // Servers drop idle keep-alive connections after their timeout (nginx 75 s, Google about 4 min).
  if (o.end === 'server') tcp.close('s', 'fin', rng.int(60_000_000, 240_000_000));
  return { ...r.opened, tls };
}

export interface HttpCall {
  readonly req: Omit<HttpRequest, 'host' | 'user_agent'> & { readonly user_agent?: string };
  readonly res: HttpResponse;
  readonly think_us?: number;
}

/** DNS + TCP + one or more HTTP/1.1 exchanges + FIN. */
export function http(world: World, rng: Rng, h: Host, t_us: number, target: Target, calls: readonly HttpCall[], serverSoftware: string): Opened | null {
  const r = open(world, rng, h, t_us, { ...target, port: target.port ?? 80 });
  if (r === null || !r.established) return null;
  const hostHeader = target.name ?? ipToString(r.opened.ip);
  for (const c of calls) {
    httpExchange(r.opened.tcp, { ...c.req, host: hostHeader, user_agent: c.req.user_agent ?? h.user_agent }, c.res, serverSoftware, c.think_us ?? 0);
  }
  r.opened.tcp.close(rng.chance(0.5) ? 'c' : 's', 'fin', rng.int(100_000, 15_000_000));
  return r.opened;
}

/** Splits `total` bytes into n response sizes that vary like a page's resources. */
export function splitSizes(rng: Rng, total: number, n: number): number[] {
  const w = Array.from({ length: n }, () => rng.lognormal(1, 0.9));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => Math.max(200, Math.round((total * x) / sum)));
}
