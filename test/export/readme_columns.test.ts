// README's column tables must equal what the record types' doc comments say (they are generated from them).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderReadme } from '../../scripts/docs.js';
import { PROJECT_ROOT } from '../shared.js';

test('README column tables are generated from the doc comments and up to date', () => {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  for (const name of ['flows.csv', 'dns.csv', 'tls.csv', 'http.csv', 'ssh.csv', 'findings.csv']) {
    assert.ok(readme.includes(`<!-- columns:${name} -->`), `README has a generated table for ${name}`);
  }
  assert.equal(readme, renderReadme(readme), 'README.md is out of date: run npm run docs');
  const undocumented = readme.split('\n').filter((l) => /^\| `[^`]+` \|\s*\|$/.test(l));
  assert.deepEqual(undocumented, [], 'every exported column has a doc comment');
});
