/**
 * Ordinary office life, per workstation and day: people arrive between about 07:30 and 10:00 local time, work in
 * bursts of page loads separated by think times (log-normal, as in web-traffic measurements), take lunch, leave
 * between 17:00 and 18:30; weekends are almost empty. Machines add their own background: OS telemetry, NTP, mail
 * polls, SMB to the NAS, print jobs, ARP, mDNS and SSDP. Everything is scheduled on the World's clock.
 */
import { arpAnnounce, arpLookup, dhcpRejoin, mdnsAnnounce, mdnsBrowse, ssdpSearch } from './lan.js';
import type { Host } from './office.js';
import type { Rng } from './rng.js';
import { SITES, type Site } from './services.js';
import { ntpQuery, printJob, SmbSession } from './smb.js';
import { quicFetch } from './quic.js';
import { http, https, remoteFor, splitSizes } from './web.js';
import type { World } from './world.js';

const MIN = 60e6;
const HOUR = 3600e6;
const DAY = 24 * HOUR;

/** One person's day, in capture µs. */
interface Day {
  readonly arrive: number;
  readonly leave: number;
  readonly lunch: readonly [number, number] | null;
}

function planDay(rng: Rng, dayStart: number, weekend: boolean): Day | null {
  if (weekend && !rng.chance(0.08)) return null;
  const late = rng.chance(0.1);
  const arrive = dayStart + (late ? 10.5 * HOUR : 8 * HOUR) + Math.max(-40 * MIN, Math.min(120 * MIN, rng.normal() * 25 * MIN + 30 * MIN));
  const leave = weekend ? arrive + rng.range(1, 3) * HOUR : dayStart + 17 * HOUR + Math.max(0, rng.normal() * 30 * MIN + 30 * MIN);
  const lunchStart = dayStart + 12 * HOUR + rng.normal() * 20 * MIN + 10 * MIN;
  const lunch = rng.chance(0.75) && lunchStart > arrive ? [lunchStart, lunchStart + rng.range(30, 60) * MIN] as const : null;
  return { arrive, leave, lunch };
}

function present(d: Day, t: number): boolean {
  return t >= d.arrive && t < d.leave && !(d.lunch !== null && t >= d.lunch[0] && t < d.lunch[1]);
}

/** Per-host taste: everyone uses mail and search, each has a few favourite sites. */
function tastes(rng: Rng): readonly Site[] {
  return SITES.filter((s) => s.app === true || s.weight >= 8 || rng.chance(0.45));
}

/** Chromium reaches Google over HTTP/3 when it can (QUIC is blocked or fails on some networks: not always). */
function viaQuic(world: World, rng: Rng, h: Host, name: string): boolean {
  return (h.browser === 'chrome' || h.browser === 'edge') && world.zoneEntry(name)?.server === 'gws' && rng.chance(0.45);
}

function pageLoad(world: World, rng: Rng, h: Host, t: number, site: Site): void {
  const total = rng.lognormal(site.kb * 600, 0.7) * (site.app === true ? 0.4 : 1);
  const n = rng.int(1, site.app === true ? 2 : 4);
  const sizes = splitSizes(rng, total, n);
  const end = rng.pick(['server', 'server', 'fin', 'rst', 'notify'] as const);
  if (viaQuic(world, rng, h, site.host)) quicFetch(world, rng, h, t, site.host, Math.round(total));
  else https(world, rng, h, t, { name: site.host }, {
    client: h.browser, end,
    exchanges: sizes.map((resp, i) => ({ req_bytes: rng.int(300, 1400), resp_bytes: resp, think_us: i === 0 ? 0 : rng.int(5_000, 300_000), server_us: rng.int(2_000, 80_000) })),
  });
  for (const sub of site.subs) {
    if (!rng.chance(site.app === true ? 0.12 : 0.35)) continue;
    const ts = t + rng.int(80_000, 900_000);
    if (viaQuic(world, rng, h, sub)) {
      quicFetch(world, rng, h, ts, sub, Math.round(rng.lognormal(9000, 0.9)));
      continue;
    }
    https(world, rng, h, ts, { name: sub }, {
      client: h.browser, end: rng.pick(['server', 'fin', 'rst'] as const),
      exchanges: [{ req_bytes: rng.int(250, 900), resp_bytes: Math.round(rng.lognormal(9000, 0.9)), server_us: rng.int(1_000, 30_000) }],
    });
  }
  if (h.os === 'windows' && rng.chance(0.06)) ocsp(world, rng, h, t + rng.int(10_000, 200_000));
}

