/**
 * What a TlsRecord keeps of each hello, computed as soon as the hello is parsed so that flows hold a few strings
 * until they expire instead of the hello's lists (long-lived flows otherwise carry them into the old generation).
 *
 * Fingerprints are memoised by hello shape: one client program sends the same lists in every hello (only the
 * random, session id, SNI and key shares differ), so a capture holds few distinct shapes. A hit skips building the
 * JA3/JA4 strings and their three hashes (about 20 µs a hello: 150 of the app layer's 520 ms self time on
 * big-500k.pcap, cpu-prof) and lets records share the strings, so fewer objects stay alive until flows expire.
 * Shapes are compared field by field, never by hash alone, so a memoised result is always the computed one.
 */
import { ja3, ja3s, ja4, ja4s, type Ja4Transport } from './fingerprint.js';
import type { ClientHello, ServerHello } from './hello.js';
import { cipherName, tlsVersionName } from './names.js';

/**
 * One object per hello shape, shared by every flow whose hello has that shape (read-only): the SNI, which differs
 * from hello to hello, is kept by the caller.
 */
export interface ClientSummary {
  alpn: string[];
  ja3: string;
  ja4: string;
  /** TLS 1.3 offered in supported_versions: a second ClientHello may follow a HelloRetryRequest. */
  offers_tls13: boolean;
}

export interface ServerSummary {
  version: string;
  cipher: string;
  ja3s: string;
  ja4s: string;
  /** TLS 1.3 selected: everything after the ServerHello is encrypted. */
  tls13: boolean;
  hrr: boolean;
}

/** Shapes kept per kind; past this the memo starts over (a capture with more distinct clients just recomputes). */
const MAX_SHAPES = 512;

interface ClientShape extends ClientSummary {
  t: Ja4Transport;
  hello: ClientHello;
}

interface ServerShape {
  t: Ja4Transport;
  hello: ServerHello;
  version: string;
  cipher: string;
  ja3s: string;
  ja4s: string;
  tls13: boolean;
}

const clientShapes = new Map<number, ClientShape>();
const serverShapes = new Map<number, ServerShape>();

export function summarizeClient(ch: ClientHello, t: Ja4Transport): ClientSummary {
  const key = clientKey(ch, t);
  let s = clientShapes.get(key);
  if (s === undefined || !sameClient(s, ch, t)) {
    s = { t, hello: ch, alpn: ch.alpn, ja3: ja3(ch), ja4: ja4(ch, t), offers_tls13: ch.supported_versions.includes(0x0304) };
    if (clientShapes.size >= MAX_SHAPES) clientShapes.clear();
    clientShapes.set(key, s);
  }
  return s;
}

export function summarizeServer(sh: ServerHello, t: Ja4Transport): ServerSummary {
  const key = serverKey(sh, t);
  let s = serverShapes.get(key);
  if (s === undefined || !sameServer(s, sh, t)) {
    s = {
      t,
      hello: sh,
      version: tlsVersionName(sh.selected_version !== 0 ? sh.selected_version : sh.version),
      cipher: cipherName(sh.cipher),
      ja3s: ja3s(sh),
      ja4s: ja4s(sh, t),
      tls13: sh.selected_version === 0x0304,
    };
    if (serverShapes.size >= MAX_SHAPES) serverShapes.clear();
    serverShapes.set(key, s);
  }
  return { version: s.version, cipher: s.cipher, ja3s: s.ja3s, ja4s: s.ja4s, tls13: s.tls13, hrr: sh.hrr };
}

// FNV-1a over 32-bit values: a cheap bucket key; equality is decided by the field-by-field comparison.
function mix(h: number, v: number): number {
  return Math.imul(h ^ v, 0x01000193);
}

function mixList(h: number, list: readonly number[]): number {
  let x = mix(h, list.length);
  for (let i = 0; i < list.length; i++) x = mix(x, list[i]!);
  return x;
}

function clientKey(ch: ClientHello, t: Ja4Transport): number {
  let h = mix(0x811c9dc5, t.charCodeAt(0));
  h = mix(h, ch.version);
  h = mix(h, ch.has_sni ? 1 : 0);
  h = mix(h, ch.alpn.length);
  h = mixList(h, ch.ciphers);
  h = mixList(h, ch.extensions);
  h = mixList(h, ch.groups);
  h = mixList(h, ch.point_formats);
  h = mixList(h, ch.supported_versions);
  return mixList(h, ch.sig_algs);
}

function serverKey(sh: ServerHello, t: Ja4Transport): number {
  let h = mix(0x811c9dc5, t.charCodeAt(0));
  h = mix(h, sh.version);
  h = mix(h, sh.cipher);
  h = mix(h, sh.selected_version);
  return mixList(h, sh.extensions);
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Every field the fingerprints, alpn and offers_tls13 are computed from (SNI presence included, not its value). */
function sameClient(s: ClientShape, ch: ClientHello, t: Ja4Transport): boolean {
  const h = s.hello;
  return (
    s.t === t &&
    h.version === ch.version &&
    h.has_sni === ch.has_sni &&
    sameList(h.ciphers, ch.ciphers) &&
    sameList(h.extensions, ch.extensions) &&
    sameList(h.groups, ch.groups) &&
    sameList(h.point_formats, ch.point_formats) &&
    sameList(h.supported_versions, ch.supported_versions) &&
    sameList(h.sig_algs, ch.sig_algs) &&
    sameList(h.alpn, ch.alpn)
  );
}

function sameServer(s: ServerShape, sh: ServerHello, t: Ja4Transport): boolean {
  const h = s.hello;
  return (
    s.t === t &&
    h.version === sh.version &&
    h.cipher === sh.cipher &&
    h.selected_version === sh.selected_version &&
    sameList(h.extensions, sh.extensions) &&
    h.alpn === sh.alpn
  );
}
