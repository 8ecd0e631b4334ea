// `npm run regress`: nad over the committed samples, checked against the simulator's ground truth
// (samples/*.truth.json, written by `nad simulate` beside each capture — not by the analyser).
// Flows and metadata first: every injected entity's traffic is in flows.csv/dns.csv/tls.csv; then detection: every
// injected behaviour is found and ranked above every entity that was not injected.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { Finding } from '../../src/findings/finding.js';
import type { GroundTruth, TruthEntity } from '../../src/simulate/truth.js';
import { pathToFileURL } from 'node:url';
import { nad } from '../cli/run.js';
import { SKIP_NO_CHROMIUM, launch } from '../report/browser.js';
import { PROJECT_ROOT, readCsv } from '../shared.js';

const SAMPLES = join(PROJECT_ROOT, 'samples');
const suspect = join(SAMPLES, 'suspect.pcap');
const clean = join(SAMPLES, 'clean.pcap');
const truthPath = join(SAMPLES, 'suspect.truth.json');
const skip = existsSync(suspect) && existsSync(clean) && existsSync(truthPath) ? false : 'samples/ not generated yet (npm run samples)';

let out = '';
let truth: GroundTruth;
let findings: Finding[] = [];

/** Whether a finding is about this injected entity: same source, and a destination address or name of it. */
function matches(f: Finding, e: TruthEntity): boolean {
  if (f.src !== e.src_ip) return false;
  if (e.kind === 'scan') return f.kinds.includes('scan');
  const name = e.dst_name ?? '';
  return (f.dst !== '' && e.dst_ips.includes(f.dst)) || (name !== '' && f.name !== '' && (f.name === name || f.name.endsWith(`.${name}`) || name.endsWith(`.${f.name}`)));
}

