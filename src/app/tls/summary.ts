/**
 * What a TlsRecord keeps of each hello, computed as soon as the hello is parsed so that flows hold a few strings
 * until they expire instead of the hello's lists (long-lived flows otherwise carry them into the old generation).
 */
import { ja3, ja3s, ja4, ja4s, type Ja4Transport } from './fingerprint.js';
import type { ClientHello, ServerHello } from './hello.js';
import { cipherName, tlsVersionName } from './names.js';

export interface ClientSummary {
  sni: string;
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

export function summarizeClient(ch: ClientHello, t: Ja4Transport): ClientSummary {
  return { sni: ch.sni, alpn: ch.alpn, ja3: ja3(ch), ja4: ja4(ch, t), offers_tls13: ch.supported_versions.includes(0x0304) };
}

export function summarizeServer(sh: ServerHello, t: Ja4Transport): ServerSummary {
  return {
    version: tlsVersionName(sh.selected_version !== 0 ? sh.selected_version : sh.version),
    cipher: cipherName(sh.cipher),
    ja3s: ja3s(sh),
    ja4s: ja4s(sh, t),
    tls13: sh.selected_version === 0x0304,
    hrr: sh.hrr,
  };
}
