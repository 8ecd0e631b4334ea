/**
 * Destination names for connections, as RITA groups beacons by FQDN: the TLS SNI, else the HTTP Host, else the
 * name the same client resolved to that address (latest DNS answer before the connection), else ''.
 */
import type { ConnRecord } from '../flow/conn.js';
import type { FlowApp } from '../app/records.js';

/** Answers that are addresses: the A/AAAA rows of DNS records. */
const ADDRESS = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)$/i;

interface Resolution { ts: number; name: string }

export class NameIndex {
  /** `${client}|${address}` → resolutions ascending by time. */
  readonly #byClient = new Map<string, Resolution[]>();
  /** address → resolutions by any client (a forwarder or cache may resolve for others). */
  readonly #byAddress = new Map<string, Resolution[]>();
  /** uid → name: the flow's own TLS/HTTP name (set by `add`), else the answer of nameOf, kept because every detector
   *  asks for the same connections. One map, so a connection costs one lookup. */
  readonly #names = new Map<string, string>();

  /** Feed one flow's records; call for every flow before asking `nameOf`. */
  add(conn: ConnRecord, app: FlowApp): void {
    const own = ownName(app);
    if (own !== '') this.#names.set(conn.uid, own);
    for (const d of app.dns) {
      const name = d.query.toLowerCase().replace(/\.$/, '');
      if (name === '') continue;
      const ts = Number(d.ts);
      for (let i = 0; i < d.answers.length; i++) {
        const a = d.answers[i]!;
        if (!ADDRESS.test(a)) continue;
        push(this.#byClient, `${d.orig_h}|${a.toLowerCase()}`, { ts, name });
        push(this.#byAddress, a.toLowerCase(), { ts, name });
      }
    }
  }

  /** Sort the resolution lists; call once after the last `add`. */
  seal(): void {
    for (const list of this.#byClient.values()) list.sort(byTsThenName);
    for (const list of this.#byAddress.values()) list.sort(byTsThenName);
  }

  /** The destination name of a connection, '' when none is known. */
  nameOf(conn: ConnRecord): string {
    const known = this.#names.get(conn.uid);
    if (known !== undefined) return known;
    const resp = conn.resp_h.toLowerCase();
    // Every client's resolution is also under its address: an address nobody resolved needs no more lookups.
    const anyClient = this.#byAddress.get(resp);
    const name = anyClient === undefined ? '' : latestBefore(this.#byClient.get(`${conn.orig_h}|${resp}`) ?? anyClient, Number(conn.ts));
    this.#names.set(conn.uid, name);
    return name;
  }

  /** Every name any client resolved to an address (sorted), for reports and novelty checks. */
  namesOfAddress(address: string): string[] {
    return [...new Set((this.#byAddress.get(address.toLowerCase()) ?? []).map((r) => r.name))].sort();
  }
}

/** SNI or HTTP Host (without port) of the flow's own records. */
export function ownName(app: FlowApp): string {
  for (const t of app.tls) if (t.server_name !== '') return t.server_name.toLowerCase().replace(/\.$/, '');
  for (const h of app.http) {
    const host = stripPort(h.host.toLowerCase());
    if (host !== '' && !isIpLiteral(host)) return host;
  }
  return '';
}

export function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']') > 0 ? host.indexOf(']') : undefined);
  const colon = host.indexOf(':');
  return colon >= 0 && host.indexOf(':', colon + 1) < 0 ? host.slice(0, colon) : host;
}

export function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

function push(map: Map<string, Resolution[]>, key: string, r: Resolution): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [r]);
  else list.push(r);
}

function byTsThenName(a: Resolution, b: Resolution): number {
  return a.ts - b.ts || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The latest resolution at or before ts; else the earliest after it (answer logged after a fast connect). Binary search.
 *  Lists are never empty (made with their first resolution). */
function latestBefore(list: readonly Resolution[], ts: number): string {
  let lo = 0;
  let hi = list.length; // first index with r.ts > ts
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.ts <= ts) lo = mid + 1;
    else hi = mid;
  }
  return (lo > 0 ? list[lo - 1]! : list[0]!).name;
}
