/**
 * TCP SYN scans as nmap -sS runs them: one source port per scan, targets in random order, half-open probes (RST after
 * a SYN/ACK). Vertical: nmap's top 100 ports of the NAS. Horizontal: SMB (445) across a /24 of the head-office network
 * reached through the VPN; silent addresses get one retransmitted SYN and no answer.
 */
import { parseIp } from '../frames.js';
import { TcpSession, type TcpPeer } from '../tcp.js';
import type { TruthEntity } from '../truth.js';
import { Recorder } from './recorder.js';
import type { InjectContext } from './context.js';

export interface ScanParams {
  readonly variant: 'vertical' | 'horizontal';
  /** Vertical: the one target; horizontal: the /24 prefix (first three octets). */
  readonly target: string;
  readonly ports: readonly number[];
  /** Open ports (vertical) or live addresses' last octets with their open ports (horizontal). */
  readonly open: Readonly<Record<string, readonly number[]>>;
  readonly probes_per_s: number;
  readonly at: number;
}

/** nmap's 100 most common TCP ports (`nmap -F`, nmap-services). */
const NMAP_TOP_100 = [
  7, 9, 13, 21, 22, 23, 25, 26, 37, 53, 79, 80, 81, 88, 106, 110, 111, 113, 119, 135, 139, 143, 144, 179, 199, 389, 427, 443, 444, 445,
  465, 513, 514, 515, 543, 544, 548, 554, 587, 631, 646, 873, 990, 993, 995, 1025, 1026, 1027, 1028, 1029, 1110, 1433, 1720, 1723,
  1755, 1900, 2000, 2001, 2049, 2121, 2717, 3000, 3128, 3306, 3389, 3986, 4899, 5000, 5009, 5051, 5060, 5101, 5190, 5357, 5432,
  5631, 5666, 5800, 5900, 6000, 6001, 6646, 7070, 8000, 8008, 8009, 8080, 8081, 8443, 8888, 9100, 9999, 10000, 32768, 49152,
  49153, 49154, 49155, 49156, 49157,
];

export const SCAN_VERTICAL = (nasIp: string): ScanParams => ({
  variant: 'vertical', target: nasIp, ports: NMAP_TOP_100,
  open: { [nasIp]: [22, 80, 139, 443, 445, 548, 5000] }, probes_per_s: 600, at: 0.5,
});

export const SCAN_HORIZONTAL: ScanParams = {
  variant: 'horizontal', target: '10.20.1', ports: [445],
  open: { '1': [], '5': [445], '10': [445], '11': [445], '20': [], '21': [], '50': [] }, probes_per_s: 200, at: 0.53,
};

export function injectScan(ctx: InjectContext, p: ScanParams, id: string): () => TruthEntity | null {
  const { world, rng, host } = ctx;
  const rec = new Recorder(world, host);
  const sport = rng.int(40000, 65000);
  const client: TcpPeer = { ...world.sender(host), port: sport, stack: host.stack };
  const probes: { ip: string; port: number }[] = [];
  if (p.variant === 'vertical') for (const port of p.ports) probes.push({ ip: p.target, port });
  else for (let last = 1; last <= 254; last++) for (const port of p.ports) probes.push({ ip: `${p.target}.${last}`, port });
  const order = rng.shuffle(probes);
  const t0 = ctx.start_us + p.at * (ctx.end_us - ctx.start_us);
  world.at(t0, () => {
    let t = t0;
    const lan = p.variant === 'vertical';
    for (const pr of order) {
      t += rng.exp(1e6 / p.probes_per_s);
      const ip = parseIp(pr.ip);
      const key = lan ? pr.ip : pr.ip.split('.')[3]!;
      const openPorts = p.open[key];
      const dst = lan ? { ...world.sender(world.office.nas), port: pr.port, stack: 'linux' as const }
        : { ...world.remote(ip, 3, 128), port: pr.port, stack: 'windows' as const };
      const s = new TcpSession(world.log, rng, client, dst, t, lan ? rng.int(150, 400) : rng.int(14_000, 18_000));
      if (openPorts === undefined) s.connect('none', 1); // nothing there: nmap retransmits once
      else s.probe(openPorts.includes(pr.port));
      rec.tcp(s);
    }
  });
  return () => rec.entity({
    id, kind: 'scan', variant: p.variant, dst_name: null, app: 'tcp',
    params: {
      ports: p.ports,
      targets: p.variant === 'vertical' ? p.target : `${p.target}.1-254`, probes_per_s: p.probes_per_s,
      open: Object.entries(p.open).map(([k, v]) => `${p.variant === 'vertical' ? k : `${p.target}.${k}`}:${v.join('/') || 'closed'}`),
      source_port: sport,
    },
    description: p.variant === 'vertical'
      ? `${host.name} SYN-scans nmap's top ${p.ports.length} ports of ${p.target}`
      : `${host.name} SYN-scans ${p.target}.0/24 on ports ${p.ports.join(', ')} (head office, via the VPN)`,
  });
}
