/**
 * Progress on stderr for long work: a bar (bytes of total, rate, ETA) for files, a ticker (bytes, packets, rate) for
 * pipes. Shown only when stderr is a TTY, and never under --quiet or with CI set. At most 4 redraws a second.
 */

export interface Progress {
  update(bytesRead: number, total: number | null, counts?: { packets: number; flows: number | null }): void;
  done(): void;
}

const NONE: Progress = { update: () => undefined, done: () => undefined };

export function progressEnabled(quiet: boolean): boolean {
  return !quiet && process.stderr.isTTY === true && !process.env['CI'];
}

function human(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function createProgress(quiet: boolean, label: string): Progress {
  if (!progressEnabled(quiet)) return NONE;
  const started = Date.now();
  let last = 0;
  const draw = (bytes: number, total: number | null, counts?: { packets: number; flows: number | null }): void => {
    const secs = Math.max((Date.now() - started) / 1000, 0.001);
    const rate = bytes / secs;
    let line: string;
    if (total !== null && total > 0) {
      const frac = Math.min(bytes / total, 1);
      const width = 24;
      const filled = Math.round(frac * width);
      const eta = rate > 0 ? Math.max(total - bytes, 0) / rate : 0;
      line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0)}% ${human(bytes)}/${human(total)} ${human(rate)}/s ETA ${eta.toFixed(0)}s`;
    } else {
      line = `${label} ${human(bytes)} ${human(rate)}/s`;
    }
    if (counts) line += ` · ${counts.packets.toLocaleString('en')} packets (${Math.round(counts.packets / secs).toLocaleString('en')}/s) ${counts.flows === null ? '' : ` · ${counts.flows.toLocaleString('en')} flows`}`;
    process.stderr.write(`\r\x1b[2K${line}`);
  };
  return {
    update(bytes, total, counts) {
      const now = Date.now();
      if (now - last < 250) return;
      last = now;
      draw(bytes, total, counts);
    },
    done() {
      process.stderr.write('\r\x1b[2K');
    },
  };
}
