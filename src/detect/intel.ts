/**
 * Threat-intelligence matches (`--intel FILE`, intel_list.ts): every flow and application record checked against the
 * responder's indicators, where Zeek's Intel framework looks for them (its `seen` scripts):
 *   addresses and subnets   the connection's two ends (flows.csv id.orig_h / id.resp_h), A/AAAA answers (dns.answers)
 *   domains                 DNS query names and CNAME targets, TLS SNI, HTTP Host; the name and every name below it
 *   URLs                    HTTP host + URI (Zeek's HTTP::IN_URL form); an indicator without `?` also matches any query
 *   software                HTTP User-Agent, SSH client and server banners (exact, as Zeek compares them)
 *   file names              the last path segment of HTTP request URIs and FTP transfers, SMTP attachment names (exact)
 *   e-mail addresses        SMTP envelope (MAIL FROM, RCPT TO) and From, To, Cc, Reply-To headers (smtp.csv); login
 *                           names that are addresses (credentials.csv: an infostealer's exfiltration mailbox)
 *   user names              FTP users (ftp.csv), logins sent in the clear (credentials.csv) (exact)
 *   certificate hashes      the server certificate's SHA-1 (tls.csv cert_sha1)
 *   file hashes             MD5 and SHA-256 of HTTP response bodies seen whole (http.csv resp_md5, resp_sha256), SHA-256
 *                           of request bodies (orig_sha256), MD5 and SHA-256 of FTP transfers' files (ftp.csv) and of mail
 *                           attachments (smtp.csv)
 *   fingerprints            JA3, JA3S, JA4, JA4S, JA4X (tls.csv), JA4H (http.csv), HASSH, HASSHServer (ssh.csv)
 * A hit is one entity (source, and destination name when one is known, else address), as the other detectors key
 * theirs, so a listed C2 name that also beacons is one finding. Its score is 0.8 (high): the list is the analyst's
 * own evidence, and nad does not grade feeds. The evidence names each indicator, where it was seen and its source.
 */
import { transferFileName } from '../app/ftp.js';
import type { ConnRecord } from '../flow/conn.js';
import type { CredentialRecord, FlowApp, FlowRef, FtpRecord, SmtpRecord } from '../app/records.js';
import { cidrNetworkKey, networkKey } from '../features/address.js';
import { compareText } from '../features/stats.js';
import type { Evidence } from '../findings/finding.js';
import { entityKey, shared } from '../findings/merge.js';
import type { DetectContext, Detector, RawFinding } from './detector.js';
import { addrKey, domainKey, SCHEME, urlKey, zeekTypeName, type IntelItem, type IntelList } from './intel_list.js';

/** Score of a hit: high (severity.ts), whatever else fired. */
export const INTEL_SCORE = 0.8;
/** Indicators listed in one finding's evidence (the count says how many matched). */
const MAX_LISTED = 20;

/**
 * One indicator seen in one flow: a row of intel.csv, as a row of Zeek's intel.log, with the list's own indicator
 * beside what was seen (a listed domain matches the names below it).
 */
export interface IntelMatch extends FlowRef {
  /** Time of the record it was seen in (query, hello, request), or of the flow's first packet for its two addresses. */
  ts: string;
  /** Transport of the flow: tcp, udp, icmp or other. */
  proto: string;
  /** What the capture showed, as it showed it: the address, name, URL, user agent or fingerprint (Zeek's seen.indicator). */
  seen_indicator: string;
  /** Type of the indicator as Zeek names it (Intel::DOMAIN, Intel::ADDR …); Zeek's seen.indicator_type. */
  seen_indicator_type: string;
  /** Where it was seen: the export and column (flows.id.resp_h, dns.query, tls.server_name, http.uri …); Zeek's seen.where. */
  seen_where: string;
  /** The list's indicator that matched, as the file wrote it. */
  indicator: string;
  /** meta.source of the list entry (a plain list's file name); Zeek's sources. */
  sources: string;
  /** meta.desc of the list entry, '' when none. */
  desc: string;
  /** meta.url of the list entry (a STIX indicator's external reference), '' when none. */
  url: string;
}

/** One indicator seen in a flow; `name` is the host the flow names there (SNI, Host, DNS query), '' for the rest;
 *  `value` and `ts` are what and when, for intel.csv. */
