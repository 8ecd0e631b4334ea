/**
 * Allow-list (`--allow FILE`, YAML or JSON), applied before scoring: an allowed connection is never seen by a detector,
 * and an allowed DNS query never counts toward a tunnel. Every entry needs a reason. What was suppressed is counted
 * per entry, so outputs can say how much the allow-list hid.
 *
 * ```yaml
 * allow:
 *   - cidr: 192.0.2.0/24          # either side of the connection
 *     reason: backup server
 *   - domain: windowsupdate.com   # the name and every name below it (SNI, Host, DNS answer, DNS query)
 *     reason: patching
 *   - ja3: 6734f37431670b3ab4292b8f60f29984
 *     reason: corporate agent
 *   - ja4: t13d1516h2_8daaf6152771_b186095e22b6
 *     reason: corporate agent
 *   - ja4h: ge11nn050000_c937b9d8d06e_000000000000_000000000000   # any HTTP request of the connection
 *     reason: monitoring probe
 * ```
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ConnRecord } from '../flow/conn.js';
import type { FlowApp } from '../app/records.js';
import { cidrContains, parseCidr, type Cidr } from '../features/address.js';

export type AllowEntry =
  | { type: 'cidr'; value: string; cidr: Cidr; reason: string }
  | { type: 'domain'; value: string; reason: string }
  | { type: 'ja3' | 'ja4' | 'ja4h'; value: string; reason: string };

export interface AllowList { entries: AllowEntry[] }

/** Per entry: what it matched. */
export interface SuppressedEntry { type: string; value: string; reason: string; conns: number; dns_queries: number }
export interface Suppressed { conns: number; dns_queries: number; entries: SuppressedEntry[] }

/** Parses allow-list text (YAML is a superset of JSON); throws an Error with a one-line message naming the bad entry. */
export function parseAllowList(text: string, where = 'allow-list'): AllowList {
  let doc: unknown;
  try {
    // Loaded on first use (~40 ms): most runs have no allow-list. yaml's main entry is CommonJS, so this stays sync.
    const { parse: parseYaml } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    doc = parseYaml(text);
  } catch (e) {
    throw new Error(`${where}: not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { allow?: unknown } | null)?.allow;
  if (!Array.isArray(list)) throw new Error(`${where}: expected a list of entries under "allow"`);
  return {
    entries: list.map((raw, i) => {
      const e = raw as Record<string, unknown> | null;
      const reason = typeof e?.['reason'] === 'string' ? e['reason'].trim() : '';
      if (e === null || typeof e !== 'object') throw new Error(`${where}: entry ${i + 1} is not a mapping`);
      if (reason === '') throw new Error(`${where}: entry ${i + 1} has no reason`);
      for (const type of ['cidr', 'domain', 'ja3', 'ja4', 'ja4h'] as const) {
        const v = e[type];
        if (typeof v !== 'string') continue;
        const value = v.trim().toLowerCase();
        if (type === 'cidr') {
          try {
            return { type, value, cidr: parseCidr(value), reason };
          } catch (err) {
            throw new Error(`${where}: entry ${i + 1}: ${(err as Error).message}`);
          }
        }
        return { type, value: type === 'domain' ? value.replace(/^\*?\./, '').replace(/\.$/, '') : value, reason };
      }
      throw new Error(`${where}: entry ${i + 1} needs one of cidr, domain, ja3, ja4, ja4h`);
    }),
  };
}

export function loadAllowList(path: string): AllowList {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read allow-list: ${(e as Error).message.split('\n')[0]}`);
  }
  return parseAllowList(text, path);
}

function underDomain(name: string, suffix: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return n === suffix || n.endsWith(`.${suffix}`);
}

/** Applies the list: returns the kept flows (DNS records of allowed names removed) and the counts. */
export function applyAllowList(
  flows: readonly { conn: ConnRecord; app: FlowApp }[], list: AllowList | null, nameOf: (c: ConnRecord) => string,
): { kept: { conn: ConnRecord; app: FlowApp }[]; suppressed: Suppressed } {
  const entries: SuppressedEntry[] = (list?.entries ?? []).map((e) => ({ type: e.type, value: e.value, reason: e.reason, conns: 0, dns_queries: 0 }));
  if (list === null || list.entries.length === 0) return { kept: [...flows], suppressed: { conns: 0, dns_queries: 0, entries } };
  const kept: { conn: ConnRecord; app: FlowApp }[] = [];
  let conns = 0;
  let dnsQueries = 0;
  for (const f of flows) {
    const hit = list.entries.findIndex((e) => connMatches(e, f.conn, f.app, nameOf));
    if (hit >= 0) { entries[hit]!.conns++; conns++; continue; }
    const dns = f.app.dns.filter((d) => {
      const i = list.entries.findIndex((e) => e.type === 'domain' && underDomain(d.query, e.value));
      if (i < 0) return true;
      entries[i]!.dns_queries++;
      dnsQueries++;
      return false;
    });
    kept.push(dns.length === f.app.dns.length ? f : { conn: f.conn, app: { ...f.app, dns } });
  }
  return { kept, suppressed: { conns, dns_queries: dnsQueries, entries } };
}

function connMatches(e: AllowEntry, c: ConnRecord, app: FlowApp, nameOf: (c: ConnRecord) => string): boolean {
  switch (e.type) {
    case 'cidr': return cidrContains(e.cidr, c.orig_h) || cidrContains(e.cidr, c.resp_h);
    case 'domain': { const n = nameOf(c); return n !== '' && underDomain(n, e.value); }
    case 'ja3': return app.tls.some((t) => t.ja3.toLowerCase() === e.value);
    case 'ja4': return app.tls.some((t) => t.ja4.toLowerCase() === e.value);
    case 'ja4h': return app.http.some((h) => h.ja4h.toLowerCase() === e.value);
  }
}
