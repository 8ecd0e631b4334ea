/**
 * Shared state of one simulation run: the capture, the office, the DNS zone the resolvers answer from, each host's
 * DNS cache and ephemeral ports. Scenario code (baseline.ts, inject/*) asks it for TCP sessions and DNS lookups.
 */
import { encodeDns, DnsFlags, type Question, type ResourceRecord } from './dns.js';
import { parseIp, udpFrame, type MacIp } from './frames.js';
import type { Host, Office } from './office.js';
import type { CaptureLog } from './pcap.js';
import type { Rng } from './rng.js';
import { SERVICES, type Service } from './services.js';
import { TcpSession, type TcpPeer } from './tcp.js';

/** IPv4 ID counter key of the gateway (hosts use their index). */
const GATEWAY_IPID = 999;

/** A sender on the wire: where its frames come from and how they are numbered. */
export interface Sender extends MacIp {
  readonly ttl: number;
  readonly ipid_host: number;
}

interface CacheEntry {
  readonly ips: readonly number[];
  readonly from_us: number;
  readonly expires_us: number;
}

export interface DnsExchange {
  /** Capture time of the answer. */
  readonly t: number;
  readonly query_bytes: number;
  readonly answer_bytes: number;
}

export interface Lookup {
  /** Addresses in answer order (empty for NXDOMAIN). */
  readonly ips: readonly number[];
  /** Capture time when the answer is in (equal to the start when it came from the host's cache). */
  readonly t: number;
}

interface Task {
  readonly t: number;
  readonly seq: number;
  readonly run: (t_us: number) => void;
}

export class World {
  readonly log: CaptureLog;
  /** Pending tasks as a binary min-heap on (t, seq): scenario code runs in time order, so DNS caches stay causal. */
  private readonly tasks: Task[] = [];
  private taskSeq = 0;
  readonly office: Office;
  private readonly zone = new Map<string, Service>();
  private readonly caches = new Map<number, Map<string, CacheEntry>>();
  private readonly nextPort = new Map<number, number>();

  constructor(office: Office, log: CaptureLog) {
    this.office = office;
    this.log = log;
    for (const s of SERVICES) this.addZone(s);
  }

