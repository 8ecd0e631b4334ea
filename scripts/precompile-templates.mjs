// npm run build: writes dist/report/templates.precompiled.js from templates/ (see src/report/templates.ts), after tsc.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { precompiledModule, readTemplateSources } from '../dist/report/templates.js';

const Handlebars = createRequire(import.meta.url)('handlebars/dist/handlebars.js');
const out = new URL('../dist/report/templates.precompiled.js', import.meta.url);
writeFileSync(out, precompiledModule(readTemplateSources(), (src, opts) => Handlebars.precompile(src, opts)));
