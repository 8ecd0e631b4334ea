/**
 * External services the office talks to: real names, CNAME chains and addresses inside the providers' published
 * ranges (Google AS15169, Microsoft AS8075/AS8068, Akamai AS20940, Cloudflare AS13335, Fastly AS54113, GitHub AS36459,
 * Wikimedia AS14907, Amazon AS16509, Apple AS714, Canonical AS41231, Zoom AS30103, Dropbox AS19679, Edgecast AS15133).
 * Countries as DB-IP places them: US, GB, IE, NL, DE, CA (Cloudflare and Fastly anycast) and AU (1.1.1.1, the Linux
 * box's resolver). No baseline address lies in China, which the new-country injection uses.
 */
import type { ServerName } from './tls/profiles.js';

export interface Service {
  readonly name: string;
  /** CNAME chain from `name` to the name that holds the addresses. */
  readonly cname?: readonly string[];
  readonly ips: readonly string[];
  readonly ipv6?: readonly string[];
  readonly ttl: number;
  readonly server: ServerName;
  readonly rtt_ms: number;
}

const S = (name: string, ips: string[], server: ServerName, rtt_ms: number, ttl = 300, cname?: string[], ipv6?: string[]): Service => ({
  name, ips, server, rtt_ms, ttl, ...(cname ? { cname } : {}), ...(ipv6 ? { ipv6 } : {}),
});

export const SERVICES: readonly Service[] = [
  S('www.google.com', ['142.250.187.196'], 'gws', 9, 300, undefined, ['2a00:1450:4009:81f::2004']),
  S('fonts.googleapis.com', ['142.250.180.10'], 'gws', 9, 300, undefined, ['2a00:1450:4009:820::200a']),
  S('fonts.gstatic.com', ['142.250.200.3'], 'gws', 9, 300, undefined, ['2a00:1450:4009:81e::2003']),
  S('www.gstatic.com', ['142.250.178.3'], 'gws', 9),
  S('www.googletagmanager.com', ['142.250.187.232'], 'gws', 9),
  S('www.google-analytics.com', ['142.250.187.206'], 'gws', 10),
  S('mail.google.com', ['142.250.179.229'], 'gws', 9),
  S('docs.google.com', ['142.250.200.14'], 'gws', 9),
  S('accounts.google.com', ['142.250.187.237'], 'gws', 9),
  S('outlook.office365.com', ['52.97.211.194', '52.97.146.210', '52.97.183.130'], 'iis', 11, 30, ['outlook.ms-acdc.office.com']),
  S('login.microsoftonline.com', ['20.190.159.64', '20.190.159.2'], 'iis', 12, 300, ['login.mso.msidentity.com', 'ak.privatelink.msidentity.com', 'www.tm.ak.prd.aadg.trafficmanager.net']),
  S('teams.microsoft.com', ['52.113.194.132'], 'iis', 12, 3600, ['teams-office-com.s-0005.dc-msedge.net', 's-0005.dc-msedge.net']),
  S('www.office.com', ['13.107.6.156'], 'iis', 10, 300, ['www.office.com.s-0005.dc-msedge.net']),
  S('graph.microsoft.com', ['20.190.160.26'], 'iis', 12, 60, ['ags.privatelink.msidentity.com']),
  S('v10.events.data.microsoft.com', ['20.42.65.92'], 'iis', 78, 60, ['global.asimov.events.data.trafficmanager.net', 'onedsblobprdeus17.eastus.cloudapp.azure.com']),
  S('settings-win.data.microsoft.com', ['51.104.136.2'], 'iis', 11, 60, ['atm-settingsfe-prod-geo2.trafficmanager.net', 'settings-prod-uks-1.uksouth.cloudapp.azure.com']),
  S('fe2cr.update.microsoft.com', ['20.54.24.148'], 'iis', 13, 60, ['glb.cws.prod.dcat.dsp.trafficmanager.net']),
  S('www.linkedin.com', ['13.107.42.14'], 'iis', 10, 300, ['cs1404.wpc.epsiloncdn.net']),
  S('www.microsoft.com', ['23.35.229.160'], 'akamai', 8, 20, ['www.microsoft.com-c-3.edgekey.net', 'e13678.dscb.akamaiedge.net']),
  S('www.apple.com', ['23.40.58.78'], 'akamai', 8, 20, ['www.apple.com.edgekey.net', 'e6858.dscx.akamaiedge.net']),
  S('gateway.icloud.com', ['17.248.211.66', '17.248.211.70'], 'openssl', 11, 60),
  S('cdnjs.cloudflare.com', ['104.17.24.14', '104.17.25.14'], 'cloudflare', 5, 300),
  S('www.cloudflare.com', ['104.16.124.96', '104.16.123.96'], 'cloudflare', 5, 300),
  S('www.bbc.co.uk', ['151.101.0.81', '151.101.64.81'], 'openssl', 7, 300, ['www.bbc.co.uk.pri.bbc.co.uk', 'bbc.map.fastly.net']),
  S('www.theguardian.com', ['151.101.1.111'], 'openssl', 7, 300, ['guardian.map.fastly.net']),
  S('pypi.org', ['151.101.64.223', '151.101.128.223'], 'openssl', 7, 300),
  S('github.com', ['140.82.121.4'], 'openssl', 21, 60),
  S('api.github.com', ['140.82.121.6'], 'openssl', 21, 60),
  S('github.githubassets.com', ['185.199.108.154', '185.199.109.154'], 'openssl', 7, 300),
  S('en.wikipedia.org', ['185.15.59.224'], 'openssl', 12, 600, ['dyna.wikimedia.org']),
  S('upload.wikimedia.org', ['185.15.59.240'], 'openssl', 12, 600),
  S('www.amazon.co.uk', ['54.239.34.171'], 'openssl', 14, 60, ['tp.c95e7e602-frontier.amazon.co.uk']),
  S('d1.awsstatic.com', ['18.66.192.81', '18.66.192.43'], 'openssl', 8, 60, ['d1.awsstatic.com.cdn.cloudfront.net']),
  S('app.slack.com', ['52.85.49.114'], 'openssl', 9, 60, ['d2k2ll8vzvdy6m.cloudfront.net']),
  S('zoom.us', ['170.114.52.2'], 'openssl', 79, 300),
  S('www.dropbox.com', ['162.125.64.18'], 'openssl', 15, 60, ['www-env.dropbox-dns.com']),
  S('archive.ubuntu.com', ['91.189.91.82', '185.125.190.36'], 'legacy', 5, 60),
  S('www.msftconnecttest.com', ['13.107.4.52'], 'iis', 10, 60, ['www.msftncsi.com.edgesuite.net', 'a1961.g2.akamai.net']),
  S('ocsp.digicert.com', ['192.229.211.108'], 'legacy', 9, 300, ['ocsp.edge.digicert.com', 'fp2e7a.wpc.phicdn.net']),
  S('ctldl.windowsupdate.com', ['23.62.99.40'], 'legacy', 9, 300, ['wu-bg-shim.trafficmanager.net', 'cds.d2s7q6s2.hwcdn.net']),
  S('download.windowsupdate.com', ['23.62.99.11', '23.62.99.24'], 'akamai', 8, 20, ['download.windowsupdate.com.edgesuite.net', 'a767.dspw65.akamai.net']),
  S('captive.apple.com', ['17.253.19.201'], 'openssl', 9, 300, ['captive.g.aaplimg.com']),
  S('detectportal.firefox.com', ['34.107.221.82'], 'gws', 10, 60, ['detectportal.prod.mozaws.net', 'prod.detectportal.prod.cloudops.mozgcp.net']),
  S('time.windows.com', ['168.61.215.74'], 'iis', 80, 900, ['twc.trafficmanager.net']),
  S('time.apple.com', ['17.253.19.203', '17.253.19.205'], 'openssl', 10, 300),
  S('ntp.ubuntu.com', ['185.125.190.57', '185.125.190.58'], 'openssl', 5, 300),
  // Head office, over the site-to-site VPN.
  S('intranet.northwind.lan', ['10.20.1.10'], 'iis', 15, 3600),
  S('incoming.telemetry.mozilla.org', ['34.120.208.123'], 'gws', 10, 60, ['telemetry-incoming.r53-2.services.mozilla.com']),
];

