/**
 * The HTML report: one self-contained file (no network, no script, inline CSS and SVG), readable without JavaScript
 * and printable. templates/report.hbs + templates/partials/*.hbs, rendered in a private handlebars environment.
 *
 * Safety: every value goes through `{{ }}` (HTML-escaped); the template has no triple-stash. Chart SVG, which vega made
 * and escaped, enters only through the `chart` helper after `inertSvg`. Wire strings are also made printable (control
 * and bidi characters shown as escapes) before they reach the template. A CSP meta forbids scripts as a last line.
 */
import { createRequire } from 'node:module';
import type HandlebarsNs from 'handlebars';
import { renderSvg } from './charts.js';
import { COMPILE_OPTIONS, loadPrecompiled, readTemplateSources } from './templates.js';
import { printable } from './text.js';
import type { ReportData } from './types.js';
import { buildView } from './view.js';

const requireHere = createRequire(import.meta.url);

/** A precompiled template spec, as `template` takes it. */
type Spec = Parameters<typeof HandlebarsNs.template>[0];

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

/**
 * The report template with its partials and helpers: the build's precompiled templates (templates.ts) when they are
 * those on disk, with handlebars' runtime build; else compiled here, with its full build. Both are the single-file
 * builds the package ships (same release): the full one loads in 13–24 ms against 43–60 ms for the main entry, which
 * also loads the precompiler's source-map support. Both have the same `create`, `template` and helpers API.
 */
async function reportTemplate(svgs: ReadonlyMap<string, string>, precompiled?: string): Promise<HandlebarsNs.TemplateDelegate> {
  const sources = readTemplateSources();
  const pre = await loadPrecompiled(sources.hash, precompiled);
  const hb = requireHere(pre === null ? 'handlebars/dist/handlebars.js' : 'handlebars/dist/handlebars.runtime.js') as typeof HandlebarsNs;
  const env = hb.create();
  env.registerHelper('safeUrl', (u: unknown) => safeUrl(u));
  env.registerHelper('chart', (id: unknown) => new env.SafeString(typeof id === 'string' ? (svgs.get(id) ?? '') : ''));
  env.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  if (pre !== null) {
    for (const [name, spec] of Object.entries(pre.partials)) env.registerPartial(name, env.template(spec as Spec));
    return env.template(pre.main as Spec);
  }
  for (const [name, src] of sources.partials) env.registerPartial(name, src);
  return env.compile(sources.main, COMPILE_OPTIONS);
}

/** Renders the whole report. Async because vega renders SVG asynchronously. `precompiled`: the precompiled templates'
 *  module (default: the build's, templates.ts); tests point it elsewhere. */
export async function renderReport(data: ReportData, precompiled?: string): Promise<string> {
  const { view, charts } = buildView(data);
  const svgs = new Map<string, string>();
  for (const [id, spec] of charts) svgs.set(id, await renderSvg(spec, id));
  return (await reportTemplate(svgs, precompiled))(printableDeep(view));
}