function ocsp(world: World, rng: Rng, h: Host, t: number): void {
  http(world, rng, h, t, { name: 'ocsp.digicert.com' }, [{
    req: { method: 'POST', path: '/', body: 83, content_type: 'application/ocsp-request', headers: [['Accept', '*/*'], ['Cache-Control', 'no-cache']], user_agent: 'Microsoft-CryptoAPI/10.0' },
    res: { status: 200, content_type: 'application/ocsp-response', body: 471, headers: [['Cache-Control', 'max-age=171932']] },
  }], 'ECAcc (lhc/7895)');
}

function connectivityCheck(world: World, rng: Rng, h: Host, t: number): void {
  if (h.os === 'windows') {
    http(world, rng, h, t, { name: 'www.msftconnecttest.com' }, [{
      req: { method: 'GET', path: '/connecttest.txt', user_agent: 'Microsoft NCSI', headers: [['Cache-Control', 'no-cache'], ['Pragma', 'no-cache']] },
      res: { status: 200, content_type: 'text/plain', body: 'Microsoft Connect Test' },
    }], 'Microsoft-IIS/10.0');
  } else if (h.os === 'macos') {
    http(world, rng, h, t, { name: 'captive.apple.com' }, [{
      req: { method: 'GET', path: '/hotspot-detect.html', user_agent: 'CaptiveNetworkSupport-481.0.1 wispr', headers: [['Accept', '*/*']] },
      res: { status: 200, content_type: 'text/html', body: '<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>' },
    }], 'AkamaiGHost');
  } else {
    http(world, rng, h, t, { name: 'detectportal.firefox.com' }, [{
      req: { method: 'GET', path: '/canonical.html', headers: [['Accept', '*/*'], ['Cache-Control', 'no-cache']] },
      res: { status: 200, content_type: 'text/html', body: '<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>' },
    }], 'nginx');
  }
}

function ntp(world: World, rng: Rng, h: Host, t: number): void {
  const name = h.os === 'windows' ? 'time.windows.com' : h.os === 'macos' ? 'time.apple.com' : 'ntp.ubuntu.com';
  const l = world.resolve(h, rng, name, t);
  const ip = l.ips[0];
  if (ip === undefined) return;
  const zone = world.zoneEntry(name);
  const stratum = h.os === 'macos' ? 1 : 2;
  const refId = stratum === 1 ? Buffer.from('GPS\0', 'latin1') : Buffer.from([10, rng.int(0, 255), rng.int(0, 255), 1]);
  ntpQuery(world, rng, l.t + rng.int(100, 2000), h, remoteFor(world, ip, zone?.server ?? 'openssl'), stratum, refId, (zone?.rtt_ms ?? 20) * 1000);
}