before(() => {
  if (skip) return;
  truth = JSON.parse(readFileSync(truthPath, 'utf8')) as GroundTruth;
  out = join(mkdtempSync(join(tmpdir(), 'nad-regress-')), 'suspect');
  const r = nad(['analyze', suspect, '--baseline', clean, '--out', out, '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  findings = (JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { findings: Finding[] }).findings;
});

test('the suspect sample has every kind of injection in its ground truth', { skip }, () => {
  const kinds = new Set(truth.entities.map((e) => e.kind));
  for (const k of ['beacon', 'exfil', 'dns-tunnel', 'scan']) assert.ok(kinds.has(k as TruthEntity['kind']), `ground truth has ${k}`);
});

test('flows and metadata: each injected entity is in flows.csv / dns.csv as the ground truth says', { skip }, () => {
  const flows = readCsv(join(out, 'flows.csv'));
  const dns = readCsv(join(out, 'dns.csv'));
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { packets: number };
  assert.equal(summary.packets, truth.capture.packets, 'packets equal the simulator count');
  for (const e of truth.entities) {
    if (e.kind === 'dns-tunnel') {
      const name = e.dst_name ?? '';
      const q = dns.filter((d) => d['id.orig_h'] === e.src_ip && (d['query'] ?? '').endsWith(`.${name}`));
      assert.equal(q.length, e.count, `${e.id}: ${e.count} DNS queries under ${name}`);
      continue;
    }
    // Within the behaviour's time span (Date.parse keeps milliseconds only, hence the 1 s margin): the same host may
    // use the same service normally at other times.
    const from = Date.parse(e.start) / 1000 - 1;
    const to = Date.parse(e.end) / 1000 + 1;
    const mine = flows.filter(
      (f) =>
        f['id.orig_h'] === e.src_ip &&
        e.dst_ips.includes(f['id.resp_h'] ?? '') &&
        e.dst_ports.includes(Number(f['id.resp_p'])) &&
        Number(f['ts']) >= from &&
        Number(f['ts']) <= to,
    );
    assert.equal(mine.length, e.count, `${e.id}: ${e.count} connections from ${e.src_ip}`);
  }
});

test('cleartext: the FTP exfiltration\'s uploads and logins are in ftp.csv and credentials.csv as the ground truth says', { skip }, () => {
  const e = truth.entities.find((x) => x.id === 'exfil-ftp');
  assert.ok(e, 'ground truth has exfil-ftp');
  const user = String((e.params as { user: string }).user);
  // One session is a control connection on port 21 and one data connection: a login and one STOR each.
  const sessions = e.count / 2;
  const ftp = readCsv(join(out, 'ftp.csv')).filter((r) => r['id.orig_h'] === e.src_ip && e.dst_ips.includes(r['id.resp_h'] ?? ''));
  const stor = ftp.filter((r) => r['command'] === 'STOR');
  assert.equal(stor.length, sessions);
  for (const r of stor) {
    assert.equal(r['user'], user);
    assert.equal(r['password'], '', 'not a guest: the password is not kept without --capture-passwords');
    assert.equal(r['reply_code'], '226');
    assert.match(r['arg'] ?? '', new RegExp(`^ftp://${e.dst_ips[0]!.replaceAll('.', '\\.')}/\\./PW_${e.src_host}_`));
    assert.notEqual(r['data_uid'], '');
  }
  const flows = new Map(readCsv(join(out, 'flows.csv')).map((f) => [f['uid'], f]));
  const data = stor.map((r) => flows.get(r['data_uid']));
  assert.ok(data.every((f) => f?.['service'] === 'ftp-data' && e.dst_ports.includes(Number(f['id.resp_p']))), 'each STOR names an ftp-data flow of the ground truth');
  const creds = readCsv(join(out, 'credentials.csv')).filter((r) => r['id.orig_h'] === e.src_ip);
  assert.deepEqual(creds.map((r) => [r['protocol'], r['username'], r['password'], r['password_hidden'], r['outcome']]), Array.from({ length: sessions }, () => ['ftp', user, '', 'T', 'accepted']));
  // The sessions come every interval_s ± jitter (the ground truth's parameters): a beacon by its control connections
  // alone (its data connections belong to the sessions), and a cleartext upload, in one finding.
  const hit = findings.find((f) => matches(f, e));
  assert.ok(hit?.kinds.includes('beacon') && hit.kinds.includes('cleartext'), `exfil-ftp finding kinds: ${hit?.kinds.join(',')}`);
});

test('detection: every injected behaviour is found, and ranked above every entity that was not injected', { skip }, () => {
  const injected = (f: Finding): boolean => truth.entities.some((e) => matches(f, e));
  const firstOther = findings.find((f) => !injected(f))?.rank ?? Infinity;
  for (const e of truth.entities) {
    const hit = findings.find((f) => matches(f, e));
    assert.ok(hit, `${e.id} (${e.kind} from ${e.src_ip}) is found`);
    assert.ok(hit.rank < firstOther, `${e.id} ranks ${hit.rank}, above the first non-injected finding (rank ${firstOther})`);
  }
});

test('the report for samples/ in Chromium: sections, map marks, first ranked row injected, screenshot, < 2 MB', { skip: skip || SKIP_NO_CHROMIUM }, async () => {
  const html = join(out, 'report.html');
  assert.ok(readFileSync(html).length < 2 * 1024 * 1024, 'report under 2 MB');
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(html).href);
    for (const id of ['verdict', 'findings', 'details', 'map', 'mix', 'talkers', 'protocols', 'facts', 'methodology']) {
      assert.equal(await page.locator(`section#${id}`).count(), 1, `section #${id}`);
    }
    const map = (await page.evaluate(`(() => {
      const fills = [...document.querySelectorAll('#map .countries_marks path')].map((p) => p.getAttribute('fill'));
      return {
        shaded: fills.filter((f) => f !== null && f !== '#e4e4e4' && f !== 'none').length,
        bubbles: document.querySelectorAll('#map .endpoints_marks path').length,
      };
    })()`)) as { shaded: number; bubbles: number };
    assert.ok(map.shaded >= 1, 'at least one shaded country');
    assert.ok(map.bubbles >= 1, 'at least one endpoint bubble');
    const cells = await page.locator('#findings tbody tr').first().locator('td').allInnerTexts();
    const [rank, , , src, dest] = cells;
    assert.equal(rank?.trim(), '1');
    const first = findings[0];
    assert.ok(first, 'there is a finding');
    // The source cell: the address, then the DHCP host name when the capture gave one.
    assert.equal(src?.trim(), first.src_host === '' ? first.src : `${first.src}\n${first.src_host}`, 'first row is the top finding');
    assert.ok(dest !== undefined && (dest.includes(first.dst) || dest.includes(first.name)), 'first row shows its destination');
    assert.ok(truth.entities.some((e) => matches(first, e)), `first row (${first.src} → ${first.dst || first.name}) is an injected behaviour`);
    const shot = join(out, 'report-first-screen.png');
    await page.screenshot({ path: shot });
    assert.ok(existsSync(shot));
    console.log(`# screenshot: ${shot}`);
  } finally {
    await browser.close();
  }
});
