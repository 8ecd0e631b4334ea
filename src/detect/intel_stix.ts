/**
 * STIX 2.x bundles as intel lists (OASIS STIX 2.1 §9, the patterning language): every `indicator` object with
 * `pattern_type` stix (or none, as in 2.0) whose pattern is one or more equality comparisons joined by OR, within one
 * observation (`[a = 'x' OR b = 'y']`) or between observations (`[a = 'x'] OR [b = 'y']`); parentheses only group.
 * That is how feeds write lists of addresses, domains and URLs. A pattern with AND, another operator (LIKE, MATCHES,
 * IN, !=), a qualifier (WITHIN, REPEATS, START) or FOLLOWEDBY needs an evaluator over observed data, not a list: it is
 * counted as left out. Object paths map to nad's types:
 *   ipv4-addr:value, ipv6-addr:value, network-traffic:dst_ref.value, network-traffic:src_ref.value  address or CIDR
 *   domain-name:value                                                                             domain
 *   url:value                                                                                     URL
 *   x509-certificate:hashes.'SHA-1'                                                               certificate SHA-1
 * The source is the name of the identity in `created_by_ref` (else the file's name), the description the indicator's
 * name, the reference the first URL of its external_references. Revoked indicators are left out; validity windows are not applied (the capture's time is what counts, and a
 * responder may be looking back at an old one).
 */
import type { IntelType } from './intel_list.js';

/** One comparison of an indicator, or why the indicator (or this comparison) is left out. */
export interface StixEntry {
  where: string;
  entry: { type: IntelType; value: string; source: string; desc: string; url: string } | string;
}

type Token = { k: 'punct'; v: '[' | ']' | '(' | ')' } | { k: 'word'; v: string } | { k: 'string'; v: string } | { k: 'other'; v: string };

/** Splits a pattern into tokens; null when a string literal is not closed. */
function tokens(pattern: string): Token[] | null {
  const out: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if (c === '[' || c === ']' || c === '(' || c === ')') { out.push({ k: 'punct', v: c }); i++; continue; }
    if (c === "'") {
      // §9.3: a string constant in single quotes; \' and \\ are its only escapes.
      let v = '';
      i++;
      for (;;) {
        if (i >= pattern.length) return null;
        const d = pattern[i]!;
        if (d === '\\' && i + 1 < pattern.length) { v += pattern[i + 1]; i += 2; continue; }
        if (d === "'") { i++; break; }
        v += d;
        i++;
      }
      out.push({ k: 'string', v });
      continue;
    }
    // An object path (with quoted parts such as hashes.'SHA-1'), a keyword or an operator: up to the next space or bracket.
    let w = '';
    while (i < pattern.length && !' \t\r\n]()'.includes(pattern[i]!)) {
      if (pattern[i] === '[') {
        // A list index inside an object path (`resolves_to_refs[*].value`, `values[0]`) is part of the path; a bracket
        // after a space or at the start opens an observation.
        const close = pattern.indexOf(']', i);
        if (w === '' || close < 0) break;
        w += pattern.slice(i, close + 1);
        i = close + 1;
        continue;
      }
      if (pattern[i] === "'") {
        const close = pattern.indexOf("'", i + 1);
        if (close < 0) return null;
        w += pattern.slice(i, close + 1);
        i = close + 1;
        continue;
      }
      w += pattern[i];
      i++;
    }
    out.push({ k: /^[a-z0-9-]+:/i.test(w) || w === 'OR' || w === '=' ? 'word' : 'other', v: w });
  }
  return out;
}