/** A web page: the document's host and the hosts its subresources come from. */
export interface Site {
  readonly host: string;
  readonly subs: readonly string[];
  /** How often people open it, relative. */
  readonly weight: number;
  /** Median document + subresource bytes fetched from the main host. */
  readonly kb: number;
  /** Sites people keep open and return to (mail, chat) are visited more, in shorter loads. */
  readonly app?: boolean;
}

export const SITES: readonly Site[] = [
  { host: 'mail.google.com', subs: ['www.gstatic.com', 'accounts.google.com'], weight: 8, kb: 60, app: true },
  { host: 'outlook.office365.com', subs: ['login.microsoftonline.com'], weight: 10, kb: 50, app: true },
  { host: 'teams.microsoft.com', subs: ['login.microsoftonline.com', 'graph.microsoft.com'], weight: 6, kb: 40, app: true },
  { host: 'www.office.com', subs: ['login.microsoftonline.com'], weight: 3, kb: 80 },
  { host: 'docs.google.com', subs: ['www.gstatic.com', 'fonts.gstatic.com'], weight: 6, kb: 90, app: true },
  { host: 'www.google.com', subs: ['www.gstatic.com', 'fonts.gstatic.com'], weight: 10, kb: 40 },
  { host: 'www.bbc.co.uk', subs: ['www.googletagmanager.com', 'fonts.googleapis.com'], weight: 4, kb: 120 },
  { host: 'www.theguardian.com', subs: ['www.google-analytics.com', 'cdnjs.cloudflare.com'], weight: 3, kb: 110 },
  { host: 'en.wikipedia.org', subs: ['upload.wikimedia.org'], weight: 4, kb: 60 },
  { host: 'github.com', subs: ['github.githubassets.com', 'api.github.com'], weight: 4, kb: 90 },
  { host: 'www.linkedin.com', subs: ['www.googletagmanager.com'], weight: 2, kb: 100 },
  { host: 'www.amazon.co.uk', subs: ['d1.awsstatic.com'], weight: 2, kb: 140 },
  { host: 'app.slack.com', subs: ['d1.awsstatic.com'], weight: 4, kb: 30, app: true },
  { host: 'www.microsoft.com', subs: ['www.google-analytics.com'], weight: 1, kb: 90 },
  { host: 'www.apple.com', subs: ['www.googletagmanager.com'], weight: 1, kb: 130 },
  { host: 'www.dropbox.com', subs: ['cdnjs.cloudflare.com'], weight: 2, kb: 70 },
  { host: 'zoom.us', subs: ['www.googletagmanager.com'], weight: 1, kb: 60 },
  { host: 'www.cloudflare.com', subs: ['cdnjs.cloudflare.com'], weight: 1, kb: 70 },
  { host: 'pypi.org', subs: ['fonts.googleapis.com'], weight: 1, kb: 40 },
];

const BY_NAME = new Map(SERVICES.map((s) => [s.name, s]));

export function service(name: string): Service {
  const s = BY_NAME.get(name);
  if (s === undefined) throw new Error(`unknown service ${name}`);
  return s;
}
