/**
 * Charts as vega-lite specs, compiled and rendered to SVG strings at analysis time (vega View, renderer 'none'), so the
 * report needs no script to show them. Text in vega's SVG is XML-escaped; `inertSvg` checks the result once more before
 * it is inlined, because a chart label can be a DNS name off the wire.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';
import { loadVega } from './vega_load.js';

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, labelLimit: 260 },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  title: { fontSize: 13, anchor: 'start' as const },
};

/**
 * Renders a vega-lite spec to a standalone SVG string, its ids scoped under `chartId` (scopeSvgIds); '' when the
 * result fails the inertness check.
 */
export async function renderSvg(spec: TopLevelSpec, chartId: string): Promise<string> {
  const { vega, vl } = await loadVega();
  const compiled = vl.compile({ ...spec, config: CONFIG } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return inertSvg(scopeSvgIds(await view.toSVG(), chartId));
  } finally {
    view.finalize();
  }
}

/**
 * Defence in depth: vega escapes every label, so none of these can appear unless vega itself regresses. Escaped text
 * (`onerror=&quot;…`) does not match: an event-handler attribute needs a real quote after `=`.
 */
const ACTIVE_SVG = /<script|<foreignObject|<iframe|<object|<embed|\son[a-z]+\s*=\s*["']|(?:href|src)\s*=\s*["']\s*(?!#)[a-z]+:/i;

export function inertSvg(svg: string): string {
  return ACTIVE_SVG.test(svg) ? '' : svg;
}

let topo: unknown = null;
/** world-atlas countries-110m (Natural Earth 1:110m, 108 KB): ids are ISO 3166-1 numeric strings. */
function worldTopo(): unknown {
  topo ??= JSON.parse(readFileSync(createRequire(import.meta.url).resolve('world-atlas/countries-110m.json'), 'utf8'));
  return topo;
}

export interface MapCountry {
  /** ISO 3166-1 numeric, as world-atlas ids. */
  id: string;
  name: string;
  bytes: number;
}

export interface MapEndpoint {
  lat: number;
  lon: number;
  bytes: number;
  flagged: boolean;
  /** Shown in the bubble's aria-label: address, country, AS. */
  label: string;
}

/** Countries shaded by bytes (log scale), endpoint bubbles sized by bytes, flagged endpoints in red. */
export function worldMapSpec(countries: readonly MapCountry[], endpoints: readonly MapEndpoint[]): TopLevelSpec {
  return {
    width: 760,
    height: 372,
    // Fixed, not fitted: vega-lite's fit cut off the Arctic and Antarctica. Equal Earth spans ±2.7066 × scale across
    // and ±1.3173 × scale down (d3-geo), so scale 140 fills 760 × 372.
    projection: { type: 'equalEarth', scale: 140, translate: [380, 186] },
    layer: [
      {
        // The globe's outline, as the ocean.
        data: { sphere: true },
        mark: { type: 'geoshape', fill: '#f4f8fb', stroke: '#c9d3dc', strokeWidth: 0.5 },
      },
      {
        // Every country in grey first: the lookup below keeps only countries with traffic.
        name: 'land',
        data: { values: worldTopo() as object, format: { type: 'topojson', feature: 'countries' } },
        mark: { type: 'geoshape', fill: '#e4e4e4', stroke: '#ffffff', strokeWidth: 0.5 },
      },
      {
        name: 'countries',
        data: { values: worldTopo() as object, format: { type: 'topojson', feature: 'countries' } },
        transform: [{ lookup: 'id', from: { data: { values: [...countries] }, key: 'id', fields: ['bytes', 'name'] } }],
        mark: { type: 'geoshape', stroke: '#ffffff', strokeWidth: 0.5 },
        encoding: {
          color: { field: 'bytes', type: 'quantitative', scale: { type: 'log', scheme: 'blues' }, title: 'bytes by country' },
          tooltip: [{ field: 'name', type: 'nominal' }, { field: 'bytes', type: 'quantitative' }],
        },
      },
      {
        name: 'endpoints',
        data: { values: [...endpoints] },
        mark: { type: 'circle', opacity: 0.75, stroke: '#222222', strokeWidth: 0.6 },
        encoding: {
          longitude: { field: 'lon', type: 'quantitative' },
          latitude: { field: 'lat', type: 'quantitative' },
          size: { field: 'bytes', type: 'quantitative', scale: { range: [20, 900] }, title: 'bytes by endpoint' },
          color: {
            field: 'flagged',
            type: 'nominal',
            scale: { domain: [false, true], range: ['#f2a93b', '#d62728'] },
            title: 'flagged',
          },
          tooltip: [{ field: 'label', type: 'nominal' }, { field: 'bytes', type: 'quantitative' }],
        },
      },
    ],
  } as TopLevelSpec;
}

/** Histogram of numeric values (e.g. seconds between a beacon's connections). */
export function histogramSpec(values: readonly number[], title: string, xTitle: string): TopLevelSpec {
  return {
    title,
    width: 340,
    height: 160,
    data: { values: values.map((v) => ({ v })) },
    mark: { type: 'bar', color: '#4c78a8' },
    encoding: {
      x: { field: 'v', type: 'quantitative', bin: { maxbins: 30 }, title: xTitle },
      y: { aggregate: 'count', type: 'quantitative', title: 'count' },
    },
  } as TopLevelSpec;
}

export interface TimePoint {
  /** Milliseconds since the epoch. */
  t: number;
  value: number;
  series?: string;
}

/** Values over time: `tick` for event times (beacon timeline), `bar` for bucketed volumes, `area` for traffic. */
export function timelineSpec(points: readonly TimePoint[], title: string, yTitle: string, mark: 'tick' | 'bar' | 'area'): TopLevelSpec {
  const series = points.some((p) => p.series !== undefined);
  return {
    title,
    width: mark === 'tick' ? 340 : 700,
    height: mark === 'tick' ? 60 : 150,
    data: { values: points.map((p) => ({ t: p.t, value: p.value, series: p.series ?? '' })) },
    mark: mark === 'tick' ? { type: 'tick', color: '#d62728', thickness: 1 } : { type: mark, color: '#4c78a8', opacity: 0.85 },
    encoding: {
      x: { field: 't', type: 'temporal', title: 'time (UTC)', axis: { format: '%H:%M', labelAngle: 0 }, scale: { type: 'utc' } },
      ...(mark === 'tick' ? {} : { y: { field: 'value', type: 'quantitative', title: yTitle, stack: series ? 'zero' : null } }),
      ...(series ? { color: { field: 'series', type: 'nominal', title: null } } : {}),
    },
  } as TopLevelSpec;
}

export interface BarRow {
  label: string;
  value: number;
  /** Groups bars (e.g. `capture` vs `baseline`); omitted for a single series. */
  series?: string;
}

/** Horizontal bars, in the order given; grouped by series when rows carry one. */
export function barSpec(rows: readonly BarRow[], title: string, xTitle: string): TopLevelSpec {
  const series = rows.some((r) => r.series !== undefined);
  const order = [...new Set(rows.map((r) => r.label))];
  return {
    title,
    width: 420,
    data: { values: rows.map((r) => ({ label: r.label, value: r.value, series: r.series ?? '' })) },
    mark: { type: 'bar', color: '#4c78a8' },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: order, title: null },
      x: { field: 'value', type: 'quantitative', title: xTitle },
      ...(series ? { yOffset: { field: 'series', type: 'nominal' }, color: { field: 'series', type: 'nominal', title: null } } : {}),
    },
    ...(series ? { height: { step: 9 } } : { height: { step: 16 } }),
  } as TopLevelSpec;
}

/**
 * vega numbers the clip paths and gradients of every view it renders in a process (`clip1`, `gradient_0`…), so one
 * chart's SVG depended on what was rendered before it. Renumbered per chart under the chart's id (`map-clip1`), an
 * SVG is the same whatever was rendered before it in the process, and ids stay unique in the page. Only attributes are
 * rewritten: text off the wire cannot hold the `="` these patterns start with (vega escapes quotes in text).
 */
export function scopeSvgIds(svg: string, chartId: string): string {
  const ids = new Map<string, string>();
  const counts = { clip: 0, gradient: 0 };
  return svg.replace(/(\sid="|="url\(#)(clip|gradient)(_?\d+)(?=[")])/g, (_m, pre: string, kind: 'clip' | 'gradient', n: string) => {
    const id = kind + n;
    let scoped = ids.get(id);
    if (scoped === undefined) {
      scoped = `${chartId}-${kind}${++counts[kind]}`;
      ids.set(id, scoped);
    }
    return pre + scoped;
  });
}
