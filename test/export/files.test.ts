/**
 * files.csv: one row per file of the three tables that carry files (http.csv bodies and form files, ftp.csv transfers,
 * smtp.csv attachments), the same bytes whether a run spills its exports or keeps its records, and over two worker
 * threads; its FTP hashes are those of the files tshark exports.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { nad } from '../cli/run.js';
import { CAPTURES, readCsv, SKIP_NO_SHARED } from '../shared.js';

const HAVE_TSHARK = spawnSync('tshark', ['-v']).status === 0;

test('files.csv lists every file of http.csv, ftp.csv and smtp.csv, byte-identical spilled, kept and with --workers 2; its FTP hashes are tshark\'s exported files\'', {
  skip: SKIP_NO_SHARED || (HAVE_TSHARK ? false : 'tshark not installed: skipped'), timeout: 180_000,
}, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-files-csv-'));
  const list = (v: string | undefined): string[] => (v === undefined || v === '' ? [] : v.split('|'));
  try {
    for (const rel of ['app/ftp-ipv4.pcap', 'app/smtp.pcap', 'benign/chrissanders-http-espn.pcapng', 'malicious/scl-training-capture-001_pony-c2-downloads.pcap']) {
      const path = join(CAPTURES, rel);
      const runs = [['--no-detect', '--no-report'], ['--no-report'], ['--no-detect', '--no-report', '--workers', '2']].map((args, i) => {
        const out = join(dir, `${rel.replaceAll('/', '_')}-${i}`);
        const r = nad(['analyze', path, '--out', out, '--no-geo', '--quiet', ...args]);
        assert.equal(r.status, 0, r.stderr);
        return out;
      });
      const bytes = runs.map((o) => readFileSync(join(o, 'files.csv'), 'utf8'));
      assert.equal(bytes[1], bytes[0], `${rel}: the same table spilled and kept`);
      assert.equal(bytes[2], bytes[0], `${rel}: the same table over two worker threads`);
      // Every hash of the three tables is a row's, and every row's hash is one of theirs.
      const out = runs[0]!;
      const http = readCsv(join(out, 'http.csv'));
      const want = [
        ...http.flatMap((h) => [h['resp_sha256'], h['orig_sha256'], ...list(h['orig_file_sha256'])]),
        ...readCsv(join(out, 'ftp.csv')).map((f) => f['sha256']),
        ...readCsv(join(out, 'smtp.csv')).flatMap((m) => list(m['attachment_sha256'])),
      ].filter((s): s is string => s !== undefined && s !== '');
      const rows = readCsv(join(out, 'files.csv'));
      for (const o of runs) {
        const summary = JSON.parse(readFileSync(join(o, 'summary.json'), 'utf8')) as { app: { files: number } };
        assert.equal(summary.app.files, rows.length, `${rel}: summary.json counts files.csv's rows`);
      }
      assert.deepEqual(rows.map((r) => r['sha256']).filter((s) => s !== '').sort(), want.sort(), rel);
      const bodies = http.filter((h) => Number(h['response_body_len']) > 0).length + http.filter((h) => Number(h['request_body_len']) > 0).length;
      assert.ok(rows.filter((r) => r['source'] === 'HTTP').length >= bodies, `${rel}: a row per HTTP body`);
      if (rel === 'app/ftp-ipv4.pcap') {
        const objects = join(dir, 'ftp-objects');
        assert.equal(spawnSync('tshark', ['-r', path, '-q', '--export-objects', `ftp-data,${objects}`]).status, 0);
        const exported = readdirSync(objects).map((f) => createHash('sha256').update(readFileSync(join(objects, f))).digest('hex'));
        const ftp = rows.filter((r) => r['source'] === 'FTP');
        assert.deepEqual(ftp.map((r) => [r['direction'], r['filename']]), [['download', 'robots.txt'], ['download', 'robots.txt']]);
        assert.deepEqual([...new Set(ftp.map((r) => r['sha256']))], exported);
      }
      if (rel === 'app/smtp.pcap') assert.deepEqual(rows.map((r) => [r['source'], r['direction'], r['filename']]), [['SMTP', 'upload', 'NEWS.txt']]);
      t.diagnostic(`${rel}: ${rows.length} rows (${['HTTP', 'FTP', 'SMTP'].map((s) => `${s} ${rows.filter((r) => r['source'] === s).length}`).join(', ')})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
