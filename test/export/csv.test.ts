// RFC 4180 quoting and OWASP CSV-injection neutralisation. Expected values follow RFC 4180 §2 (fields with
// comma, quote or line break are quoted; quotes doubled) and OWASP's rule (prefix ' to = + - @ TAB CR).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvField, csvLine } from '../../src/export/csv.js';

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