interface Match { item: IntelItem; where: string; name: string; value: string; ts: string }
interface Seen { conn: ConnRecord; matches: Match[] }
/** Distinct names under one listed domain that one client may look up before they are one entity (the listed
 *  domain): a DNS tunnel's hundreds of subdomains are one finding, not hundreds. */
const MAX_NAMES_PER_DOMAIN = 5;

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l === undefined) m.set(k, [v]);
  else l.push(v);
}

/** The subnets of one prefix length, by masked network. */
interface PrefixSet { v6: boolean; prefix: number; nets: Map<string, IntelItem[]> }

/** The indicators, indexed by what they match. */
class IntelIndex {
  readonly addrs = new Map<string, IntelItem[]>();
  readonly prefixes: PrefixSet[] = [];
  readonly domains = new Map<string, IntelItem[]>();
  readonly urls = new Map<string, IntelItem[]>();
  /** `${type}:${key}` for software and fingerprints. */
  readonly exact = new Map<string, IntelItem[]>();
  /** Address text → its items, so each distinct address is tested once. */
  readonly #addrMemo = new Map<string, IntelItem[]>();

  constructor(list: IntelList) {
    for (const it of list.items) {
      if (it.type === 'addr') push(this.addrs, it.key, it);
      else if (it.type === 'subnet' && it.cidr !== undefined) {
        const { v6, prefix } = it.cidr;
        let set = this.prefixes.find((p) => p.v6 === v6 && p.prefix === prefix);
        if (set === undefined) { set = { v6, prefix, nets: new Map() }; this.prefixes.push(set); }
        push(set.nets, cidrNetworkKey(it.cidr), it);
      } else if (it.type === 'domain') push(this.domains, it.key, it);
      else if (it.type === 'url') push(this.urls, it.key, it);
      else push(this.exact, `${it.type}:${it.key}`, it);
    }
  }

