// RFC 4180 quoting and OWASP CSV-injection neutralisation. Expected values follow RFC 4180 §2 (fields with
// comma, quote or line break are quoted; quotes doubled) and OWASP's rule (prefix ' to = + - @ TAB CR).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvField, csvLine, CsvEncoder, type Cell, type Column } from '../../src/export/csv.js';

test('formula-looking strings are neutralised, numbers are not', () => {
  const cases: [unknown, string][] = [
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
    [-5, '-5'],
    [3.25, '3.25'],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['line\nbreak', '"line\nbreak"'],
    [null, ''],
    [undefined, ''],
    [true, 'T'],
    [['a', '=b'], "a|=b"],
    [['=a', 'b'], "'=a|b"],
  ];
  for (const [input, expected] of cases) assert.equal(csvField(input as never), expected, JSON.stringify(input));
});

test('a line is CRLF-terminated and round-trips through a strict RFC 4180 parse', () => {
  const line = csvLine(['x"y', 'a,b', 1, '']);
  assert.equal(line, '"x""y","a,b",1,\r\n');
  // Minimal RFC 4180 parser, independent of the writer.
  const parse = (s: string): string[] => {
    const out: string[] = [];
    let i = 0;
    for (;;) {
      let field = '';
      if (s[i] === '"') {
        i++;
        for (;;) {
          if (s[i] === '"' && s[i + 1] === '"') { field += '"'; i += 2; }
          else if (s[i] === '"') { i++; break; }
          else field += s[i++];
        }
      } else while (i < s.length && s[i] !== ',' && s[i] !== '\r') field += s[i++];
      out.push(field);
      if (s[i] !== ',') return out;
      i++;
    }
  };
  assert.deepEqual(parse(line), ['x"y', 'a,b', '1', '']);
});

test('the byte encoder writes what csvLine writes, for every kind of cell, across block boundaries', () => {
  // The expected cases above are the spec; csvLine is checked against them, and the encoder against csvLine on many
  // rows of hostile and ordinary values (seeded), split over many small blocks and one big one.
  const pool: Cell[] = [
    null, undefined, true, false, 0, -0, 7, -5, 2147483647, -2147483648, 2147483648, -2147483649, 1e21, 3.25, -0.5,
    Number.NaN, Number.POSITIVE_INFINITY, 9007199254740993, '', 'plain', 'a,b', 'x"y', 'line\nbreak', 'cr\r', '=1+2',
    '+1', '-2', '@SUM(A1)', '\tcmd', '\rcmd', 'tab\tinside', 'é', '日本語,"q"', '=é', '\u0000nul', '\u{1F600}',
    '\uD800lone', 'x\uDFFF', // lone surrogates: U+FFFD in UTF-8 from either encoder
    ['a', '=b'], ['=a', 'b'], [], [1, 'x,y'], '"', ',', "'",
  ];
  let seed = 12345;
  const next = (): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed; };
  const rows: Cell[][] = [];
  for (let r = 0; r < 20000; r++) rows.push(Array.from({ length: 1 + (next() % 9) }, () => pool[next() % pool.length]));
  rows.push(['x'.repeat(300000), 'y']); // one cell bigger than a block
  const width = Math.max(...rows.map((r) => r.length));
  const columns: Column<Cell[]>[] = Array.from({ length: width }, (_, i) => ({ header: i === 0 ? '=h"0' : `h${i}`, get: (r) => r[i] }));
  const expected = csvLine(columns.map((c) => c.header)) + rows.map((r) => csvLine(columns.map((c) => c.get(r)))).join('');
  const chunks: Buffer[] = [];
  const enc = new CsvEncoder(columns, (bytes) => chunks.push(Buffer.from(bytes)));
  enc.header();
  for (const r of rows) enc.row(r);
  enc.end();
  assert.ok(chunks.length > 2, 'several blocks');
  // Bytes against bytes: the string encoder's lines were written with writeSync(fd, string), that is, as UTF-8.
  assert.ok(Buffer.concat(chunks).equals(Buffer.from(expected, 'utf8')));
});