/** Machine background that runs while the person is in (laptops leave with them). */
function background(world: World, rng: Rng, h: Host, d: Day, t0: number): void {
  const every = (label: string, median: number, spread: number, fn: (t: number) => void): void => {
    const r = rng.fork(label);
    const tick = (t: number): void => {
      if (t >= d.leave) return;
      fn(t);
      world.at(t + r.lognormal(median, spread), tick);
    };
    world.at(t0 + r.range(0, median), tick);
  };
  if (h.os === 'windows') {
    every('telemetry', 30 * MIN, 0.45, (t) => https(world, rng, h, t, { name: 'v10.events.data.microsoft.com' }, {
      client: 'schannel', end: 'fin', exchanges: [{ req_bytes: rng.int(2_500, 14_000), resp_bytes: rng.int(150, 400), server_us: rng.int(20_000, 90_000) }],
    }));
    every('settings', 2 * HOUR, 0.3, (t) => https(world, rng, h, t, { name: 'settings-win.data.microsoft.com' }, {
      client: 'schannel', end: 'fin', exchanges: [{ req_bytes: rng.int(400, 900), resp_bytes: rng.int(2_000, 9_000) }],
    }));
    every('wu', 3 * HOUR, 0.4, (t) => https(world, rng, h, t, { name: 'fe2cr.update.microsoft.com' }, {
      client: 'schannel', end: 'fin', exchanges: [{ req_bytes: rng.int(3_000, 8_000), resp_bytes: rng.int(4_000, 30_000), server_us: rng.int(50_000, 300_000) }],
    }));
    every('mail', 30 * MIN, 0.35, (t) => https(world, rng, h, t, { name: 'outlook.office365.com' }, {
      client: 'schannel', end: 'fin', exchanges: [{ req_bytes: rng.int(600, 2_000), resp_bytes: Math.round(rng.lognormal(3_000, 1.0)), server_us: rng.int(10_000, 120_000) }],
    }));
    every('ssdp', 90 * MIN, 0.3, (t) => ssdpSearch(world, rng, t, h, world.office.printer));
    every('ntp', 2 * HOUR, 0.3, (t) => ntp(world, rng, h, t));
  } else if (h.os === 'macos') {
    every('icloud', 25 * MIN, 0.5, (t) => https(world, rng, h, t, { name: 'gateway.icloud.com' }, {
      client: 'safari', end: 'server', exchanges: [{ req_bytes: rng.int(500, 3_000), resp_bytes: rng.int(300, 6_000) }],
    }));
    every('mdns', 25 * MIN, 0.4, (t) => mdnsBrowse(world, rng, t, h, world.office.printer));
    every('ntp', 30 * MIN, 0.3, (t) => ntp(world, rng, h, t));
  } else {
    every('telemetry', 30 * MIN, 0.5, (t) => https(world, rng, h, t, { name: 'incoming.telemetry.mozilla.org' }, {
      client: 'firefox', end: 'fin', exchanges: [{ req_bytes: rng.int(2_000, 20_000), resp_bytes: rng.int(100, 300) }],
    }));
    every('ntp', 34 * MIN, 0.2, (t) => ntp(world, rng, h, t));
    every('git', 50 * MIN, 0.8, (t) => https(world, rng, h, t, { name: rng.pick(['github.com', 'api.github.com', 'pypi.org']) }, {
      client: 'curl', end: 'fin', exchanges: [{ req_bytes: rng.int(200, 1_500), resp_bytes: Math.round(rng.lognormal(20_000, 1.2)) }],
    }));
  }
  every('arp', 15 * MIN, 0.4, (t) => arpLookup(world, rng, t, h, world.office.gateway));
}

function login(world: World, rng: Rng, h: Host, t: number): void {
  dhcpRejoin(world, rng, t - rng.int(200_000, 900_000), h, 0xfffffe00);
  arpAnnounce(world, t, h);
  arpLookup(world, rng, t + rng.int(1_000, 50_000), h, world.office.gateway);
  connectivityCheck(world, rng, h, t + rng.int(1e6, 4e6));
  ntp(world, rng, h, t + rng.int(2e6, 10e6));
  if (h.browser === 'chrome' || h.browser === 'edge') {
    // Chromium's intranet-redirect probe: three random single-label names, expected to fail.
    for (let i = 0; i < 3; i++) {
      const label = Array.from({ length: rng.int(7, 15) }, () => String.fromCharCode(97 + rng.int(0, 25))).join('');
      world.resolve(h, rng, label, t + rng.int(20e6, 40e6));
    }
  }
  if (h.os === 'windows') {
    http(world, rng, h, t + rng.int(5e6, 30e6), { name: 'ctldl.windowsupdate.com' }, [{
      req: { method: 'GET', path: '/msdownload/update/v3/static/trustedr/en/authrootstl.cab', user_agent: 'Microsoft-CryptoAPI/10.0', headers: [['Accept', '*/*'], ['If-Modified-Since', 'Tue, 13 Feb 2026 18:22:41 GMT']] },
      res: { status: 304, headers: [['ETag', '"0cdbd3a9a5eda1:0"']] },
    }], 'ECAcc (lhc/788B)');
    ssdpSearch(world, rng, t + rng.int(3e6, 8e6), h, world.office.printer);
    https(world, rng, h, t + rng.int(40e6, 300e6), { name: 'intranet.northwind.lan' }, {
      client: h.browser, end: 'server', exchanges: [{ req_bytes: rng.int(500, 1200), resp_bytes: Math.round(rng.lognormal(40_000, 0.6)) }],
    });
  }
  if (h.os === 'macos') mdnsBrowse(world, rng, t + rng.int(1e6, 3e6), h, world.office.printer);
  if (h.os === 'linux') {
    http(world, rng, h, t + rng.int(20e6, 90e6), { name: 'archive.ubuntu.com' }, ['jammy', 'jammy-updates', 'jammy-backports'].map((suite, i) => ({
      req: { method: 'GET' as const, path: `/ubuntu/dists/${suite}/InRelease`, user_agent: 'Debian APT-HTTP/1.3 (2.4.11)', headers: [['If-Modified-Since', 'Mon, 02 Mar 2026 06:12:18 GMT']] },
      res: { status: 304 }, think_us: i === 0 ? 0 : rng.int(500, 4000),
    })), 'Apache/2.4.52 (Ubuntu)');
  }
}

