// DNS tunnel detector. Query names are in the shape the tunnel tools write them (iodine's base32 `t1` labels and NULL
// queries, dnscat2's hex labels, dnscat direct mode with no parent domain), generated here from a seeded RNG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDnsTunnelDetector, tunnelStats } from '../../src/detect/dns_tunnel.js';
import { splitDomain } from '../../src/detect/domain.js';
import { NameIndex } from '../../src/features/names.js';
import { createContext } from '../../src/detect/detector.js';
import { conn, dns, rng } from './synth.js';

const T0 = 1_700_000_000;

function randomLabel(r: () => number, alphabet: string, len: number): string {
  return Array.from({ length: len }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
}

test('registered domain: public suffixes, private TLDs and names with no parent', () => {
  assert.deepEqual(splitDomain('yrb0pe.t1.biillpi.com'), { domain: 'biillpi.com', subdomain: 'yrb0pe.t1' });
  assert.deepEqual(splitDomain('www.bbc.co.uk'), { domain: 'bbc.co.uk', subdomain: 'www' });
  assert.deepEqual(splitDomain('vaaaakardli.pirate.sea'), { domain: 'pirate.sea', subdomain: 'vaaaakardli' });
  assert.deepEqual(splitDomain('dnscat.546b03f50000000000a6023ed4df184d6ac5.5a03b5b1e1aa8f8f'),
    { domain: 'dnscat', subdomain: '546b03f50000000000a6023ed4df184d6ac5.5a03b5b1e1aa8f8f' });
  assert.equal(splitDomain('10.1.2.3').domain, '');
});

function run(names: { q: string; qtype: number }[]): ReturnType<ReturnType<typeof createDnsTunnelDetector>['finish']> {
  const d = createDnsTunnelDetector();
  names.forEach(({ q, qtype }, i) => {
    const c = conn({ ts: T0 + i * 0.5, resp_h: '10.0.0.53', resp_p: 53, proto: 'udp', service: 'dns' });
    d.observe(c, { dns: [dns(c, q, qtype)], tls: [], http: [], ssh: [] });
  });
  const n = new NameIndex();
  n.seal();
  return d.finish(createContext({ conns: [], names: n, first_ts: T0, last_ts: T0 + 3600 }));
}

test('iodine-like: 200 base32 subdomains with NULL queries scores high', () => {
  const r = rng(1);
  const hits = run(Array.from({ length: 200 }, () => ({ q: `${randomLabel(r, 'abcdefghijklmnopqrstuvwxyz0123456789', 40)}.t1.tun.example.org`, qtype: 10 })));
  assert.equal(hits.length, 1);
  assert.equal(hits[0]!.name, 'example.org');
  assert.equal(hits[0]!.dst, '10.0.0.53');
  // payload: p75 length 42 → 0.6·1; entropy of 40 random chars of 36 ≈ 4.9 bits → 0.4·1 → 1; volume log10(200)/2 = 1
  assert.ok(hits[0]!.score >= 0.95, String(hits[0]!.score));
});

test('small dnscat2-like burst: 12 hex subdomains over MX/TXT/CNAME is still medium', () => {
  const r = rng(2);
  const types = [15, 16, 5];
  const hits = run(Array.from({ length: 12 }, (_, i) => ({ q: `${randomLabel(r, '0123456789abcdef', 34)}.biillpi.com`, qtype: types[i % 3]! })));
  // payload: p75 34 → 0.6·0.786 = 0.471; entropy of 34 hex chars ≈ 3.7 → 0.4·0.8 = 0.32 → 0.791; types 1;
  // types 0.7·1; many 0 (12 < 20); volume log10(12)/2 = 0.54 → (1 − 0.209·0.3)·(0.4 + 0.6·0.54) = 0.937·0.724 ≈ 0.68
  assert.equal(hits.length, 1);
  assert.ok(hits[0]!.score >= 0.5 && hits[0]!.score < 0.75, String(hits[0]!.score));
});

test('iodine polling: 222 short NULL queries still add up', () => {
  // p75 length 8 → payload ≈ 0; types 0.7; many 0.6·log10(222/20) = 0.6·1.045 → 0.6; volume 1
  // → 1 − 1·0.3·0.4 = 0.88
  const r = rng(4);
  const s = tunnelStats(Array.from({ length: 222 }, () => ({ subdomain: randomLabel(r, 'abcdefghijklmnopqrstuvwxyz', 7), qtype: 10, ts: T0 })));
  assert.ok(Math.abs(s.score - 0.88) < 0.03, String(s.score));
});

test('ordinary browsing names do not look like a tunnel', () => {
  const hosts = ['www', 'mail', 'api', 'cdn', 'static', 'img', 'login', 'accounts', 'news', 'docs', 'support', 'shop'];
  const hits = run(hosts.flatMap((h) => [{ q: `${h}.example.com`, qtype: 1 }, { q: `${h}.example.com`, qtype: 28 }]));
  assert.deepEqual(hits, []);
  // A handful of long random names (CDN edge names) stay under the 5-unique floor.
  const r = rng(3);
  const few = tunnelStats(Array.from({ length: 4 }, () => ({ subdomain: randomLabel(r, 'abcdef0123456789', 30), qtype: 1, ts: T0 })));
  assert.equal(few.score, 0);
});
