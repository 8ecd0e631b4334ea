/**
 * TLS certificate detector (certificates are visible up to TLS 1.2): servers set up by hand for C2 often present a
 * certificate made with OpenSSL's default answers, a self-signed one, or one issued to a bare IP address while the
 * client asked for a name. Signals per (client, server, port) combine as 1 − Π(1 − s):
 *   placeholder subject/issuer (`Some-State`, `Internet Widgits Pty Ltd`, `Default Company Ltd`…)  0.55
 *   certificate CN is an IP address but the client sent an SNI name                               0.45
 *   self-signed (subject = issuer)                                                                 0.35
 * Repeated contact strengthens it: the residual 1 − s shrinks by 0.9 per further connection (up to 10).
 * Prevalence (as RITA's prevalence modifier): when one issuer signs the certificates of ≥ 3 servers and ≥ half of all
 * servers seen, it is a local TLS-inspection CA, not the servers' own doing, so its signals count half.
 */
import type { ConnRecord } from '../flow/conn.js';
import type { FlowApp, TlsRecord } from '../app/records.js';
import { isIpLiteral } from '../features/names.js';
import { round3 } from '../features/stats.js';
import type { DetectContext, Detector, RawFinding } from './detector.js';

/** Values OpenSSL's sample openssl.cnf and common tutorials fill in when nobody answers the prompts. */
const PLACEHOLDER = /(Some-State|Internet Widgits Pty Ltd|Default Company Ltd|Default City|Some Company|My Company|Acme Co|XX, ?ST=)/i;

interface Signal { name: string; score: number }

function commonName(dn: string): string {
  const m = /(?:^|[,/]\s*)CN=([^,/]+)/i.exec(dn);
  return m?.[1]?.trim() ?? '';
}

export function tlsSignals(t: TlsRecord): Signal[] {
  const out: Signal[] = [];
  if (t.subject === '' && t.issuer === '') return out;
  if (PLACEHOLDER.test(t.issuer) || PLACEHOLDER.test(t.subject)) out.push({ name: 'placeholder_certificate', score: 0.55 });
  const cn = commonName(t.subject);
  if (cn !== '' && isIpLiteral(cn) && t.server_name !== '' && !isIpLiteral(t.server_name)) out.push({ name: 'ip_certificate_for_name', score: 0.45 });
  if (t.subject !== '' && t.subject === t.issuer) out.push({ name: 'self_signed', score: 0.35 });
  return out;
}

interface Acc { conns: ConnRecord[]; uids: Set<string>; signals: Map<string, number>; rec: TlsRecord }

/** Issuers that sign for ≥ 3 servers and ≥ half of the servers whose certificate was seen. */
export function prevalentIssuers(certs: ReadonlyMap<string, string>): Set<string> {
  const servers = new Map<string, Set<string>>();
  for (const [server, issuer] of certs) {
    if (issuer === '') continue;
    const s = servers.get(issuer) ?? new Set<string>();
    s.add(server);
    servers.set(issuer, s);
  }
  return new Set([...servers].filter(([, s]) => s.size >= 3 && s.size * 2 >= certs.size).map(([issuer]) => issuer));
}

export function createTlsDetector(): Detector {
  const acc = new Map<string, Acc>();
  /** server address → issuer of its certificate. */
  const issuers = new Map<string, string>();
  return {
    id: 'tls',
    observe(conn: ConnRecord, app: FlowApp): void {
      for (const t of app.tls) {
        if (t.issuer !== '') issuers.set(conn.resp_h, t.issuer);
        const sig = tlsSignals(t);
        if (sig.length === 0) continue;
        const key = `${conn.orig_h}|${conn.resp_h}|${conn.resp_p}`;
        let a = acc.get(key);
        if (a === undefined) { a = { conns: [], uids: new Set(), signals: new Map(), rec: t }; acc.set(key, a); }
        if (!a.uids.has(conn.uid)) { a.uids.add(conn.uid); a.conns.push(conn); }
        for (const s of sig) a.signals.set(s.name, s.score);
      }
    },
    finish(_ctx: DetectContext): RawFinding[] {
      const out: RawFinding[] = [];
      const inspection = prevalentIssuers(issuers);
      for (const key of [...acc.keys()].sort()) {
        const a = acc.get(key)!;
        const names = [...a.signals.keys()].sort();
        const weight = inspection.has(a.rec.issuer) ? 0.5 : 1;
        const residual = names.reduce((p, n) => p * (1 - weight * a.signals.get(n)!), 1) * 0.9 ** (Math.min(a.conns.length, 10) - 1);
        const score = round3(1 - residual);
        const c0 = a.conns[0]!;
        out.push({
          detector: 'tls', kind: 'tls', src: c0.orig_h, dst: c0.resp_h, dst_port: c0.resp_p, proto: 'tcp', name: a.rec.server_name.toLowerCase(),
          score, conns: a.conns,
          evidence: [
            { name: 'signals', value: names.join(' ') }, { name: 'subject', value: a.rec.subject }, { name: 'issuer', value: a.rec.issuer },
            { name: 'server_name', value: a.rec.server_name }, { name: 'ja3', value: a.rec.ja3 }, { name: 'connections', value: a.conns.length },
            { name: 'issuer_prevalent', value: weight < 1 ? 'yes: likely a local TLS-inspection CA, signals halved' : 'no' }, { name: 'tls_score', value: score },
          ],
          reason: `${c0.orig_h} talked TLS to ${a.rec.server_name || c0.resp_h} whose certificate looks hand-made (${names.join(', ').replace(/_/g, ' ')}).`,
        });
      }
      return out;
    },
  };
}
