// Chart SVG ids (src/report/charts.ts scopeSvgIds): vega numbers clip paths and gradients per process, so they are
// renumbered per chart; a report is then the same whatever was rendered before it, and its references all resolve.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openGeo } from '../../src/geo/lookup.js';
import { scopeSvgIds } from '../../src/report/charts.js';
import { renderReport } from '../../src/report/html.js';
import { fixture } from './fixture.js';

test('scopeSvgIds renumbers clip paths and gradients per chart, in attributes only', () => {
  const svg =
    '<svg><defs><clipPath id="clip7"><rect/></clipPath><clipPath id="clip9"><rect/></clipPath>' +
    '<linearGradient id="gradient_3"/></defs><g clip-path="url(#clip9)"><path fill="url(#gradient_3)"/></g>' +
    '<g clip-path="url(#clip7)"><text>url(#clip7) id=&quot;clip9&quot;</text></g></svg>';
  assert.equal(
    scopeSvgIds(svg, 'map'),
    '<svg><defs><clipPath id="map-clip1"><rect/></clipPath><clipPath id="map-clip2"><rect/></clipPath>' +
      '<linearGradient id="map-gradient1"/></defs><g clip-path="url(#map-clip2)"><path fill="url(#map-gradient1)"/></g>' +
      '<g clip-path="url(#map-clip1)"><text>url(#clip7) id=&quot;clip9&quot;</text></g></svg>',
  );
});

test('a second report rendered in one process is the same, and every id reference in it resolves once', async () => {
  const geo = openGeo({ enabled: true });
  const first = await renderReport(fixture({ hostile: true, geo }));
  const second = await renderReport(fixture({ hostile: true, geo }));
  assert.equal(second, first);
  const ids = [...first.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  const refs = [...first.matchAll(/="url\(#([^)]+)\)"/g)].map((m) => m[1]!);
  assert.ok(refs.length > 0, 'the map clips its layers');
  for (const r of refs) assert.ok(ids.includes(r), `url(#${r}) names an element`);
});
