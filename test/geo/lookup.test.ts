// Oracles: Debian's `mmdblookup` (libmaxminddb) on the same .mmdb file, and the rows of @ip-location-db/asn's textual CSV.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { embeddedPaths, openGeo } from '../../src/geo/lookup.js';
import { parseIp } from '../../src/geo/ranges.js';
import { writeMmdb } from './mmdb_writer.js';

function haveMmdblookup(): boolean {
  try {
    execFileSync('mmdblookup', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const SKIP_MMDB: string | false = haveMmdblookup() ? false : 'mmdblookup not installed (apt-get install mmdb-bin): test skipped';

/** The value mmdblookup prints for one data path, as a string ('' when it finds no entry or no such path). */
function mmdblookup(file: string, ip: string, ...path: string[]): string {
  let out = '';
  try {
    out = execFileSync('mmdblookup', ['--file', file, '--ip', ip, ...path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
  const m = /^\s*(?:"(.*)" <utf8_string>|(\S+) <(?:double|float|uint16|uint32|uint64)>)\s*$/m.exec(out);
  return m?.[1] ?? m?.[2] ?? '';
}

const PUBLIC = ['8.8.8.8', '1.1.1.1', '9.9.9.9', '77.88.8.8', '185.199.108.153', '151.101.1.69', '2001:4860:4860::8888', '2606:4700:4700::1111', '2a02:6b8::feed:0ff'];

test('embedded DB-IP country equals mmdblookup on the same file', { skip: SKIP_MMDB }, () => {
  const geo = openGeo({ enabled: true });
  const file = embeddedPaths().country;
  for (const ip of PUBLIC) {
    const want = mmdblookup(file, ip, 'country_code');
    assert.notEqual(want, '', `mmdblookup knows ${ip}`);
    const got = geo.lookup(ip);
    assert.equal(got.country, want, ip);
    assert.equal(got.scope, 'public');
    assert.equal(got.coords_approx, true, 'country DB: bubble at the country reference point');
  }
});

test('embedded ASN equals the rows of the textual CSV', () => {
  const geo = openGeo({ enabled: true });
  const t0 = performance.now();
  geo.lookup('8.8.8.8');
  geo.lookup('2001:4860:4860::8888');
  console.log(`# first lookups incl. loading both ASN tables: ${(performance.now() - t0).toFixed(0)} ms`);
  const dir = join(embeddedPaths().asnV4, '..');
  for (const file of ['asn-ipv4.csv', 'asn-ipv6.csv']) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n').filter((l) => l !== '');
    for (let k = 0; k < lines.length; k += Math.floor(lines.length / 7)) {
      const m = /^([^,]+),([^,]+),(\d+),("(?:[^"]|"")*"|.*)$/.exec(lines[k] ?? '');
      assert.ok(m, lines[k]);
      const org = (m[4] ?? '').replace(/^"(.*)"$/, '$1').replaceAll('""', '"');
      for (const ip of [m[1] ?? '', m[2] ?? '']) {
        const p = parseIp(ip);
        if (p === null || p.v4 !== null) continue;
        const got = geo.lookup(ip);
        if (got.scope !== 'public') continue;
        assert.equal(got.asn, Number(m[3]), `${file} row ${k}: ${ip}`);
        assert.equal(got.as_org, org);
      }
    }
  }
});

test('private and special ranges are labelled and never looked up', () => {
  const geo = openGeo({ enabled: true, geoip: fixtureDir().city, asn: fixtureDir().asn });
  for (const ip of ['10.0.0.1', '192.168.1.1', 'fe80::1', '::1', '224.0.0.251', '100.64.1.1', '2001:db8::1']) {
    const g = geo.lookup(ip);
    assert.notEqual(g.scope, 'public', ip);
    assert.equal(g.country, '');
    assert.equal(g.asn, null);
  }
  assert.equal(openGeo({ enabled: false }).lookup('8.8.8.8').country, '', '--no-geo');
});

let fixtures: { city: string; asn: string; v4only: string } | null = null;
/** MaxMind-schema City and ASN files, plus an IPv4-only country file (the DEPS.md IPv6 gotcha). */
function fixtureDir(): { city: string; asn: string; v4only: string } {
  if (fixtures !== null) return fixtures;
  const dir = mkdtempSync(join(tmpdir(), 'nad-geo-'));
  const v4 = (a: number, b: number, c: number, d: number): Uint8Array => Uint8Array.from([a, b, c, d]);
  const v6 = (...g: number[]): Uint8Array => Uint8Array.from(g.flatMap((x) => [x >> 8, x & 0xff]).concat(new Array(16 - 2 * g.length).fill(0)));
  const city = writeMmdb(6, 'GeoLite2-City', [
    { bytes: v4(81, 2, 69, 0), prefix: 24, data: { country: { iso_code: 'GB', names: { en: 'United Kingdom' } }, city: { names: { en: 'London' } }, location: { latitude: { double: 51.5142 }, longitude: { double: -0.0931 } } } },
    { bytes: v4(89, 160, 20, 0), prefix: 22, data: { registered_country: { iso_code: 'SE', names: { en: 'Sweden' } } } },
    { bytes: v6(0x2a02, 0xdd8), prefix: 32, data: { country: { iso_code: 'DE', names: { en: 'Germany' } }, city: { names: { en: 'Berlin' } }, location: { latitude: { double: 52.52 }, longitude: { double: 13.405 } } } },
  ]);
  const asn = writeMmdb(6, 'GeoLite2-ASN', [
    { bytes: v4(81, 2, 64, 0), prefix: 19, data: { autonomous_system_number: 20712, autonomous_system_organization: 'Andrews & Arnold <Ltd>' } },
    { bytes: v6(0x2a02, 0xdd8), prefix: 32, data: { autonomous_system_number: 64512, autonomous_system_organization: 'Example "quoted" AS' } },
  ]);
  const v4only = writeMmdb(4, 'DBIP-Country-Lite', [{ bytes: v4(32, 0, 0, 0), prefix: 8, data: { country_code: 'US' } }]);
  fixtures = { city: join(dir, 'city.mmdb'), asn: join(dir, 'asn.mmdb'), v4only: join(dir, 'v4.mmdb') };
  writeFileSync(fixtures.city, city);
  writeFileSync(fixtures.asn, asn);
  writeFileSync(fixtures.v4only, v4only);
  return fixtures;
}

test('--geoip/--asn MaxMind files: lookups equal mmdblookup', { skip: SKIP_MMDB }, () => {
  const f = fixtureDir();
  const geo = openGeo({ enabled: true, geoip: f.city, asn: f.asn });
  for (const ip of ['81.2.69.160', '89.160.20.112', '2a02:dd8::1', '::ffff:81.2.69.1', '8.8.8.8']) {
    const g = geo.lookup(ip);
    const asked = ip.replace('::ffff:', '');
    const country = mmdblookup(f.city, asked, 'country', 'iso_code') || mmdblookup(f.city, asked, 'registered_country', 'iso_code');
    assert.equal(g.country, country, ip);
    assert.equal(g.city, mmdblookup(f.city, asked, 'city', 'names', 'en'), ip);
    const lat = mmdblookup(f.city, asked, 'location', 'latitude');
    if (lat !== '') {
      assert.ok(Math.abs((g.latitude ?? NaN) - Number(lat)) < 1e-6, ip);
      assert.ok(Math.abs((g.longitude ?? NaN) - Number(mmdblookup(f.city, asked, 'location', 'longitude'))) < 1e-6, ip);
      assert.equal(g.coords_approx, false);
    }
    const asn = mmdblookup(f.asn, asked, 'autonomous_system_number');
    assert.equal(g.asn, asn === '' ? null : Number(asn), ip);
    assert.equal(g.as_org, mmdblookup(f.asn, asked, 'autonomous_system_organization'), ip);
  }
  assert.equal(geo.lookup('8.8.8.8').country, '', 'not in the fixture');
  assert.match(geo.attributions[0]?.text ?? '', /GeoLite2-City/);
});

test('an IPv6 address is never asked of an IPv4-only database', { skip: SKIP_MMDB }, () => {
  const f = fixtureDir();
  const geo = openGeo({ enabled: true, geoip: f.v4only, asn: f.asn });
  assert.equal(mmdblookup(f.v4only, '32.1.72.96', 'country_code'), 'US');
  assert.equal(geo.lookup('32.1.72.96').country, 'US');
  // 2001:4860:4860::8888 shares its first 32 bits with 32.1.72.96: mmdb-lib would answer US for it.
  assert.equal(geo.lookup('2001:4860:4860::8888').country, '');
});

test('place() is lookup() without the autonomous system, whichever is asked first', () => {
  const addrs = ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:9.9.9.9', '192.168.1.10', 'fe80::1', 'not-an-ip'];
  const first = openGeo({ enabled: true });
  const places = addrs.map((a) => first.place(a));
  const full = addrs.map((a) => first.lookup(a));
  const fresh = openGeo({ enabled: true });
  addrs.forEach((a, i) => {
    const { asn, as_org, ...rest } = full[i]!;
    // A place may carry the AS fields (null, '') where there is none to look up; the place fields must be equal.
    const place = Object.fromEntries(Object.keys(rest).map((k) => [k, (places[i] as unknown as Record<string, unknown>)[k]]));
    assert.deepEqual(place, rest, a);
    assert.deepEqual(full[i], fresh.lookup(a), `${a}: lookup after place equals lookup alone`);
    assert.equal(first.place(a), full[i], `${a}: place after lookup is the full answer`);
    if (full[i]!.scope === 'public') assert.ok(asn !== null && as_org !== '', `${a}: has an AS`);
  });
  assert.equal(openGeo({ enabled: false }).place('8.8.8.8').country, '', '--no-geo');
});

test('a --geoip or --asn file that is missing or not an mmdb is one line naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-geo-'));
  const junk = join(dir, 'GeoLite2-City.mmdb');
  writeFileSync(junk, 'not a database\n');
  assert.throws(() => openGeo({ enabled: true, geoip: junk }), (e: Error) => e.message.startsWith(`${junk}: not a MaxMind database (`) && !e.message.includes('\n'));
  assert.throws(() => openGeo({ enabled: true, asn: junk }), (e: Error) => e.message.startsWith(`${junk}: not a MaxMind database (`));
  const missing = join(dir, 'none.mmdb');
  assert.throws(() => openGeo({ enabled: true, geoip: missing }), (e: Error) => e.message === `${missing}: cannot read the geo database (no such file)`);
});
