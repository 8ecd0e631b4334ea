/**
 * Exfiltration over HTTPS: one large upload to a file-drop host never used before, or a slow drip of medium POSTs at
 * irregular (Poisson) times. The bulk of the upload is cut from the capture; sequence numbers carry its true size.
 */
import { https } from '../web.js';
import type { TruthEntity } from '../truth.js';
import { Recorder } from './recorder.js';
import type { InjectContext } from './context.js';

export interface UploadParams {
  readonly domain: string;
  readonly ips: readonly string[];
  readonly bytes: number;
  /** When, as a fraction of the capture window. */
  readonly at: number;
  readonly rate_mbps: number;
}

export const EXFIL_UPLOAD: UploadParams = {
  domain: 'upload.filedrop-share.com', ips: ['52.216.142.86', '52.216.9.230'], bytes: 24_000_000, at: 0.7, rate_mbps: 200,
};

export interface DripParams {
  readonly domain: string;
  readonly ips: readonly string[];
  readonly chunk_bytes: readonly [number, number];
  /** Mean gap between POSTs (exponential). */
  readonly mean_gap_s: number;
  readonly from: number;
  readonly to: number;
}

export const EXFIL_DRIP: DripParams = {
  domain: 'paste.notes-sync.io', ips: ['104.21.55.187', '172.67.149.20'], chunk_bytes: [40_000, 90_000], mean_gap_s: 300, from: 0.15, to: 0.75,
};

export function injectUpload(ctx: InjectContext, p: UploadParams, id: string): () => TruthEntity | null {
  const { world, rng, host } = ctx;
  const rec = new Recorder(world, host);
  world.addZone({ name: p.domain, ips: p.ips, ttl: 60, server: 'openssl', rtt_ms: 76 });
  world.at(ctx.start_us + p.at * (ctx.end_us - ctx.start_us), (t) => {
    const r = https(world, rng, host, t, { name: p.domain }, {
      client: 'curl', end: 'notify', rate_bps: p.rate_mbps * 1e6,
      exchanges: [{ req_bytes: p.bytes, resp_bytes: rng.int(400, 900), server_us: rng.int(100_000, 600_000) }],
    });
    if (r !== null) rec.tcp(r.tcp, r.tls.ja3);
  });
  return () => rec.entity({
    id, kind: 'exfil', variant: 'upload', dst_name: p.domain, app: 'https',
    params: { bytes: p.bytes, rate_mbps: p.rate_mbps, tls_client: 'curl' },
    description: `${host.name} uploads ${(p.bytes / 1e6).toFixed(0)} MB in one HTTPS connection to ${p.domain}`,
  });
}

export function injectDrip(ctx: InjectContext, p: DripParams, id: string): () => TruthEntity | null {
  const { world, rng, host } = ctx;
  const rec = new Recorder(world, host);
  world.addZone({ name: p.domain, ips: p.ips, ttl: 300, server: 'cloudflare', rtt_ms: 6 });
  const span = ctx.end_us - ctx.start_us;
  const until = ctx.start_us + p.to * span;
  const post = (t: number): void => {
    if (t >= until) return;
    const r = https(world, rng, host, t, { name: p.domain }, {
      client: host.browser, end: 'fin',
      exchanges: [{ req_bytes: rng.int(p.chunk_bytes[0], p.chunk_bytes[1]), resp_bytes: rng.int(120, 400), server_us: rng.int(20_000, 120_000) }],
    });
    if (r !== null) rec.tcp(r.tcp, r.tls.ja3);
    world.at(t + rng.exp(p.mean_gap_s * 1e6), post);
  };
  world.at(ctx.start_us + p.from * span, post);
  return () => rec.entity({
    id, kind: 'exfil', variant: 'drip', dst_name: p.domain, app: 'https',
    params: { chunk_bytes: p.chunk_bytes, mean_gap_s: p.mean_gap_s, tls_client: host.browser },
    description: `${host.name} posts ${p.chunk_bytes[0] / 1000}–${p.chunk_bytes[1] / 1000} kB every ~${p.mean_gap_s / 60} min to ${p.domain}`,
  });
}