/** Schedules one workstation's day: login, bursts of browsing, SMB work, printing, background; departure. */
function workday(world: World, rng: Rng, h: Host, d: Day): void {
  const sites = tastes(rng);
  let smb: SmbSession | null = null;
  world.at(d.arrive, (t) => {
    login(world, rng, h, t);
    if (h.os !== 'linux') smb = SmbSession.open(world, rng, h, t + rng.int(3e6, 20e6));
    background(world, rng, h, d, t + rng.int(30e6, 120e6));
  });
  const burst = (t: number): void => {
    if (t >= d.leave) return;
    if (!present(d, t)) {
      world.at(d.lunch !== null && t < d.lunch[1] ? d.lunch[1] + rng.range(0, 10) * MIN : t + 5 * MIN, burst);
      return;
    }
    const until = t + rng.lognormal(5 * MIN, 0.8);
    const load = (tl: number): void => {
      if (tl >= until || !present(d, tl)) {
        world.at(tl + rng.lognormal(25 * MIN, 0.8), burst);
        return;
      }
      pageLoad(world, rng, h, tl, rng.weighted(sites, (s) => s.weight));
      if (smb !== null && rng.chance(0.07)) smb.burst(rng.int(3, 15), Math.round(rng.lognormal(60_000, 1.0)), Math.round(rng.lognormal(15_000, 1.0)), tl + rng.int(1e6, 20e6));
      world.at(tl + Math.min(10 * MIN, rng.lognormal(110e6, 1.0)), load);
    };
    load(t);
  };
  world.at(d.arrive + rng.range(1, 4) * MIN, burst);
  if (rng.chance(0.35)) {
    const when = rng.range(d.arrive + 20 * MIN, d.leave - 10 * MIN);
    world.at(when, (t) => { if (present(d, t)) printJob(world, rng, h, t, Math.round(rng.lognormal(350_000, 0.8))); });
  }
  world.at(d.leave, () => {
    if (smb !== null) smb.close(d.leave);
  });
}

/** Schedules the whole baseline between start and end (capture µs). */
export function scheduleBaseline(world: World, rng: Rng, start_us: number, end_us: number): void {
  const off = world.office.utc_offset_h * HOUR;
  const firstDay = Math.floor((start_us + off) / DAY) * DAY - off;
  for (let day = firstDay; day < end_us; day += DAY) {
    const weekday = new Date((day + off) / 1000).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    for (const h of world.office.workstations) {
      const r = rng.fork(`day/${h.index}/${day}`);
      const d = planDay(r, day, weekend);
      if (d !== null && d.leave > start_us - HOUR) workday(world, r, h, d);
    }
  }
  // Infrastructure, all day: the printer re-announces itself, the gateway refreshes ARP entries.
  const infra = rng.fork('infra');
  const printer = world.office.printer;
  const announce = (t: number): void => {
    mdnsAnnounce(world, infra, t, printer);
    world.at(t + infra.range(20, 60) * MIN, announce);
  };
  world.at(start_us - infra.range(0, 30) * MIN, announce);
  const gatewayArp = (t: number): void => {
    // A workstation whose owner is out (laptop gone home) leaves the request unanswered.
    const target = infra.pick(world.office.hosts);
    arpLookup(world, infra, t, world.office.gateway, target, !target.workstation || infra.chance(0.6));
    world.at(t + infra.lognormal(6 * MIN, 0.6), gatewayArp);
  };
  world.at(start_us - infra.range(0, 5) * MIN, gatewayArp);
  // The NAS runs day and night: chrony polls its server every 1024 s.
  const nas = world.office.nas;
  const nasNtp = (t: number): void => {
    ntp(world, infra, nas, t);
    world.at(t + 1024e6 + infra.range(-5e6, 5e6), nasNtp);
  };
  world.at(start_us - infra.range(0, 1024e6), nasNtp);
}
