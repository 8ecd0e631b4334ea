/**
 * Stitching edge flows in SQL alone, for engines without nad (Spark, Trino, ClickHouse): pieces of one 5-tuple
 * (community_id) whose gap is within the idle timeout form one session. Only window functions and plain aggregates,
 * so the text runs unchanged on DuckDB, Spark SQL and Trino (ClickHouse: `SETTINGS allow_experimental_window_functions`
 * on old versions). Exact for what adds up (packets, IP bytes, payload bytes, first and last time, the uid of the
 * first piece, which is the whole flow's uid); NOT for history, conn_state and the TCP byte counts from sequence
 * numbers, nor for the originator of a piece that began mid-stream — `nad merge` rebuilds those from edge packets.
 */

/** The query over `source` (a table, view or read_parquet(…) of flows.parquet files); idle timeouts in seconds. */
export function stitchEdgeFlowsSql(source: string, tcp_idle_s = 300, other_idle_s = 60): string {
  return `WITH e AS (
  SELECT *, CAST(ts AS DOUBLE) AS t0, CAST(last_ts AS DOUBLE) AS t1 FROM ${source} WHERE edge
), m AS (
  SELECT *, CASE WHEN t0 - LAG(t1) OVER (PARTITION BY community_id ORDER BY t0)
                      <= CASE WHEN proto = 'tcp' THEN ${tcp_idle_s} ELSE ${other_idle_s} END
                 THEN 0 ELSE 1 END AS starts
  FROM e
), s AS (
  SELECT *, SUM(starts) OVER (PARTITION BY community_id ORDER BY t0 ROWS UNBOUNDED PRECEDING) AS session FROM m
)
SELECT MAX(CASE WHEN starts = 1 THEN uid END) AS uid, community_id,
       MAX(CASE WHEN starts = 1 THEN orig_h END) AS orig_h, MAX(CASE WHEN starts = 1 THEN orig_p END) AS orig_p,
       MAX(CASE WHEN starts = 1 THEN resp_h END) AS resp_h, MAX(CASE WHEN starts = 1 THEN resp_p END) AS resp_p,
       MAX(proto) AS proto, MAX(service) AS service, MIN(ts) AS ts, MAX(last_ts) AS last_ts,
       SUM(orig_pkts + resp_pkts) AS pkts, SUM(orig_ip_bytes + resp_ip_bytes) AS ip_bytes,
       SUM(orig_payload_bytes + resp_payload_bytes) AS payload_bytes, COUNT(*) AS pieces
FROM s GROUP BY community_id, session`;
}