/** The (object path, value) pairs of a pattern made of OR'd equalities, or why it is not one. */
export function stixEqualities(pattern: string): { path: string; value: string }[] | string {
  const t = tokens(pattern);
  if (t === null) return 'STIX pattern with an unclosed string';
  const flat = t.filter((x) => !(x.k === 'punct' && (x.v === '(' || x.v === ')')));
  const out: { path: string; value: string }[] = [];
  let i = 0;
  let depth = 0;
  let expectTerm = true;
  while (i < flat.length) {
    const x = flat[i]!;
    if (x.k === 'other') return `STIX pattern with ${x.v.toUpperCase()}`;
    if (x.k === 'punct' && x.v === '[') { if (!expectTerm || depth > 0) return 'STIX pattern malformed'; depth = 1; i++; continue; }
    if (x.k === 'punct' && x.v === ']') { if (expectTerm || depth === 0) return 'STIX pattern malformed'; depth = 0; i++; continue; }
    if (x.k === 'word' && x.v === 'OR') { if (expectTerm) return 'STIX pattern malformed'; expectTerm = true; i++; continue; }
    // A comparison: path = 'value', inside an observation.
    const op = flat[i + 1];
    const val = flat[i + 2];
    if (depth === 0 || !expectTerm || x.k !== 'word' || op?.v !== '=') return op !== undefined && op.k === 'other' ? `STIX pattern with ${op.v.toUpperCase()}` : 'STIX pattern malformed';
    if (val?.k !== 'string') return 'STIX pattern with a non-string constant';
    out.push({ path: x.v, value: val.v });
    expectTerm = false;
    i += 3;
  }
  if (depth !== 0 || expectTerm) return 'STIX pattern malformed';
  return out;
}

/** nad's type for a STIX object path, or null. */
function typeOf(path: string, value: string): IntelType | null {
  const p = path.replace(/\s+/g, '');
  if (p === 'ipv4-addr:value' || p === 'ipv6-addr:value' || p === 'network-traffic:dst_ref.value' || p === 'network-traffic:src_ref.value') {
    return value.includes('/') ? 'subnet' : 'addr';
  }
  if (p === 'domain-name:value') return 'domain';
  if (p === 'url:value') return 'url';
  if (p === 'email-addr:value' || p === 'email-message:from_ref.value' || p === 'email-message:sender_ref.value') return 'email';
  if (p === 'user-account:user_id' || p === 'user-account:account_login') return 'user_name';
  if (p === 'file:name') return 'file_name';
  if (/^x509-certificate:hashes\.'?(SHA-1|SHA1)'?$/i.test(p)) return 'cert_hash';
  if (/^file:hashes\.'?(SHA-256|SHA256|MD5)'?$/i.test(p)) return 'file_hash';
  return null;
}

/** Every usable comparison of every indicator of a STIX bundle (JSON text), and what was left out, by indicator. */
export function stixEntries(text: string, path: string, fileName: string): StixEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  const objects = (doc as { type?: unknown; objects?: unknown } | null)?.objects;
  if ((doc as { type?: unknown } | null)?.type !== 'bundle' || !Array.isArray(objects)) throw new Error(`${path}: JSON but not a STIX bundle (no "type": "bundle" with "objects")`);
  const identities = new Map<string, string>();
  for (const o of objects as Record<string, unknown>[]) {
    if (o?.['type'] === 'identity' && typeof o['id'] === 'string' && typeof o['name'] === 'string') identities.set(o['id'], o['name']);
  }
  const out: StixEntry[] = [];
  for (const o of objects as Record<string, unknown>[]) {
    if (o === null || typeof o !== 'object' || o['type'] !== 'indicator') continue;
    const where = `indicator ${typeof o['id'] === 'string' ? o['id'] : '(no id)'}`;
    if (o['revoked'] === true) { out.push({ where, entry: 'STIX indicator revoked' }); continue; }
    const ptype = o['pattern_type'];
    if (ptype !== undefined && ptype !== 'stix') { out.push({ where, entry: `STIX pattern_type ${String(ptype)}` }); continue; }
    if (typeof o['pattern'] !== 'string') { out.push({ where, entry: 'STIX indicator without a pattern' }); continue; }
    const eq = stixEqualities(o['pattern']);
    if (typeof eq === 'string') { out.push({ where, entry: eq }); continue; }
    const by = typeof o['created_by_ref'] === 'string' ? identities.get(o['created_by_ref']) : undefined;
    const source = by ?? fileName;
    const desc = typeof o['name'] === 'string' ? o['name'] : typeof o['description'] === 'string' ? o['description'] : '';
    const refs = Array.isArray(o['external_references']) ? (o['external_references'] as Record<string, unknown>[]) : [];
    const ref = refs.find((r) => r !== null && typeof r === 'object' && typeof r['url'] === 'string');
    const url = ref === undefined ? '' : String(ref['url']);
    for (const { path: p, value } of eq) {
      const type = typeOf(p, value);
      out.push({ where, entry: type === null ? `STIX ${p.split(':')[0]}` : { type, value, source, desc, url } });
    }
  }
  return out;
}
