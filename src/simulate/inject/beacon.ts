/**
 * C2 beacons: an implant checks in every interval ± jitter, sometimes misses a beat, and usually gets a tiny "no
 * tasks" answer. Over HTTPS to a domain whose short-TTL answers rotate between a few addresses, or over plain HTTP to
 * a bare address.
 */
import { http, https } from '../web.js';
import type { ClientName } from '../tls/profiles.js';
import type { TruthEntity } from '../truth.js';
import { Recorder } from './recorder.js';
import type { InjectContext } from './context.js';

export interface BeaconParams {
  readonly transport: 'https' | 'http';
  /** Domain to resolve, or null to connect to ips[0] directly. */
  readonly domain: string | null;
  readonly ips: readonly string[];
  readonly port: number;
  readonly interval_s: number;
  /** Each interval is drawn uniformly in interval × (1 ± jitter). */
  readonly jitter: number;
  /** Probability that a beat is skipped (host busy, network hiccup). */
  readonly miss_rate: number;
  readonly req_bytes: readonly [number, number];
  readonly resp_bytes: readonly [number, number];
  /** Share of beats that receive a task (a larger answer, then a results upload). */
  readonly task_rate: number;
  readonly client: ClientName;
  /** Active between these fractions of the capture window. */
  readonly from: number;
  readonly to: number;
}

export const BEACON_HTTPS: BeaconParams = {
  transport: 'https', domain: 'sync.cloudcdn-metrics.net', ips: ['54.83.142.17', '3.210.78.45', '34.226.19.201'], port: 443,
  interval_s: 140, jitter: 0.15, miss_rate: 0.06, req_bytes: [380, 620], resp_bytes: [90, 260], task_rate: 0.04, client: 'go',
  from: 0.06, to: 1,
};

export const BEACON_HTTP: BeaconParams = {
  transport: 'http', domain: null, ips: ['3.94.187.22'], port: 80,
  interval_s: 300, jitter: 0.2, miss_rate: 0.1, req_bytes: [0, 0], resp_bytes: [0, 48], task_rate: 0.05, client: 'schannel',
  from: 0.25, to: 1,
};

export function injectBeacon(ctx: InjectContext, p: BeaconParams, id: string): () => TruthEntity | null {
  const { world, rng, host } = ctx;
  const rec = new Recorder(world, host);
  if (p.domain !== null) world.addZone({ name: p.domain, ips: p.ips, ttl: 60, server: 'openssl', rtt_ms: 78 });
  const span = ctx.end_us - ctx.start_us;
  const until = ctx.start_us + p.to * span;
  const beat = (t: number): void => {
    if (t >= until) return;
    if (!rng.chance(p.miss_rate)) {
      const tasked = rng.chance(p.task_rate);
      const resp = tasked ? rng.int(2_000, 24_000) : rng.int(p.resp_bytes[0], p.resp_bytes[1]);
      if (p.transport === 'https') {
        const exchanges = [{ req_bytes: rng.int(p.req_bytes[0], p.req_bytes[1]), resp_bytes: resp, server_us: rng.int(30_000, 120_000) }];
        if (tasked) exchanges.push({ req_bytes: rng.int(1_000, 40_000), resp_bytes: rng.int(p.resp_bytes[0], p.resp_bytes[1]), server_us: rng.int(30_000, 90_000) });
        const r = https(world, rng, host, t, { name: p.domain, ...(p.domain === null ? { ip: p.ips[0]! } : {}), port: p.port, server: 'openssl', rtt_ms: 78 }, {
          client: p.client, end: 'fin', exchanges,
        });
        if (r !== null) rec.tcp(r.tcp, r.tls.ja3);
      } else {
        const idHex = rng.bytes(8).toString('hex');
        const r = http(world, rng, host, t, { name: null, ip: p.ips[0]!, port: p.port, server: 'openssl', rtt_ms: 76 }, [{
          req: { method: 'GET', path: `/api/v2/status?id=${idHex}`, user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; Trident/7.0; rv:11.0) like Gecko', headers: [['Accept', '*/*'], ['Cache-Control', 'no-cache']] },
          res: { status: 200, content_type: 'application/octet-stream', body: resp, server_us: rng.int(20_000, 80_000) },
        }], 'nginx');
        if (r !== null) rec.tcp(r.tcp);
      }
    }
    world.at(t + p.interval_s * 1e6 * (1 + rng.range(-p.jitter, p.jitter)), beat);
  };
  world.at(ctx.start_us + p.from * span + rng.range(0, p.interval_s * 1e6), beat);
  return () => rec.entity({
    id, kind: 'beacon', variant: p.transport === 'https' ? 'https-domain' : 'http-ip', dst_name: p.domain, app: p.transport,
    params: {
      interval_s: p.interval_s, jitter: p.jitter, miss_rate: p.miss_rate, req_bytes: p.req_bytes, resp_bytes: p.resp_bytes,
      task_rate: p.task_rate, tls_client: p.transport === 'https' ? p.client : 'none', rotating_ips: p.ips,
    },
    description: p.transport === 'https'
      ? `Implant on ${host.name} checks in over HTTPS to ${p.domain ?? p.ips[0]!} every ${p.interval_s} s ±${p.jitter * 100}%, rotating between ${p.ips.length} addresses`
      : `Implant on ${host.name} polls http://${p.ips[0]!}/api/v2/status every ${p.interval_s} s ±${p.jitter * 100}%`,
  });
}
