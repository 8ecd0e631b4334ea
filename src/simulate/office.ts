/**
 * The simulated office: one 192.168.N.0/23 LAN behind a gateway that is also its DNS forwarder, a NAS (SMB), a
 * network printer and K workstations. The layout comes from a fixed office seed, not the run seed, so captures made
 * with different seeds (the clean baseline and the suspect period) show the same hosts, addresses and MACs.
 */
import { parseIp, parseMac } from './frames.js';
import { Rng } from './rng.js';
import type { Stack } from './tcp.js';
import type { ClientName } from './tls/profiles.js';

const OFFICE_SEED = 0x4e414431; // "NAD1"

export type Os = 'windows' | 'macos' | 'linux' | 'printer' | 'nas';

export interface Host {
  /** Index into Office.hosts; also the key of the host's IPv4 ID counter. */
  readonly index: number;
  readonly name: string;
  readonly ip: number;
  readonly mac: Buffer;
  readonly os: Os;
  readonly stack: Stack;
  /** Initial TTL of the host's packets. */
  readonly ttl: number;
  /** TLS client of the host's browser. */
  readonly browser: ClientName;
  /** Browser User-Agent for plain HTTP. */
  readonly user_agent: string;
  /** Resolver this host asks: the gateway, or a public one set by hand. */
  readonly resolver: number;
  readonly workstation: boolean;
}

export interface Office {
  /** LAN prefix as text, e.g. 192.168.40.0/23. */
  readonly subnet: string;
  readonly gateway: { readonly ip: number; readonly mac: Buffer };
  readonly nas: Host;
  readonly printer: Host;
  readonly workstations: readonly Host[];
  /** All hosts, index order (NAS, printer, workstations). */
  readonly hosts: readonly Host[];
  /** Office local time = UTC + this many hours (diurnal rhythm). */
  readonly utc_offset_h: number;
}

interface Persona {
  readonly os: Os;
  readonly browser: ClientName;
  readonly oui: string;
  readonly public_dns?: string;
}

// Real OUIs (Wireshark manuf): Dell f8:bc:12, Wistron 54:ee:75 (ThinkPad maker), HP 3c:52:82, Apple f0:18:98 / a4:83:e7,
// Intel 3c:fd:fe, Synology 00:11:32, Ubiquiti 74:83:c2.
const PERSONAS: readonly Persona[] = [
  { os: 'windows', browser: 'chrome', oui: 'f8:bc:12' },
  { os: 'windows', browser: 'edge', oui: '54:ee:75' },
  { os: 'macos', browser: 'safari', oui: 'f0:18:98' },
  { os: 'windows', browser: 'chrome', oui: '3c:52:82' },
  { os: 'linux', browser: 'firefox', oui: '3c:fd:fe', public_dns: '1.1.1.1' },
  { os: 'windows', browser: 'firefox', oui: 'f8:bc:12' },
  { os: 'macos', browser: 'chrome', oui: 'a4:83:e7' },
  { os: 'windows', browser: 'edge', oui: '54:ee:75' },
  { os: 'windows', browser: 'chrome', oui: 'f8:bc:12' },
  { os: 'macos', browser: 'safari', oui: 'a4:83:e7' },
];

const FIRST_NAMES = ['anna', 'ben', 'chloe', 'david', 'emma', 'farid', 'grace', 'hugo', 'isla', 'jamal', 'kate', 'liam', 'maya', 'noah', 'olga', 'priya', 'quinn', 'ruth', 'sam', 'tom'];

const UA = {
  chrome: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
  edge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.2365.66',
  firefox: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0',
  safari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15',
  chromeMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
  firefoxWin: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:123.0) Gecko/20100101 Firefox/123.0',
} as const;

function userAgent(os: Os, browser: ClientName): string {
  if (browser === 'chrome') return os === 'macos' ? UA.chromeMac : UA.chrome;
  if (browser === 'firefox') return os === 'windows' ? UA.firefoxWin : UA.firefox;
  if (browser === 'edge' || browser === 'safari') return UA[browser];
  return 'curl/8.5.0';
}

function mac(rng: Rng, oui: string): Buffer {
  return parseMac(`${oui}:${[rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`);
}

const STACK: Readonly<Record<Os, Stack>> = { windows: 'windows', macos: 'macos', linux: 'linux', printer: 'linux', nas: 'linux' };

/** Builds the office with `workstations` desktops (1..250). Same count → same office, whatever the run seed. */
export function buildOffice(workstations: number): Office {
  if (!Number.isInteger(workstations) || workstations < 1 || workstations > 250) {
    throw new Error(`hosts must be an integer from 1 to 250, got ${workstations}`);
  }
  const rng = new Rng(OFFICE_SEED);
  const third = 2 * rng.int(10, 120);
  const base = parseIp(`192.168.${third}.0`);
  const gatewayIp = base + 1;
  const host = (index: number, name: string, ip: number, os: Os, m: Buffer, browser: ClientName, resolver = gatewayIp): Host => ({
    index, name, ip, mac: m, os, stack: STACK[os], ttl: os === 'windows' ? 128 : os === 'printer' ? 60 : 64, browser,
    user_agent: userAgent(os, browser), resolver, workstation: os === 'windows' || os === 'macos' || os === 'linux',
  });
  const gatewayMac = mac(rng, '74:83:c2');
  const nas = host(0, 'nas01', base + 10, 'nas', mac(rng, '00:11:32'), 'curl');
  const printer = host(1, 'HP-LaserJet-M404', base + 20, 'printer', mac(rng, '3c:52:82'), 'curl');
  const names = rng.shuffle(FIRST_NAMES);
  const ws: Host[] = [];
  for (let i = 0; i < workstations; i++) {
    const p = PERSONAS[i % PERSONAS.length]!;
    const person = `${names[i % names.length]!}${i >= names.length ? String(Math.floor(i / names.length)) : ''}`;
    const name = p.os === 'windows' ? `LT-${person.toUpperCase()}` : p.os === 'macos' ? `${person}-MacBook-Pro` : `${person}-dev`;
    // Workstations live in the upper /24 of the /23 (the DHCP pool).
    const ip = base + 256 + 5 + i;
    ws.push(host(2 + i, name, ip, p.os, mac(rng, p.oui), p.browser, p.public_dns !== undefined ? parseIp(p.public_dns) : gatewayIp));
  }
  return {
    subnet: `192.168.${third}.0/23`,
    gateway: { ip: gatewayIp, mac: gatewayMac },
    nas, printer, workstations: ws, hosts: [nas, printer, ...ws], utc_offset_h: 0,
  };
}