  address(ip: string): readonly IntelItem[] {
    let hit = this.#addrMemo.get(ip);
    if (hit === undefined) {
      hit = [...(this.addrs.get(addrKey(ip)) ?? [])];
      for (const p of this.prefixes) {
        const k = networkKey(ip, p.v6, p.prefix);
        if (k !== null) hit.push(...(p.nets.get(k) ?? []));
      }
      if (this.#addrMemo.size > 1_000_000) this.#addrMemo.clear();
      this.#addrMemo.set(ip, hit);
    }
    return hit;
  }

  /** Items for the name and every parent name (a listed domain covers its subdomains). */
  domain(name: string): IntelItem[] {
    if (this.domains.size === 0 || name === '') return [];
    const out: IntelItem[] = [];
    let n = domainKey(name);
    for (;;) {
      const hit = this.domains.get(n);
      if (hit !== undefined) out.push(...hit);
      const dot = n.indexOf('.');
      if (dot < 0) return out;
      n = n.slice(dot + 1);
    }
  }

  /** Items for a request's URL (`host/uri` or a proxy's absolute URI); without a `?`, an item matches any query. */
  url(url: string): IntelItem[] {
    if (this.urls.size === 0 || url === '') return [];
    const key = urlKey(url);
    const q = key.indexOf('?');
    const full = this.urls.get(key) ?? [];
    return q < 0 ? full : [...full, ...(this.urls.get(key.slice(0, q)) ?? [])];
  }

  exactly(type: string, value: string): readonly IntelItem[] {
    if (value === '' || this.exact.size === 0) return [];
    // Banners, file names and user names are compared as written (as Zeek compares them); the rest in lower case.
    return this.exact.get(`${type}:${type === 'software' || type === 'file_name' || type === 'user_name' ? value : value.toLowerCase()}`) ?? [];
  }
}

/** Every indicator the flow's connection and records show, with where. */
function intelMatches(index: IntelIndex, conn: ConnRecord, app: FlowApp): Seen | null {
  const matches: Match[] = [];
  const add = (items: readonly IntelItem[], where: string, value: string, ts: string, name = ''): void => {
    for (const item of items) matches.push({ item, where, name, value, ts });
  };
  add(index.address(conn.orig_h), 'flows.id.orig_h', conn.orig_h, conn.ts);
  add(index.address(conn.resp_h), 'flows.id.resp_h', conn.resp_h, conn.ts);
  for (const t of app.tls) {
    const sni = domainKey(t.server_name);
    add(index.domain(sni), 'tls.server_name', t.server_name, t.ts, sni);
    add(index.exactly('ja3', t.ja3), 'tls.ja3', t.ja3, t.ts);
    add(index.exactly('ja3s', t.ja3s), 'tls.ja3s', t.ja3s, t.ts);
    add(index.exactly('ja4', t.ja4), 'tls.ja4', t.ja4, t.ts);
    add(index.exactly('ja4s', t.ja4s), 'tls.ja4s', t.ja4s, t.ts);
    add(index.exactly('ja4x', t.ja4x), 'tls.ja4x', t.ja4x, t.ts);
    add(index.exactly('cert_hash', t.cert_sha1), 'tls.cert_sha1', t.cert_sha1, t.ts);
  }
  for (const h of app.http) {
    const host = domainKey(h.host.replace(/:\d+$/, ''));
    add(index.domain(host), 'http.host', h.host, h.ts, host);
    // A proxy request's URI is absolute: it names its own host. Matched with the Host's port dropped; shown as sent.
    const absolute = SCHEME.test(h.uri);
    const path = h.uri.startsWith('/') ? h.uri : `/${h.uri}`;
    add(index.url(absolute ? h.uri : host === '' ? '' : `${host}${path}`), 'http.uri', absolute ? h.uri : `${h.host}${path}`, h.ts, host);
    add(index.exactly('software', h.user_agent), 'http.user_agent', h.user_agent, h.ts);
    const file = fileNameOf(h.uri);
    add(index.exactly('file_name', file), 'http.uri', file, h.ts, host);
    add(index.exactly('ja4h', h.ja4h), 'http.ja4h', h.ja4h, h.ts);
    add(index.exactly('file_hash', h.resp_md5), 'http.resp_md5', h.resp_md5, h.ts, host);
    add(index.exactly('file_hash', h.resp_sha256), 'http.resp_sha256', h.resp_sha256, h.ts, host);
    add(index.exactly('file_hash', h.orig_sha256), 'http.orig_sha256', h.orig_sha256, h.ts, host);
    for (const f of h.orig_file_sha256) add(index.exactly('file_hash', f), 'http.orig_file_sha256', f, h.ts, host);
    for (const f of h.orig_filenames) add(index.exactly('file_name', f), 'http.orig_filenames', f, h.ts, host);
  }
  for (const s of app.ssh) {
    add(index.exactly('software', s.client), 'ssh.client', s.client, s.ts);
    add(index.exactly('software', s.server), 'ssh.server', s.server, s.ts);
    add(index.exactly('hassh', s.hassh), 'ssh.hassh', s.hassh, s.ts);
    add(index.exactly('hassh_server', s.hassh_server), 'ssh.hassh_server', s.hassh_server, s.ts);
  }
  for (const d of app.dns) {
    // The name looked up, for answers too: the entity is the name, not the resolver that was asked.
    const q = domainKey(d.query);
    add(index.domain(q), 'dns.query', d.query, d.ts, q);
    // Answers as Zeek's seen scripts take them: addresses (A/AAAA), and CNAME targets as names; not NS, MX or PTR
    // data, which name the resolver's infrastructure rather than what the client asked for.
    for (let i = 0; i < d.answers.length; i++) {
      const a = d.answers[i]!;
      const type = d.answer_types[i];
      if (type === 'A' || type === 'AAAA') add(index.address(a), 'dns.answers', a, d.ts, q);
      else if (type === 'CNAME') add(index.domain(a), 'dns.answers', a, d.ts, q);
    }
  }
  return matches.length === 0 ? null : { conn, matches };
}

/** E-mail addresses in a header value (`"Name" <a@b.example>, c@d.example`). */
function addresses(value: string): string[] {
  return value.match(/[^\s<>"',;:()[\]]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+/g) ?? [];
}

/**
 * The matches of the cleartext records (ftp.csv, smtp.csv, credentials.csv), by flow uid: they reach the detector with
 * the context, not with each flow.
 */
function recordMatches(index: IntelIndex, ftp: readonly FtpRecord[], smtp: readonly SmtpRecord[], creds: readonly CredentialRecord[]): Map<string, Match[]> {
  const out = new Map<string, Match[]>();
  const add = (uid: string, items: readonly IntelItem[], where: string, value: string, ts: string): void => {
    if (items.length === 0) return;
    let list = out.get(uid);
    if (list === undefined) { list = []; out.set(uid, list); }
    for (const item of items) list.push({ item, where, name: '', value, ts });
  };
  const emails = (uid: string, where: string, values: readonly string[], ts: string): void => {
    for (const v of values) for (const a of addresses(v)) add(uid, index.exactly('email', a), where, a, ts);
  };
  for (const r of ftp) {
    add(r.uid, index.exactly('user_name', r.user), 'ftp.user', r.user, r.ts);
    add(r.uid, index.exactly('file_hash', r.md5), 'ftp.md5', r.md5, r.ts);
    add(r.uid, index.exactly('file_hash', r.sha256), 'ftp.sha256', r.sha256, r.ts);
    if (r.arg.startsWith('ftp://')) {
      const file = transferFileName(r.arg);
      add(r.uid, index.exactly('file_name', file), 'ftp.arg', file, r.ts);
    }
  }
  for (const m of smtp) {
    emails(m.uid, 'smtp.mailfrom', [m.mailfrom], m.ts);
    emails(m.uid, 'smtp.rcptto', m.rcptto, m.ts);
    emails(m.uid, 'smtp.from', [m.from], m.ts);
    emails(m.uid, 'smtp.to', m.to, m.ts);
    emails(m.uid, 'smtp.cc', m.cc, m.ts);
    emails(m.uid, 'smtp.reply_to', [m.reply_to], m.ts);
    for (const a of m.attachments) add(m.uid, index.exactly('file_name', a), 'smtp.attachments', a, m.ts);
    for (const h of m.attachment_md5) add(m.uid, index.exactly('file_hash', h), 'smtp.attachment_md5', h, m.ts);
    for (const h of m.attachment_sha256) add(m.uid, index.exactly('file_hash', h), 'smtp.attachment_sha256', h, m.ts);
  }
  for (const c of creds) {
    add(c.uid, index.exactly('user_name', c.username), 'credentials.username', c.username, c.ts);
    emails(c.uid, 'credentials.username', [c.username], c.ts);
  }
  return out;
}

/** The file name an HTTP URI asks for: its last path segment, percent-decoded where that is valid; '' for a directory. */
function fileNameOf(uri: string): string {
  const path = (SCHEME.test(uri) ? uri.replace(SCHEME, '').replace(/^[^/]*/, '') : uri).split(/[?#]/)[0] ?? '';
  const last = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** The intel.csv rows of the matches: by time, then flow, column and indicator. */
function matchRows(seen: readonly Seen[]): IntelMatch[] {
  const rows: IntelMatch[] = [];
  for (const { conn: c, matches } of seen) {
    for (const m of matches) {
      rows.push({
        ts: m.ts, uid: c.uid, community_id: c.community_id, orig_h: c.orig_h, orig_p: c.orig_p, resp_h: c.resp_h, resp_p: c.resp_p,
        proto: c.proto, seen_indicator: m.value, seen_indicator_type: zeekTypeName(m.item.type), seen_where: m.where,
        indicator: m.item.indicator, sources: m.item.source, desc: m.item.desc, url: m.item.url,
      });
    }
  }
  return rows.sort((a, b) => Number(a.ts) - Number(b.ts) || compareText(a.uid, b.uid) || compareText(a.seen_where, b.seen_where) ||
    compareText(a.seen_indicator, b.seen_indicator) || compareText(a.indicator, b.indicator) || compareText(a.sources, b.sources));
}

interface Entity { src: string; name: string; conns: Map<string, ConnRecord>; items: Map<IntelItem, Set<string>>; looked_up_only: boolean }

function describe(e: Entity): RawFinding {
  const conns = [...e.conns.values()].sort((a, b) => Number(a.ts) - Number(b.ts) || compareText(a.uid, b.uid));
  const dst = shared(conns.map((c) => c.resp_h), '');
  const items = [...e.items.keys()].sort((a, b) => compareText(a.type, b.type) || compareText(a.key, b.key) || compareText(a.source, b.source));
  const evidence: Evidence[] = items.slice(0, MAX_LISTED).map((it) => ({
    name: 'indicator',
    value: `${zeekTypeName(it.type)} ${it.indicator}`,
    note: `seen in ${[...e.items.get(it)!].sort().join(', ')}; source ${it.source}${it.desc === '' ? '' : `: ${it.desc}`}${it.url === '' ? '' : `; ${it.url}`}`,
  }));
  evidence.push({ name: 'indicators_matched', value: items.length }, { name: 'connections', value: conns.length }, { name: 'intel_score', value: INTEL_SCORE });
  const lead = items[0]!;
  const target = e.name !== '' ? e.name : dst !== '' ? dst : conns[0]!.resp_h;
  const sources = [...new Set(items.map((it) => it.source))].sort();
  const more = items.length > 1 ? ` and ${items.length - 1} more indicator${items.length > 2 ? 's' : ''}` : '';
  return {
    detector: 'intel', kind: 'intel', src: e.src, dst, dst_port: shared<number | null>(conns.map((c) => c.resp_p), null), proto: conns[0]!.proto, name: e.name,
    score: INTEL_SCORE, conns, evidence,
    reason: `${e.src} ${e.looked_up_only ? 'looked up' : 'talked to'} ${target}: ${zeekTypeName(lead.type)} ${lead.indicator}${more} ` +
      `${items.length > 1 ? 'are' : 'is'} on the intel list${sources.length > 1 ? 's' : ''} ${sources.join(', ')}.`,
  };
}

/** The intel detector: the Detector interface, plus the matches for intel.csv after finish. */
export interface IntelDetector extends Detector {
  matches(): IntelMatch[];
}

export function createIntelDetector(list: IntelList): IntelDetector {
  const index = new IntelIndex(list);
  const seen: Seen[] = [];
  // Flows kept for the cleartext records' matches, only when the lists hold a type those records show.
  const recordTypes = list.items.some((it) => it.type === 'email' || it.type === 'user_name' || it.type === 'file_name' || it.type === 'file_hash');
  const byUid = new Map<string, ConnRecord>();
  return {
    id: 'intel',
    observe(conn: ConnRecord, app: FlowApp): void {
      const s = intelMatches(index, conn, app);
      if (s !== null) seen.push(s);
      if (recordTypes) byUid.set(conn.uid, conn);
    },
    finish(ctx: DetectContext): RawFinding[] {
      if (recordTypes) {
        const bySeen = new Map(seen.map((s) => [s.conn.uid, s]));
        for (const [uid, matches] of recordMatches(index, ctx.ftp, ctx.smtp, ctx.credentials)) {
          const conn = byUid.get(uid);
          if (conn === undefined) continue; // allow-listed
          const s = bySeen.get(uid);
          if (s !== undefined) s.matches.push(...matches);
          else {
            const added = { conn, matches };
            seen.push(added);
            bySeen.set(uid, added);
          }
        }
        byUid.clear();
      }
      // Names one client looked up under each listed domain; past MAX_NAMES_PER_DOMAIN they are the listed domain.
      const namesUnder = new Map<string, Set<string>>();
      for (const s of seen) {
        for (const m of s.matches) {
          if (m.item.type === 'domain' && m.name !== '') {
            const k = `${s.conn.orig_h}|${m.item.key}`;
            let set = namesUnder.get(k);
            if (set === undefined) { set = new Set(); namesUnder.set(k, set); }
            set.add(m.name);
          }
        }
      }
      const entityName = (s: Seen): string => {
        for (const m of s.matches) {
          if (m.name === '') continue;
          const many = m.item.type === 'domain' && (namesUnder.get(`${s.conn.orig_h}|${m.item.key}`)?.size ?? 0) > MAX_NAMES_PER_DOMAIN;
          return many ? m.item.key : m.name;
        }
        return ctx.names.nameOf(s.conn);
      };
      const entities = new Map<string, Entity>();
      for (const s of seen) {
        const name = entityName(s);
        const src = s.conn.orig_h;
        const key = entityKey({ src, name, dst: s.conn.resp_h, dst_port: null, kind: 'intel', proto: '' });
        let e = entities.get(key);
        if (e === undefined) { e = { src, name, conns: new Map(), items: new Map(), looked_up_only: true }; entities.set(key, e); }
        e.conns.set(s.conn.uid, s.conn);
        for (const m of s.matches) {
          let where = e.items.get(m.item);
          if (where === undefined) { where = new Set(); e.items.set(m.item, where); }
          where.add(m.where);
          if (!m.where.startsWith('dns.')) e.looked_up_only = false;
        }
      }
      return [...entities.keys()].sort(compareText).map((k) => describe(entities.get(k)!));
    },
    matches(): IntelMatch[] {
      return matchRows(seen);
    },
    stats(): Record<string, number> {
      const items = new Set(seen.flatMap((s) => s.matches.map((m) => m.item)));
      return { indicators: list.items.length, indicators_matched: items.size, flows_matched: seen.length };
    },
  };
}
