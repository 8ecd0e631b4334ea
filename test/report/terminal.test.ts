// Terminal summary: colour only on a TTY without NO_COLOR (no-color.org), and never a raw control character from
// the wire. Expected strings are ECMA-48 facts (ESC = 0x1b starts every SGR sequence), not nad output.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTerminal, sparkline, useColor } from '../../src/report/terminal.js';
import type { ReportData } from '../../src/report/types.js';
import { HOSTILE, fixture } from './fixture.js';

/** The hostile fixture with control characters at the start of the top finding, where no clipping hides them. */
function hostileData(): ReportData {
  const d = fixture({ hostile: true, geo: null });
  const [first, ...rest] = d.findings;
  assert.ok(first);
  return { ...d, findings: [{ ...first, src: HOSTILE.ctrl, explanation: HOSTILE.ctrl }, ...rest] };
}

const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/; // everything but \n

test('useColor: TTY only, NO_COLOR set and non-empty disables it', () => {
  assert.equal(useColor({ isTTY: true }, {}), true);
  assert.equal(useColor({ isTTY: false }, {}), false);
  assert.equal(useColor({}, {}), false);
  assert.equal(useColor({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(useColor({ isTTY: true }, { NO_COLOR: '' }), true, 'no-color.org: an empty NO_COLOR does not count');
});

test('no colour: no ANSI escape and no control character, even from hostile input', () => {
  const out = renderTerminal(hostileData(), { color: useColor({ isTTY: true }, { NO_COLOR: '1' }) });
  assert.equal(CONTROL.exec(out), null);
  assert.ok(!out.includes('\x1b'));
  assert.match(out, /Findings: 2 high, 1 medium, 1 low/);
  assert.match(out, /\\x1b\[31mred/, 'the hostile ESC is shown as an escape');
  assert.match(out, /^Traffic [▁▂▃▄▅▆▇█]+ {2}peak/m);
});

test('colour: only SGR sequences, severity coloured; hostile strings still inert', () => {
  const out = renderTerminal(hostileData(), { color: true });
  const withoutSgr = out.replace(/\x1b\[[0-9;]*m/g, '');
  assert.equal(CONTROL.exec(withoutSgr), null, 'every escape is one of ours');
  assert.ok(out.includes('\x1b[1;31mHIGH'));
  assert.ok(out.includes('\x1b[33mMEDIUM'));
});

test('sparkline: 8 levels scaled to the maximum', () => {
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([0, 0]), '▁▁');
  assert.equal(sparkline([]), '');
});
