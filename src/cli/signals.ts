/**
 * Ctrl-C semantics for streaming input: the first SIGINT/SIGTERM stops reading and lets the run finish its outputs
 * with what was read; a second one exits at once, after removing temp files, so no half-written file is left.
 */
import { removeLiveTempFiles } from '../export/atomic.js';

export interface Interrupts {
  signal: AbortSignal;
  dispose(): void;
}

export function handleInterrupts(onFirst?: () => void): Interrupts {
  const controller = new AbortController();
  let count = 0;
  const handler = (sig: NodeJS.Signals): void => {
    count++;
    if (count === 1) {
      controller.abort(new Error(`interrupted by ${sig}`));
      if (onFirst) onFirst();
      return;
    }
    // Second signal: leave now, but never leave a half-written file behind.
    removeLiveTempFiles();
    process.exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
