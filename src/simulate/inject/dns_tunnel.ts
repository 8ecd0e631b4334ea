/**
 * A DNS tunnel (iodine/dnscat2 style): data encoded as long base32 labels under one registered domain, asked as TXT
 * through the host's normal resolver, answered with base64 TXT strings. Queries come in bursts (a session typing,
 * a file moving), not at a steady rate.
 */
import { ipToString } from '../frames.js';
import type { ResourceRecord } from '../dns.js';
import type { TruthEntity } from '../truth.js';
import { Recorder } from './recorder.js';
import type { InjectContext } from './context.js';
import type { Rng } from '../rng.js';

export interface TunnelParams {
  readonly domain: string;
  readonly queries: number;
  readonly duration_min: number;
  /** Bytes of data carried per query (before base32) and per answer (before base64). */
  readonly up_bytes: readonly [number, number];
  readonly down_bytes: readonly [number, number];
  readonly at: number;
}

export const DNS_TUNNEL: TunnelParams = {
  domain: 'cdn-dnsmetrics.com', queries: 220, duration_min: 20, up_bytes: [36, 64], down_bytes: [30, 90], at: 0.4,
};

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31]!;
  return out;
}

/** Splits encoded data into labels of at most 63 characters (RFC 1035 §2.3.4). */
function labels(rng: Rng, data: Buffer): string[] {
  const text = base32(data);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += 63) out.push(text.slice(i, i + 63));
  // A sequence number label, as dnscat2 and iodine carry one.
  out.push(rng.bytes(2).toString('hex'));
  return out;
}

export function injectDnsTunnel(ctx: InjectContext, p: TunnelParams, id: string): () => TruthEntity | null {
  const { world, rng, host } = ctx;
  const rec = new Recorder(world, host);
  const t0 = ctx.start_us + p.at * (ctx.end_us - ctx.start_us);
  const span = p.duration_min * 60e6;
  // Burst structure: a handful of bursts, each a run of queries 0.2–3 s apart.
  const times: number[] = [];
  let t = t0;
  while (times.length < p.queries && t < t0 + span) {
    const burst = rng.int(10, 40);
    for (let i = 0; i < burst && times.length < p.queries; i++) {
      times.push(t);
      t += rng.range(0.2, 3) * 1e6;
    }
    t += rng.range(10, 120) * 1e6;
  }
  for (const tq of times) {
    world.at(tq, (at) => {
      const up = rng.bytes(rng.int(p.up_bytes[0], p.up_bytes[1]));
      const name = [...labels(rng, up), 't', p.domain].join('.');
      const down = rng.bytes(rng.int(p.down_bytes[0], p.down_bytes[1])).toString('base64');
      const answer: ResourceRecord = { name, type: 'TXT', ttl: 0, data: [down] };
      const x = world.dnsExchange(host, rng, at, { name, type: 'TXT' }, [answer], false, rng.int(20_000, 90_000));
      rec.datagram(at, x.t, host.resolver, 53, x.query_bytes, x.answer_bytes);
    });
  }
  return () => {
    const e = rec.entity({
      id, kind: 'dns-tunnel', variant: 'txt', dst_name: p.domain, app: 'dns',
      params: { queries: p.queries, duration_min: p.duration_min, up_bytes: p.up_bytes, down_bytes: p.down_bytes, qtype: 'TXT', encoding: 'base32', resolver: ipToString(host.resolver) },
      description: `${host.name} tunnels data through TXT queries for long base32 names under t.${p.domain}`,
    }, 'udp');
    return e;
  };
}