  /** Runs `run` at capture time t (tasks past the capture end are dropped). */
  at(t_us: number, run: (t_us: number) => void): void {
    if (t_us >= this.log.end_us) return;
    const heap = this.tasks;
    heap.push({ t: t_us, seq: this.taskSeq++, run });
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** Runs every task in time order until none is left. */
  runAll(): void {
    const heap = this.tasks;
    while (heap.length > 0) {
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
          if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
          if (m === i) break;
          [heap[i], heap[m]] = [heap[m]!, heap[i]!];
          i = m;
        }
      }
      top.run(top.t);
    }
  }

  addZone(s: Service): void {
    this.zone.set(s.name, s);
  }

  zoneEntry(name: string): Service | undefined {
    return this.zone.get(name);
  }

  get gateway(): Sender {
    return { ...this.office.gateway, ttl: 64, ipid_host: GATEWAY_IPID };
  }

  sender(h: Host): Sender {
    return { mac: h.mac, ip: h.ip, ttl: h.ttl, ipid_host: h.index };
  }

  /** A host outside the LAN as seen on it: behind the gateway's MAC, TTL worn down by the path. */
  remote(ip: number, hops = 12, initialTtl = 64): Sender {
    return { mac: this.office.gateway.mac, ip, ttl: initialTtl - hops, ipid_host: -1 };
  }

  /** Next ephemeral port of a host (Windows and macOS hand them out in order from 49152). */
  ephemeral(h: Host, rng: Rng): number {
    const prev = this.nextPort.get(h.index) ?? rng.int(49152, 60000);
    const next = prev + rng.int(1, 3) > 65535 ? 49152 : prev + rng.int(1, 3);
    this.nextPort.set(h.index, next);
    return next;
  }

  tcp(h: Host, rng: Rng, dst: Sender, dport: number, t_us: number, rtt_us: number): TcpSession {
    const client: TcpPeer = { ...this.sender(h), port: this.ephemeral(h, rng), stack: h.stack };
    const server: TcpPeer = { ...dst, port: dport, stack: 'linux' };
    return new TcpSession(this.log, rng, client, server, t_us, rtt_us);
  }

  udp(t_us: number, src: Sender, dst: MacIp, sport: number, dport: number, payload: Buffer, rng: Rng): void {
    const id = src.ipid_host >= 0 ? 0 : rng.int(0, 0xffff);
    this.log.add(t_us, udpFrame(src, dst, { ttl: src.ttl, id, df: false }, sport, dport, payload), src.ipid_host);
  }

  /** The resolver a host asks, as a wire endpoint, and the round trip to it in µs. */
  private resolverOf(h: Host, rng: Rng): { peer: Sender; rtt: number } {
    if (h.resolver === this.office.gateway.ip) return { peer: this.gateway, rtt: rng.int(200, 900) };
    return { peer: this.remote(h.resolver, 6), rtt: rng.int(4000, 7000) };
  }

  /**
   * One query and its answer over UDP/53. The resolver's answer time depends on whether it had the name cached.
   * Returns the capture time of the answer and both messages' sizes (UDP payload bytes).
   */
  dnsExchange(h: Host, rng: Rng, t_us: number, q: Question, answers: readonly ResourceRecord[], nxdomain = false, extra_us = 0): DnsExchange {
    const { peer, rtt } = this.resolverOf(h, rng);
    const sport = rng.int(49152, 65535);
    const id = rng.int(0, 0xffff);
    const edns = h.os === 'windows' ? undefined : 1232;
    const query = encodeDns({ id, flags: DnsFlags.query, questions: [q], ...(edns ? { edns_udp: edns } : {}) });
    this.udp(t_us, this.sender(h), peer, sport, 53, query, rng);
    const upstream = rng.chance(0.35) ? rng.int(8_000, 45_000) : rng.int(100, 1500);
    const t1 = t_us + rtt + upstream + extra_us;
    const answer = encodeDns({
      id, flags: nxdomain ? DnsFlags.nxdomain : DnsFlags.response, questions: [q], answers, ...(edns ? { edns_udp: edns } : {}),
    });
    this.udp(t1, peer, this.sender(h), 53, sport, answer, rng);
    return { t: t1, query_bytes: query.length, answer_bytes: answer.length };
  }

  /**
   * Resolves a name as the host's stub resolver does: from its cache while the TTL lasts, else A and AAAA queries
   * sent back to back. Names not in the zone get NXDOMAIN.
   */
  resolve(h: Host, rng: Rng, name: string, t_us: number): Lookup {
    const cache = this.caches.get(h.index) ?? new Map<string, CacheEntry>();
    this.caches.set(h.index, cache);
    const hit = cache.get(name);
    if (hit && hit.from_us <= t_us && hit.expires_us > t_us) return { ips: hit.ips, t: t_us };
    const s = this.zone.get(name);
    if (s === undefined) {
      const { t } = this.dnsExchange(h, rng, t_us, { name, type: 'A' }, [], true);
      return { ips: [], t };
    }
    // The resolver's cached copy has part of its TTL left; answers rotate (round-robin) between queries.
    const ttl = Math.max(5, rng.int(Math.ceil(s.ttl / 3), s.ttl));
    const chain: ResourceRecord[] = [];
    const names = [s.name, ...(s.cname ?? [])];
    for (let i = 0; i + 1 < names.length; i++) chain.push({ name: names[i]!, type: 'CNAME', ttl, data: names[i + 1]! });
    const owner = names[names.length - 1]!;
    const ips = rotate(s.ips, rng.int(0, s.ips.length - 1));
    const a = ips.map((ip): ResourceRecord => ({ name: owner, type: 'A', ttl, data: ip }));
    const tA = this.dnsExchange(h, rng, t_us, { name, type: 'A' }, [...chain, ...a]).t;
    // The office has no IPv6 route, so stub resolvers with AI_ADDRCONFIG skip AAAA; Linux tools often ask anyway.
    let tAAAA = tA;
    if (h.os === 'linux' && rng.chance(0.5)) {
      const aaaa = (s.ipv6 ?? []).map((ip): ResourceRecord => ({ name: owner, type: 'AAAA', ttl, data: ip }));
      tAAAA = this.dnsExchange(h, rng, t_us + rng.int(20, 400), { name, type: 'AAAA' }, [...chain, ...aaaa]).t;
    }
    const parsed = ips.map(parseIp);
    cache.set(name, { ips: parsed, from_us: t_us, expires_us: t_us + ttl * 1e6 });
    return { ips: parsed, t: Math.max(tA, tAAAA) };
  }

  /** Drops a host's cached answers (a reboot, or a stub that ignores TTLs shorter than its own floor). */
  forget(h: Host, name: string): void {
    this.caches.get(h.index)?.delete(name);
  }
}

function before(a: Task, b: Task): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

function rotate<T>(items: readonly T[], by: number): T[] {
  return [...items.slice(by), ...items.slice(0, by)];
}
