// The build's precompiled templates (src/report/templates.ts) against handlebars compiling the same files at run time:
// the same report, byte for byte; a module made from other sources is not used. The reference is handlebars' own
// compiler, through the report's fallback path.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type HandlebarsNs from 'handlebars';
import { openGeo } from '../../src/geo/lookup.js';
import { renderReport } from '../../src/report/html.js';
import { loadPrecompiled, precompiledModule, readTemplateSources } from '../../src/report/templates.js';
import { fixture } from './fixture.js';

const Handlebars = createRequire(import.meta.url)('handlebars/dist/handlebars.js') as typeof HandlebarsNs;
const precompile = (src: string, opts: object): string => String(Handlebars.precompile(src, opts));
const dir = mkdtempSync(join(tmpdir(), 'nad-templates-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const geo = openGeo({ enabled: true });
const sources = readTemplateSources();

test('precompiled templates render the same report as templates compiled at run time', async () => {
  const path = join(dir, 'real.js');
  writeFileSync(path, precompiledModule(sources, precompile));
  assert.notEqual(await loadPrecompiled(sources.hash, path), null);
  const compiled = await renderReport(fixture({ hostile: true, geo }), join(dir, 'absent.js'));
  const pre = await renderReport(fixture({ hostile: true, geo }), path);
  assert.ok(compiled.length > 10_000);
  assert.ok((compiled.match(/<svg[\s\S]*?<\/svg>/g) ?? []).length >= 3, 'the charts are there');
  assert.equal(pre, compiled); // charts included: their ids are scoped per chart (charts.ts scopeSvgIds)
});

test('a precompiled module is used only when it was made from the templates on disk', async () => {
  // Same hash, other body: taken (so the test above did run the precompiled path).
  const marked = join(dir, 'marked.js');
  writeFileSync(marked, precompiledModule({ main: 'precompiled {{eq 1 1}}', partials: [], hash: sources.hash }, precompile));
  assert.equal(await renderReport(fixture({ hostile: false, geo }), marked), 'precompiled true');
  // Made from other sources (templates edited after the build): not taken, the templates are compiled instead.
  const stale = join(dir, 'stale.js');
  const edited = { ...sources, main: `${sources.main}<!-- edited -->`, hash: 'f'.repeat(64) };
  writeFileSync(stale, precompiledModule(edited, precompile));
  assert.equal(await loadPrecompiled(sources.hash, stale), null);
  const html = await renderReport(fixture({ hostile: false, geo }), stale);
  assert.ok(!html.includes('<!-- edited -->') && html.includes('</html>'));
});
