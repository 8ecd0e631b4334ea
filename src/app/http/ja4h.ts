/**
 * JA4H, FoxIO's HTTP client fingerprint (FoxIO License 1.1: non-commercial use; see README, Licences), for HTTP/1.x
 * requests. Written here from FoxIO's specification (technical_details/JA4H.md) and checked against the outputs FoxIO
 * publishes for its test captures, where these choices of its reference implementation show:
 *
 *   a: method code (2) + version (10, 11) + c/n (a `Cookie` header) + r/n (a `Referer` header) + header count (2
 *      digits, at most 99, without Cookie and Referer) + primary Accept-Language (first value, `-` removed, lower
 *      case, 4 characters padded with 0);
 *   b: sha256[:12] of the header names in the order sent, `,`-joined, without Cookie and Referer;
 *   c: sha256[:12] of the cookie names, sorted; d: of the cookies `name=value`, sorted by name then value
 *   (`000000000000` when empty). FoxIO's outputs sort the pairs, not the `name=value` strings: `a=1` comes before
 *   `a-b=2` there, where a string sort puts `-` (0x2d) before `=` (0x3d).
 *
 * Cookie and Referer are told apart by their exact spelling, as FoxIO's code does; the Accept-Language and Cookie
 * values come from the first header of that name in any case. A method outside the nine JA4H codes, or a version
 * other than 1.0/1.1, gives no fingerprint (''). Hashes are over the raw bytes (the head is read as latin1).
 */
import { ja4Hash } from '../ja4_hash.js';

const METHOD_CODES: ReadonlyMap<string, string> = new Map([
  ['GET', 'ge'], ['HEAD', 'he'], ['OPTIONS', 'op'], ['TRACE', 'tr'], ['DELETE', 'de'], ['PUT', 'pu'], ['POST', 'po'], ['PATCH', 'pa'], ['CONNECT', 'co'],
]);

/** The first four characters of the primary language, `-` removed, lower case, padded with 0 (`en-US,en;q=0.9` → enus). */
export function primaryLanguage(value: string): string {
  const comma = value.indexOf(',');
  const first = (comma < 0 ? value : value.slice(0, comma)).trimStart().replaceAll('-', '').toLowerCase();
  return first.length >= 4 ? first.slice(0, 4) : first.padEnd(4, '0');
}

/**
 * JA4H of a request head: `lines[0]` is the request line (already parsed into method and version), the rest its
 * header lines; `cookie` and `language` are the values of its first Cookie and Accept-Language headers in any case
 * ('' when absent), as parse.ts's readHeaders found them. '' when JA4H has no code for the method or the version.
 */
export function ja4h(method: string, version: string, lines: readonly string[], cookie = '', language = ''): string {
  const v = version === '1.1' ? '11' : version === '1.0' ? '10' : '';
  let hasCookie = false;
  let referer = false;
  const names: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon);
    if (name === 'Cookie') hasCookie = true;
    else if (name === 'Referer') referer = true;
    else names.push(name);
  }
  return fingerprint(method, v, names, hasCookie, referer, cookie, language);
}

/**
 * JA4H of an HTTP/2 request (version code 20) from its decoded header fields, as FoxIO's reference reads tshark's
 * `http2.header.name` list: every field in order, pseudo-headers included, `cookie` and `referer` (lower case, as
 * HTTP/2 sends names) counted apart; the cookies are every `cookie` field's crumbs (RFC 9113 §8.2.3 lets a client
 * split them across fields) and the language the first `accept-language`. HTTP/3's fields (QPACK) are read the same
 * way, with version code 30 (FoxIO's JA4H spec: 10, 11, 20, 30).
 */
export function ja4h2(fields: readonly (readonly [string, string])[], version: '20' | '30' = '20'): string {
  let method = '';
  let hasCookie = false;
  let referer = false;
  let language = '';
  const names: string[] = [];
  const cookies: string[] = [];
  for (const [name, value] of fields) {
    if (name === ':method' && method === '') method = value;
    if (name === 'cookie') {
      hasCookie = true;
      cookies.push(value);
    } else if (name === 'referer') referer = true;
    else {
      names.push(name);
      if (name === 'accept-language' && language === '') language = value;
    }
  }
  return fingerprint(method, version, names, hasCookie, referer, cookies.join('; '), language);
}

function fingerprint(method: string, v: string, names: readonly string[], hasCookie: boolean, referer: boolean, cookie: string, language: string): string {
  const m = METHOD_CODES.get(method);
  if (m === undefined || v === '') return '';
  const count = Math.min(99, names.length);
  const a = `${m}${v}${hasCookie ? 'c' : 'n'}${referer ? 'r' : 'n'}${count < 10 ? '0' : ''}${count}${primaryLanguage(language)}`;
  const cookies = cookie === '' ? [] : cookie.split('; ').map(cookiePair).sort(byNameThenValue);
  const keys = cookies.map((c) => c[0]).join(',');
  const items = cookies.map((c) => (c[1] === null ? c[0] : `${c[0]}=${c[1]}`)).join(',');
  return `${a}_${ja4Hash(names.join(','))}_${ja4Hash(keys)}_${ja4Hash(items)}`;
}

/** `name=value` as [name, value]; a cookie without `=` has no value (null). */
function cookiePair(c: string): [string, string | null] {
  const eq = c.indexOf('=');
  return eq < 0 ? [c, null] : [c.slice(0, eq), c.slice(eq + 1)];
}

/** By name, then value (none before any), as FoxIO's outputs order them: `a-b=…` after `a=…`, since `a` < `a-b`. */
function byNameThenValue(x: [string, string | null], y: [string, string | null]): number {
  if (x[0] !== y[0]) return x[0] < y[0] ? -1 : 1;
  if (x[1] === y[1]) return 0;
  if (x[1] === null) return -1;
  if (y[1] === null) return 1;
  return x[1] < y[1] ? -1 : 1;
}
