/** Headless Chromium for report tests (Debian's chromium, driven by playwright-core); skip message when absent. */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env['NAD_CHROMIUM'] ?? '/usr/bin/chromium';
export const SKIP_NO_CHROMIUM: string | false = existsSync(CHROMIUM)
  ? false
  : `chromium not found at ${CHROMIUM} (apt-get install chromium, or set NAD_CHROMIUM): browser test skipped`;

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}
