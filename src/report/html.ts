/**
 * The HTML report: one self-contained file (no network, no script, inline CSS and SVG), readable without JavaScript
 * and printable. templates/report.hbs + templates/partials/*.hbs, rendered in a private handlebars environment.
 *
 * Safety: every value goes through `{{ }}` (HTML-escaped); the template has no triple-stash. Chart SVG, which vega made
 * and escaped, enters only through the `chart` helper after `inertSvg`. Wire strings are also made printable (control
 * and bidi characters shown as escapes) before they reach the template. A CSP meta forbids scripts as a last line.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type HandlebarsNs from 'handlebars';
import { renderSvg } from './charts.js';
import { printable } from './text.js';
import type { ReportData } from './types.js';
import { buildView } from './view.js';

/**
 * handlebars from the single-file build its package ships (same release): 13-24 ms to load against 43-60 ms for its
 * main entry, which also loads the precompiler's source-map support that a report never uses.
 */
const Handlebars = createRequire(import.meta.url)('handlebars/dist/handlebars.js') as typeof HandlebarsNs;

/** templates/ beside src/ (tsx) or dist/ (built): two levels up from this file either way. */
const TEMPLATES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'templates');

/** Only http(s) links survive; anything else (javascript:, data:, relative) becomes '#'. */
export function safeUrl(u: unknown): string {
  if (typeof u !== 'string') return '#';
  try {
    const url = new URL(u);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : '#';
  } catch {
    return '#';
  }
}

/** Deep copy with every string made printable; SafeStrings (none are made before this) would pass untouched. */
function printableDeep(v: unknown): unknown {
  if (typeof v === 'string') return printable(v);
  if (Array.isArray(v)) return v.map(printableDeep);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, printableDeep(x)]));
  }
  return v;
}

function compileTemplates(svgs: ReadonlyMap<string, string>): Handlebars.TemplateDelegate {
  const hb = Handlebars.create();
  const partials = join(TEMPLATES_DIR, 'partials');
  for (const f of readdirSync(partials).filter((n) => n.endsWith('.hbs'))) {
    hb.registerPartial(f.slice(0, -4), readFileSync(join(partials, f), 'utf8'));
  }
  hb.registerHelper('safeUrl', (u: unknown) => safeUrl(u));
  hb.registerHelper('chart', (id: unknown) => new hb.SafeString(typeof id === 'string' ? (svgs.get(id) ?? '') : ''));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  return hb.compile(readFileSync(join(TEMPLATES_DIR, 'report.hbs'), 'utf8'), { strict: false, preventIndent: true });
}

/** Renders the whole report. Async because vega renders SVG asynchronously. */
export async function renderReport(data: ReportData): Promise<string> {
  const { view, charts } = buildView(data);
  const svgs = new Map<string, string>();
  for (const [id, spec] of charts) svgs.set(id, await renderSvg(spec));
  return compileTemplates(svgs)(printableDeep(view));
}
