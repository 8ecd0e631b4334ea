/**
 * HTTP detector: cleartext requests that malware droppers and C2 gates make and browsers rarely do.
 * - `download`: an executable fetched (response MIME of a program, or a URI ending in a program extension): 0.65 when
 *   answered 2xx, 0.4 when refused; a program by its content (the body's magic: MZ, ELF, Mach-O) that neither the
 *   Content-Type nor the name admits: 0.7 (a payload disguised as an image or text, as droppers serve them); a
 *   command-line client (wget, curl, python…) fetching from a bare IP address: 0.55 (the IoT dropper pattern
 *   `wget http://IP/bin`).
 * - `http`: a request whose Host is a bare IP address (no DNS name at all): POST 0.45, other methods 0.35.
 * - `exfil`: a program, an archive or a document (by content: the request body, or a file of a multipart form) sent to
 *   an address outside the network: 0.55, as stealers zip what they collected and post it (a form's file field, a raw
 *   POST body). HTTP in the clear, or decrypted with a key log.
 * Signals of one kind on one entity keep their maximum; different kinds combine when findings are merged. With a
 * baseline, hits on a registered domain the baseline already saw are multiplied by 0.6.
 */
import type { ConnRecord } from '../flow/conn.js';
import type { FlowApp, HttpRecord } from '../app/records.js';
import { isFileOfInterest } from '../app/http/body.js';
import { isBroadcastOrMulticast, isInternal } from '../features/address.js';
import { isIpLiteral, stripPort } from '../features/names.js';
import type { DetectContext, Detector, RawFinding } from './detector.js';
import { registeredDomain } from './domain.js';
import type { Evidence } from '../findings/finding.js';

const EXEC_MIME = /^application\/(x-msdownload|x-dosexec|x-msdos-program|x-executable|x-elf|x-sharedlib|vnd\.microsoft\.portable-executable|x-ms-installer|x-msi|java-archive|x-sh|hta)\b/i;
const EXEC_EXT = /\.(exe|dll|scr|msi|bat|cmd|ps1|vbs|hta|jar|elf|sh|bin)$/i;
const TOOL_UA = /^(wget|curl|python-requests|python-urllib|go-http-client|powershell|winhttp|libwww-perl|java\/)/i;

interface Hit { kind: 'download' | 'http' | 'exfil'; score: number; what: string }

/** Signals of one HTTP transaction. */
export function httpSignals(h: HttpRecord): Hit[] {
  const hits: Hit[] = [];
  const path = h.uri.split('?')[0] ?? '';
  const ok = h.status_code !== null && h.status_code >= 200 && h.status_code < 300;
  const host = stripPort(h.host.toLowerCase());
  const bare = host === '' || isIpLiteral(host);
  const declared = EXEC_MIME.test(h.resp_mime) || EXEC_EXT.test(path);
  if (ok && !declared && EXEC_MIME.test(h.resp_mime_types)) {
    const said = h.resp_mime === '' ? 'no Content-Type' : `Content-Type ${h.resp_mime}`;
    hits.push({ kind: 'download', score: 0.7, what: `downloaded a program disguised as data: ${path} is ${h.resp_mime_types} by its content, sent with ${said}` });
  } else if (declared) {
    hits.push({ kind: 'download', score: ok ? 0.65 : 0.4, what: `${ok ? 'downloaded' : 'tried to download'} the program ${path}` });
  } else if (bare && TOOL_UA.test(h.user_agent) && h.method === 'GET' && ok) {
    hits.push({ kind: 'download', score: 0.55, what: `fetched ${path} from a bare IP address with ${h.user_agent.split(' ')[0]}` });
  }
  const sent = [h.orig_mime_types, ...h.orig_file_mime_types].filter(isFileOfInterest);
  if (sent.length > 0 && !isInternal(h.resp_h)) {
    const named = h.orig_filenames.filter((n, i) => n !== '' && isFileOfInterest(h.orig_file_mime_types[i] ?? ''));
    const what = `${[...new Set(sent)].sort().join(', ')}${named.length === 0 ? '' : ` (${named.slice(0, 3).join(', ')}${named.length > 3 ? ', …' : ''})`}`;
    hits.push({ kind: 'exfil', score: 0.55, what: `uploaded ${sent.length === 1 ? 'a file' : `${sent.length} files`} of ${what} by HTTP ${h.method} to ${path === '' ? '/' : path}` });
  }
  if (bare) hits.push({ kind: 'http', score: h.method === 'POST' ? 0.45 : 0.35, what: `sent HTTP ${h.method} to a bare IP address (Host ${h.host === '' ? 'missing' : h.host})` });
  return hits;
}

