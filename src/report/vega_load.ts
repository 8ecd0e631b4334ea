/**
 * vega and vega-lite from the single-file builds their packages ship (`vega/build/vega.js`, UMD;
 * `vega-lite/build/vega-lite.min.js`, UMD taking `vega`), evaluated once as CommonJS.
 *
 * Why. Importing the packages' ES modules loads vega's ~50 packages (vega-dataflow, vega-scale, d3-*, …) one file at
 * a time: 360–425 ms before the first chart, mostly the module loader (resolution, stat, open, URL parsing), every
 * report, on every capture however small. The single-file builds are the same release of the same code (rollup's
 * output of it, the file the packages' `unpkg` field points to) and load in ~120 ms. The packages' `type: module`
 * makes Node read those files as ES modules, where the UMD wrapper finds no `exports`, hence the wrapper below.
 * When a build is missing (a future release that drops it) the ES modules are imported as before.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runInThisContext } from 'node:vm';

export type Vega = typeof import('vega');
export type VegaLite = typeof import('vega-lite');

/** Evaluates a UMD file as CommonJS with the given `require`; returns its exports. */
function loadUmd(path: string, requireShim: (id: string) => unknown): unknown {
  const wrapped = `(function (exports, module, require) {${readFileSync(path, 'utf8')}\n})`;
  const fn = runInThisContext(wrapped, { filename: path }) as (e: object, m: { exports: object }, r: (id: string) => unknown) => void;
  const module = { exports: {} };
  fn.call(module.exports, module.exports, module, requireShim);
  return module.exports;
}

function noRequire(id: string): never {
  throw new Error(`vega bundle asked for ${id}`);
}

let loaded: Promise<{ vega: Vega; vl: VegaLite }> | null = null;

/** vega and vega-lite, loaded on first call. */
export function loadVega(): Promise<{ vega: Vega; vl: VegaLite }> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    // The packages export only '.', which resolves into their build folders, next to the single-file builds.
    const vegaUmd = join(dirname(require.resolve('vega')), 'vega.js');
    const vlUmd = join(dirname(require.resolve('vega-lite')), 'vega-lite.min.js');
    if (existsSync(vegaUmd) && existsSync(vlUmd)) {
      const vega = loadUmd(vegaUmd, noRequire) as Vega;
      const vl = loadUmd(vlUmd, (id) => (id === 'vega' ? vega : noRequire(id))) as VegaLite;
      if (typeof vega.View === 'function' && typeof vl.compile === 'function') return { vega, vl };
    }
    return { vega: await import('vega'), vl: await import('vega-lite') };
  })();
  return loaded;
}
