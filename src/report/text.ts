/** Small text helpers shared by the HTML report, the terminal summary and the alert log. */

/**
 * Makes a wire-derived string safe to show as text: C0/C1 control characters and the bidirectional overrides used to
 * disguise text (Trojan Source, CVE-2021-42574) become visible `\xNN` / `\u{NNNN}` escapes; tab and newline too, since
 * every place that shows these strings is one line. HTML escaping is the template's job, not this one's.
 */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** Cuts a string to `max` characters with an ellipsis. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Seconds since the epoch from `sec.nnnnnnnnn` (ConnRecord.ts) or an ISO 8601 string; NaN when neither. */
export function epochSeconds(ts: string): number {
  if (/^\d+(\.\d+)?$/.test(ts)) return Number(ts);
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? NaN : ms / 1000;
}

/** `2026-03-09 08:15:02Z` (seconds precision), or the input itself when it is not a time. */
export function shortTime(ts: string): string {
  // Whole seconds from the string itself: as a double, 1772000000.999999999 rounds up to the next second.
  const s = /^\d+\.\d+$/.test(ts) ? Number(ts.slice(0, ts.indexOf('.'))) : epochSeconds(ts);
  return Number.isFinite(s) ? new Date(Math.floor(s) * 1000).toISOString().replace('T', ' ').replace('.000Z', 'Z') : ts;
}

/** ISO 8601 with milliseconds, or '' when the input is not a time. */
export function isoTime(ts: string): string {
  const s = epochSeconds(ts);
  return Number.isFinite(s) ? new Date(Math.round(s * 1000)).toISOString() : '';
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '';
  if (seconds > 0 && seconds < 0.1) return seconds < 0.0005 ? '< 1 ms' : `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Shannon entropy in bits per character of a label (how random a subdomain looks). */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return Math.round(h * 1000) / 1000;
}

/** Severity order, most severe first. */
export const SEVERITIES = ['high', 'medium', 'low'] as const;