/** With a baseline, downloads from a registered domain the network already used count this much (vendor updates). */
export const KNOWN_SITE_FACTOR = 0.6;

interface Acc { conns: Map<string, ConnRecord>; hits: Hit[]; name: string; uris: Set<string>; sha256: Set<string>; src: string; dst: string; port: number }

export function createHttpDetector(): Detector {
  const acc = new Map<string, Acc>();
  return {
    id: 'http',
    observe(conn: ConnRecord, app: FlowApp): void {
      // HTTP-over-UDP is SSDP/UPnP discovery, addressed by IP by design; group destinations are never a server.
      if (app.http.length === 0 || conn.proto !== 'tcp' || isBroadcastOrMulticast(conn.resp_h)) return;
      for (const h of app.http) {
        const hits = httpSignals(h);
        for (const hit of hits) {
          const key = `${hit.kind}|${conn.orig_h}|${conn.resp_h}|${conn.resp_p}`;
          let a = acc.get(key);
          if (a === undefined) {
            const host = stripPort(h.host.toLowerCase());
            a = { conns: new Map(), hits: [], name: isIpLiteral(host) ? '' : host, uris: new Set(), sha256: new Set(), src: conn.orig_h, dst: conn.resp_h, port: conn.resp_p };
            acc.set(key, a);
          }
          a.conns.set(conn.uid, conn);
          a.hits.push(hit);
          a.uris.add(`${h.method} ${h.uri}`);
          // What was downloaded or uploaded, as the values to look up (bodies seen whole).
          if (hit.kind === 'download' && h.resp_sha256 !== '') a.sha256.add(h.resp_sha256);
          if (hit.kind === 'exfil') {
            if (isFileOfInterest(h.orig_mime_types) && h.orig_sha256 !== '') a.sha256.add(h.orig_sha256);
            h.orig_file_sha256.forEach((s, i) => { if (s !== '' && isFileOfInterest(h.orig_file_mime_types[i] ?? '')) a.sha256.add(s); });
          }
        }
      }
    },
    finish(ctx: DetectContext): RawFinding[] {
      const out: RawFinding[] = [];
      for (const key of [...acc.keys()].sort()) {
        const a = acc.get(key)!;
        const best = [...a.hits].sort((x, y) => y.score - x.score)[0]!;
        const domain = registeredDomain(a.name);
        const known = ctx.baseline !== null && domain !== '' && (ctx.baseline.global.domains[domain] ?? 0) > 0;
        const uris = [...a.uris].sort();
        const evidence: Evidence[] = [
          { name: 'requests', value: a.hits.length }, { name: 'signal', value: best.what },
          { name: 'uris', value: uris.slice(0, 5).join(' | '), note: uris.length > 5 ? `${uris.length} in all` : '' },
          ...(a.sha256.size === 0 ? [] : [{ name: 'sha256', value: [...a.sha256].sort().slice(0, 3).join(' '), note: a.sha256.size > 3 ? `${a.sha256.size} files in all (http.csv)` : best.kind === 'exfil' ? 'of the files uploaded' : 'of the bodies downloaded' }]),
          ...(known ? [{ name: 'known_site', value: `${domain} is in the baseline (score × ${KNOWN_SITE_FACTOR})` }] : []),
        ];
        out.push({
          detector: 'http', kind: best.kind, src: a.src, dst: a.dst, dst_port: a.port, proto: 'tcp', name: a.name,
          score: known ? Math.round(best.score * KNOWN_SITE_FACTOR * 1000) / 1000 : best.score,
          conns: [...a.conns.values()], evidence,
          reason: `${a.src} ${best.what}${a.hits.length > 1 ? ` (${a.hits.length} such requests)` : ''}.`,
        });
      }
      return out;
    },
  };
}
