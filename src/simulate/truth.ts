/**
 * The ground truth written beside every simulated capture (`<name>.truth.json`): the office layout and every injected
 * entity, so a regression can check that nad finds each one. Times are ISO 8601 UTC with microseconds.
 */

export type InjectKind = 'beacon' | 'exfil' | 'dns-tunnel' | 'scan' | 'new-country' | 'new-asn' | 'new-port';

export interface TruthEntity {
  /** Unique within the file, e.g. "beacon-https". */
  readonly id: string;
  readonly kind: InjectKind;
  /** beacon: https-domain | http-ip; exfil: upload | drip; scan: horizontal | vertical; dns-tunnel: txt; new-*: https | ssh. */
  readonly variant: string;
  /** The office host that does it. */
  readonly src_ip: string;
  readonly src_host: string;
  readonly src_mac: string;
  /** Every destination address contacted (several for a beacon on rotating addresses or a horizontal scan). */
  readonly dst_ips: readonly string[];
  /** Destination name (SNI / Host / the tunnel's registered domain), or null for a bare address. */
  readonly dst_name: string | null;
  /** Destination ports (many for a vertical scan). */
  readonly dst_ports: readonly number[];
  readonly proto: 'tcp' | 'udp';
  /** Application protocol: https, http, dns, ssh or tcp (scans). */
  readonly app: string;
  /** First and last packet of the behaviour inside the capture. */
  readonly start: string;
  readonly end: string;
  /** TCP connections attempted (SYNs sent by the source), or DNS queries for the tunnel. */
  readonly count: number;
  /**
   * Payload bytes sent by the source and by the destinations: TCP payload (as Zeek's orig_bytes/resp_bytes count it,
   * true sizes even where the capture cuts them) or, for the DNS tunnel, the DNS messages (UDP payload).
   */
  readonly bytes_out: number;
  readonly bytes_in: number;
  /** JA3 hashes (MD5, as tshark's tls.handshake.ja3) of the source's ClientHellos, for TLS entities. */
  readonly ja3?: readonly string[];
  /** Country code and AS number of the destination as registered (new-country / new-asn / new-port). */
  readonly country?: string;
  readonly asn?: number;
  /** The knobs this entity was made with (interval_s, jitter, miss_rate, bytes, ports …). */
  readonly params: Readonly<Record<string, number | string | boolean | readonly number[] | readonly string[]>>;
  /** One sentence for humans. */
  readonly description: string;
}

export interface TruthHost {
  readonly name: string;
  readonly ip: string;
  readonly mac: string;
  readonly os: string;
  readonly browser: string;
}

export interface GroundTruth {
  readonly format: 'nad-simulate-truth/1';
  readonly options: {
    readonly seed: number;
    readonly start: string;
    readonly hours: number;
    readonly hosts: number;
    readonly inject: readonly string[];
  };
  readonly capture: {
    readonly first_ts: string;
    readonly last_ts: string;
    readonly packets: number;
    readonly file_bytes: number;
    readonly sha256: string;
  };
  readonly office: {
    readonly subnet: string;
    readonly gateway_ip: string;
    readonly gateway_mac: string;
    readonly resolver_ip: string;
    readonly nas_ip: string;
    readonly printer_ip: string;
    readonly hosts: readonly TruthHost[];
  };
  /** Countries (ISO 3166 alpha-2) the baseline services are registered in; new-country destinations lie outside. */
  readonly baseline_countries: readonly string[];
  readonly entities: readonly TruthEntity[];
}

/** ISO 8601 with microseconds, e.g. 2026-03-09T08:20:01.123456Z. */
export function isoUs(t_us: number): string {
  const ms = Math.floor(t_us / 1000);
  const base = new Date(ms).toISOString().slice(0, 19);
  return `${base}.${String(Math.round(t_us) % 1_000_000).padStart(6, '0')}Z`;
}
