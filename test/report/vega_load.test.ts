// The report loads vega and vega-lite from their packages' single-file builds (src/report/vega_load.ts). The
// reference is the packages' own ES modules: same release, and the same chart from the same spec.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as vegaEsm from 'vega';
import * as vlEsm from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { loadVega } from '../../src/report/vega_load.js';

const SPEC = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: 300,
  height: 120,
  data: { values: [{ label: 'a.example', value: 3 }, { label: 'b <&> "q"', value: 7 }, { label: 'c', value: 1 }] },
  mark: 'bar',
  encoding: { y: { field: 'label', type: 'nominal' }, x: { field: 'value', type: 'quantitative' } },
} as TopLevelSpec;

async function svgOf(vega: typeof vegaEsm, vl: typeof vlEsm): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(SPEC).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** What a reader sees: every text node and every mark's aria-label, in order. */
function readable(svg: string): string[] {
  return [...svg.matchAll(/aria-label="([^"]*)"|>([^<>]+)</g)].map((m) => m[1] ?? m[2]!);
}

test('vega and vega-lite single-file builds are the release the ES modules are', async () => {
  const { vega, vl } = await loadVega();
  assert.notEqual(vega, vegaEsm, 'the single-file build was not used (the packages no longer ship it?)');
  assert.equal(vega.version, vegaEsm.version);
  assert.equal(vl.version, vlEsm.version);
});

test('a chart from the single-file builds reads as the ES modules draw it (labels escaped alike)', async () => {
  const { vega, vl } = await loadVega();
  const bundled = await svgOf(vega, vl);
  const esm = await svgOf(vegaEsm, vlEsm);
  assert.deepEqual(readable(bundled), readable(esm));
  assert.ok(bundled.includes('b &lt;&amp;&gt; &quot;q&quot;'), 'label escaped');
  assert.equal(bundled.match(/<path/g)?.length, esm.match(/<path/g)?.length);
});
