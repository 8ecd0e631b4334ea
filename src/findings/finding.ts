/**
 * A finding: one entity (source host, destination IP or name) that the detectors flagged, merged over detectors,
 * ranked by one combined score. Row of findings.csv and of summary.json `findings`; one alerts.jsonl event.
 */

export type Severity = 'low' | 'medium' | 'high';

/** A number or fact that drove the finding, e.g. `{ name: 'ts_score', value: 0.998 }`. */
export interface Evidence {
  name: string;
  value: number | string;
  note?: string;
}

export interface Finding {
  /** 1 = most suspicious. */
  rank: number;
  /** low, medium or high, from the score with documented cut-offs. */
  severity: Severity;
  /** Combined score 0..1, rounded to 3 decimals (RITA). */
  score: number;
  /** Detector kinds that fired for this entity: beacon, exfil, dns_tunnel, scan, anomaly, novelty, intel, … */
  kinds: string[];
  /** Source (internal) host. */
  src: string;
  /** Host name of the source from DHCP (dhcp.csv; ` / ` between names when two hosts held the address), '' when unknown. */
  src_host: string;
  /** Destination IP; '' when the entity is a name or a set of hosts (scan sweep). */
  dst: string;
  /** Destination port, null when several. */
  dst_port: number | null;
  /** Transport of the flows behind it (tcp, udp, icmp). */
  proto: string;
  /** Destination name (DNS/SNI/Host, or the registered domain of a tunnel), '' when none. */
  name: string;
  /** Destination geo, filled by enrichment when geo is on ('' otherwise). */
  dst_country: string;
  /** Destination autonomous system (ASN and organisation) when geo is on. */
  dst_asn: string;
  /** Flows behind the finding (capped in outputs to the first 50; `flow_count` gives the total). */
  uids: string[];
  /** Community IDs of the flows behind it (first 50 in CSV). */
  community_ids: string[];
  /** Number of flows behind the finding. */
  flow_count: number;
  /** Time of the first flow behind it (`sec.nnnnnnnnn`). */
  first_seen: string;
  /** Time of the last packet behind it (`sec.nnnnnnnnn`). */
  last_seen: string;
  /** The numbers that drove it, as name=value (interval median, bytes out, entropy…). */
  evidence: Evidence[];
  /** One plain sentence saying why. Plain text: escaped wherever it is rendered. */
  explanation: string;
}
