/**
 * Collects what an injection actually put into the capture (only what falls inside the capture window counts), and
 * turns it into a ground-truth entity at the end of the run.
 */
import { createHash } from 'node:crypto';
import { ipToString, macToString } from '../frames.js';
import type { Host } from '../office.js';
import type { TcpSession } from '../tcp.js';
import { isoUs, type TruthEntity } from '../truth.js';
import type { World } from '../world.js';

export type EntityBase = Omit<TruthEntity, 'src_ip' | 'src_host' | 'src_mac' | 'dst_ips' | 'dst_ports' | 'start' | 'end' | 'count' | 'bytes_out' | 'bytes_in' | 'proto' | 'ja3'>;

export class Recorder {
  private readonly world: World;
  readonly host: Host;
  private first = Infinity;
  private last = -Infinity;
  private count = 0;
  private out = 0;
  private in = 0;
  private readonly ips = new Set<string>();
  private readonly ports = new Set<number>();
  private readonly ja3 = new Set<string>();

  constructor(world: World, host: Host) {
    this.world = world;
    this.host = host;
  }

  private inWindow(t: number): boolean {
    return t >= this.world.log.start_us && t < this.world.log.end_us;
  }

  /** Records a finished TCP connection (ignored if its SYN fell outside the capture), with its JA3 string if TLS. */
  tcp(s: TcpSession, ja3?: string): void {
    if (!this.inWindow(s.start_us)) return;
    if (ja3 !== undefined) this.ja3.add(createHash('md5').update(ja3).digest('hex'));
    this.count++;
    this.first = Math.min(this.first, s.start_us);
    this.last = Math.max(this.last, Math.min(s.t, this.world.log.end_us - 1));
    this.out += s.bytes.c;
    this.in += s.bytes.s;
    this.ips.add(ipToString(s.server.ip));
    this.ports.add(s.server.port);
  }

  /** Records one datagram exchange (a DNS query and its answer). */
  datagram(t0: number, t1: number, dst: number, port: number, out: number, inn: number): void {
    if (!this.inWindow(t0)) return;
    this.count++;
    this.first = Math.min(this.first, t0);
    this.last = Math.max(this.last, Math.min(t1, this.world.log.end_us - 1));
    this.out += out;
    this.in += inn;
    this.ips.add(ipToString(dst));
    this.ports.add(port);
  }

  entity(base: EntityBase, proto: 'tcp' | 'udp' = 'tcp'): TruthEntity | null {
    if (this.count === 0) return null;
    return {
      ...base,
      src_ip: ipToString(this.host.ip), src_host: this.host.name, src_mac: macToString(this.host.mac),
      dst_ips: [...this.ips].sort(), dst_ports: [...this.ports].sort((a, b) => a - b), proto,
      start: isoUs(this.first), end: isoUs(this.last), count: this.count, bytes_out: this.out, bytes_in: this.in,
      ...(this.ja3.size > 0 ? { ja3: [...this.ja3].sort() } : {}),
    };
  }
}
