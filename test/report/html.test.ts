// The report opened in headless Chromium: hostile wire strings stay inert text, the sections and map marks exist.
// Data: test/report/fixture.ts (synthetic records built from the contracts, not from nad's pipeline).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { openGeo } from '../../src/geo/lookup.js';
import { inertSvg } from '../../src/report/charts.js';
import { renderReport, safeUrl } from '../../src/report/html.js';
import { HOSTILE, PASSWORD, fixture } from './fixture.js';
import { SKIP_NO_CHROMIUM, launch } from './browser.js';

const dir = mkdtempSync(join(tmpdir(), 'nad-report-'));
const geo = openGeo({ enabled: true });
let browser: Browser | null = null;
let hostileHtml = '';
let cleanHtml = '';

before(async () => {
  hostileHtml = await renderReport(fixture({ hostile: true, geo }));
  // A realistic size: 5× the fixture's background, ~6,800 flows, 3,300 DNS queries, 2,400 TLS handshakes, 600 HTTP requests.
  cleanHtml = await renderReport(fixture({ hostile: false, geo, scale: 5 }));
  writeFileSync(join(dir, 'hostile.html'), hostileHtml);
  writeFileSync(join(dir, 'clean.html'), cleanHtml);
  if (SKIP_NO_CHROMIUM === false) browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('HTML source: no script, no external resource, CSP first in head, no raw control characters', () => {
  /** The first match of re with some context, or null: keeps failure messages short (a report is 200 KB). */
  const hit = (html: string, re: RegExp): string | null => {
    const m = re.exec(html);
    return m === null ? null : html.slice(Math.max(0, m.index - 80), m.index + 80);
  };
  for (const html of [hostileHtml, cleanHtml]) {
    assert.equal(hit(html, /<script/i), null);
    assert.equal(hit(html, /<(iframe|object|embed|link|foreignObject)\b/i), null);
    assert.equal(hit(html, /\s(src|srcset|xlink:href|action)\s*=\s*["']?\s*(https?:|\/\/|javascript:)/i), null);
    assert.equal(hit(html, /@import|url\((?!#)/i), null); // url(#gradient_0) is the legend's own gradient
    assert.equal(hit(html, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202e]/), null);
    const head = html.slice(0, html.indexOf('</head>'));
    assert.match(head, /<head>\s*<meta charset="utf-8">\s*<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'none'/);
    for (const m of html.matchAll(/href="([^"]*)"/g)) assert.match(m[1] ?? '', /^(#[\w-]*|https:\/\/[\w./-]+)$/, `href ${m[1]}`);
  }
  assert.ok(hostileHtml.includes('&lt;script&gt;window.__pwned&#x3D;1'), 'script tag shown as escaped text');
  assert.ok(hostileHtml.includes('evil\\x00\\x1b[31mred\\x07\\x0d\\x0aX-Injected: 1\\u{202e}exe.txt'), 'control characters shown as escapes');
});

test('inertSvg refuses active SVG and keeps escaped text', () => {
  for (const bad of [
    '<svg><script>alert(1)</script></svg>',
    '<svg><g onload="alert(1)"/></svg>',
    "<svg><a href='javascript:alert(1)'>x</a></svg>",
    '<svg><image xlink:href="https://evil.example/x.png"/></svg>',
    '<svg><foreignObject><div/></foreignObject></svg>',
  ]) {
    assert.equal(inertSvg(bad), '', bad);
  }
  const ok = '<svg><path aria-label="label: &quot;&gt;&lt;img src=x onerror=alert(1)&gt;" fill="url(#g)"/><text>javascript:alert(1)</text></svg>';
  assert.equal(inertSvg(ok), ok);
});

test('safeUrl keeps only http(s)', () => {
  assert.equal(safeUrl('https://db-ip.com'), 'https://db-ip.com/');
  for (const bad of [HOSTILE.js, 'JaVaScRiPt:alert(1)', 'data:text/html,x', '//evil.example', 'vbscript:x', 42]) assert.equal(safeUrl(bad), '#');
});

test('hostile strings: no script runs in Chromium and the strings show as text', { skip: SKIP_NO_CHROMIUM }, async () => {
  assert.ok(browser);
  const page = await browser.newPage();
  const events: string[] = [];
  page.on('dialog', (d) => {
    events.push(`dialog ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => events.push(`pageerror ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) events.push(`request ${r.url()}`);
  });
  await page.goto(pathToFileURL(join(dir, 'hostile.html')).href);
  // Evaluated as a string: the project's tsconfig has no DOM lib.
  const state = (await page.evaluate(`(() => {
    const all = [...document.querySelectorAll('*')];
    return {
      pwned: window.__pwned ?? null,
      scripts: document.scripts.length,
      handlers: all.filter((e) => [...e.attributes].some((a) => a.name.toLowerCase().startsWith('on'))).length,
      imgs: document.images.length,
      iframes: document.querySelectorAll('iframe, object, embed, foreignObject').length,
      text: document.body.innerText,
    };
  })()`)) as { pwned: unknown; scripts: number; handlers: number; imgs: number; iframes: number; text: string };
  assert.equal(state.pwned, null, 'window.__pwned was set: a script ran');
  assert.deepEqual(events, []);
  assert.equal(state.scripts, 0);
  assert.equal(state.handlers, 0, 'no element carries an on* attribute');
  assert.equal(state.imgs, 0);
  assert.equal(state.iframes, 0);
  for (const s of [HOSTILE.script, HOSTILE.img, HOSTILE.js, HOSTILE.tmpl, '<svg onload="window.__pwned=5">']) {
    assert.ok(state.text.includes(s), `shown as text: ${s}`);
  }
  assert.ok(state.text.includes('\\x1b[31mred'), 'ESC shown as an escape');
  await page.screenshot({ path: join(dir, 'hostile.png') });
  await page.close();
});

test('report structure: sections, shaded countries and endpoint bubbles on the map, screenshot', { skip: SKIP_NO_CHROMIUM }, async () => {
  assert.ok(browser);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(pathToFileURL(join(dir, 'clean.html')).href);
  for (const id of ['verdict', 'findings', 'details', 'map', 'mix', 'talkers', 'protocols', 'facts', 'methodology']) {
    assert.equal(await page.locator(`section#${id}`).count(), 1, `section #${id}`);
  }
  const map = (await page.evaluate(`(() => {
    const fills = [...document.querySelectorAll('#map .countries_marks path')].map((p) => p.getAttribute('fill'));
    const bubbles = [...document.querySelectorAll('#map .endpoints_marks path')];
    return {
      land: document.querySelectorAll('#map .land_marks path').length,
      shaded: fills.filter((f) => f !== null && f !== '#e4e4e4' && f !== 'none').length,
      bubbles: bubbles.length,
      flagged: bubbles.filter((p) => p.getAttribute('fill') === '#d62728').length,
    };
  })()`)) as { land: number; shaded: number; bubbles: number; flagged: number };
  assert.ok(map.land >= 170, `world outline drawn (${map.land} countries)`);
  assert.ok(map.shaded >= 1, 'at least one shaded country');
  assert.ok(map.bubbles >= 1, 'at least one endpoint bubble');
  assert.ok(map.flagged >= 1, 'the flagged endpoint is highlighted');
  const verdict = await page.locator('#verdict').innerText();
  assert.match(verdict, /4 findings: 2 high, 1 medium, 1 low/);
  assert.match(verdict, /beacon/);
  assert.equal(await page.locator('#findings tbody tr').count(), 4);
  // DHCP host names: under the source address in the findings table, and in the host table.
  assert.match(await page.locator('#findings tbody tr').first().innerText(), /10\.0\.0\.23\s+LT-OLGA/);
  assert.match(await page.locator('#talkers table').last().innerText(), /10\.0\.0\.23\s+LT-OLGA\s+3c:52:82:c3:96:8f\s+MSFT 5\.0/);
  assert.ok((await page.locator('#details svg').count()) >= 3, 'beacon histogram, timeline and exfil chart');
  assert.match(await page.locator('#methodology').innerText(), /IP Geolocation by DB-IP[\s\S]*CC-BY-4.0/);
  await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
  await page.screenshot({ path: join(dir, 'first-screen.png') });
  console.log(`# screenshots in ${dir}`);
  await page.close();
});

test('report for a realistic input stays under 2 MB', () => {
  console.log(`# report size: ${(Buffer.byteLength(cleanHtml) / 1e6).toFixed(2)} MB`);
  assert.ok(Buffer.byteLength(cleanHtml) < 2_000_000);
});

test('capture facts name the link types as tcpdump.org registers them, and unset parameters show a dash', async () => {
  const data = fixture({ hostile: false, geo });
  data.inputs[0]!.link_types = [1, 276];
  const html = await renderReport(data);
  // LINKTYPE_ETHERNET = 1, LINKTYPE_LINUX_SLL2 = 276 (https://www.tcpdump.org/linktypes.html).
  assert.match(html, /<tr><th>link types<\/th><td>ETHERNET \(1\), LINUX_SLL2 \(276\)<\/td>/);
  assert.match(html, /<tr><th>filter<\/th><td class="mono wrap">—<\/td>/);
});

test('HTTP section lists the JA4H fingerprints beside the user agents', () => {
  const section = cleanHtml.slice(cleanHtml.indexOf('HTTP: '), cleanHtml.indexOf('</section>', cleanHtml.indexOf('HTTP: ')));
  assert.match(section, /JA4H/);
  assert.match(section, /ge11nn05enus_c937b9d8d06e_000000000000_000000000000/);
});

test('TLS section lists the certificates\' JA4X fingerprints', () => {
  const at = cleanHtml.indexOf('TLS: ');
  const section = cleanHtml.slice(at, cleanHtml.indexOf('HTTP: ', at));
  assert.match(section, /JA4X \(certificate\)/);
  assert.match(section, /a373a9f83c6b_2bab15409345_7bf9a7bf7029/);
});

test('files table: a program downloaded as an image, by its content, with its hash, the declared type in bold; an archive uploaded', () => {
  for (const html of [hostileHtml, cleanHtml]) {
    const i = html.indexOf('<h3 id="files">');
    assert.ok(i > 0, 'no files section');
    const section = html.slice(i, html.indexOf('</table>', i));
    assert.match(section, /\/invest_20\.png/);
    assert.match(section, /<td class="mono"><strong>image\/png[^<]*<\/strong><\/td><td class="mono">application\/x-dosexec<\/td><td class="num">464 KB<\/td>/);
    assert.match(section, new RegExp('cd'.repeat(32)));
    assert.match(section, /<code>--extract-files<\/code> writes the files themselves/);
    // A mail attachment is an upload too, named by its file name.
    assert.match(section, /<td>SMTP<\/td><td><strong>upload \(mail\)<\/strong><\/td><td class="mono wrap">invoice\.zip[^<]*<\/td><td class="mono"><\/td><td class="mono">application\/zip<\/td><td class="num">51\.2 KB<\/td><td class="mono wrap">(ab){32}<\/td>/);
    assert.match(section, /<td>HTTP<\/td><td><strong>upload \(POST\)<\/strong><\/td><td class="mono wrap">\/upload\.php[^<]*<\/td><td class="mono"><\/td><td class="mono">application\/zip<\/td><td class="num">2\.40 MB<\/td><td class="mono wrap">(ef){32}<\/td>/);
  }
});

test('cleartext section: the FTP upload with its data connection\'s bytes, the logins, and never a password', () => {
  for (const html of [hostileHtml, cleanHtml]) {
    assert.ok(!html.includes(PASSWORD), 'a password is in the report');
    const i = html.indexOf('<h3 id="cleartext">');
    assert.ok(i > 0, 'no cleartext section');
    const section = html.slice(i, html.indexOf('</section>', i));
    assert.match(section, /<strong>STOR<\/strong><\/td><td class="mono wrap">ftp:\/\/198\.51\.100\.7\/\.\/PW_bob\.html/);
    assert.match(section, /<td class="num">2\.40 MB<\/td>/);
    assert.match(section, /<td class="mono">http-basic<\/td>.*<td>rejected<\/td>/);
    assert.match(section, /<td class="mono wrap">PW_pc\.html/);
  }
});
