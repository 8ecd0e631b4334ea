/**
 * Registered domain (eTLD+1) of a name, public-suffix aware through tldts. Names with no known public suffix are
 * handled too: `x.pirate.sea` → `pirate.sea` (a short alphabetic last label is taken as a private TLD), while a name
 * whose last label looks like data (dnscat's direct mode: `dnscat.<hex>.<hex>`) has no parent domain, so its first
 * label is the key (`dnscat`).
 */
import { parse } from 'tldts';

/** A last label that reads like a TLD: 2–12 letters (private TLDs such as `sea`, `lan`, `corp`, `local` qualify). */
const TLD_LIKE = /^[a-z]{2,12}$/;

export interface DomainParts {
  /** Registered domain, or the first label of a name with no parent domain; '' for an empty name or an address. */
  domain: string;
  /** Labels left of the registered domain, joined by dots ('' when none). */
  subdomain: string;
}

export function splitDomain(name: string): DomainParts {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (n === '') return { domain: '', subdomain: '' };
  const labels = n.split('.');
  const last = labels[labels.length - 1]!;
  const p = parse(n, { allowPrivateDomains: true });
  if (p.isIp === true) return { domain: '', subdomain: '' };
  if (p.isIcann !== true && p.isPrivate !== true && !TLD_LIKE.test(last)) {
    return { domain: labels[0]!, subdomain: labels.slice(1).join('.') };
  }
  if (p.domain !== null && p.domain !== '') return { domain: p.domain, subdomain: p.subdomain ?? '' };
  if (labels.length >= 2) return { domain: labels.slice(-2).join('.'), subdomain: labels.slice(0, -2).join('.') };
  return { domain: n, subdomain: '' };
}

/** name → registered domain: detectors ask for the same few names once per connection. Bounded. */
const DOMAIN_CACHE = new Map<string, string>();

export function registeredDomain(name: string): string {
  let d = DOMAIN_CACHE.get(name);
  if (d === undefined) {
    d = splitDomain(name).domain;
    if (DOMAIN_CACHE.size >= 100_000) DOMAIN_CACHE.clear();
    DOMAIN_CACHE.set(name, d);
  }
  return d;
}
