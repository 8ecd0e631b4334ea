// Intel lists: Zeek's Intel framework file format (tab-separated, a #fields line, `-` for an empty field, as Zeek's
// input framework reads it) and plain lists. Expected values are the file contents themselves, typed by hand.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { addrKey, loadIntel, parseIntel, urlKey } from '../../src/detect/intel_list.js';

const ZEEK = [
  '#separator \\x09',
  // Columns in another order than the usual one, and an extra column Zeek's own files carry.
  '#fields\tmeta.source\tindicator_type\tindicator\tmeta.do_notice\tmeta.desc\tmeta.url',
  'feed-a\tIntel::DOMAIN\tEvil.Example.\tT\tC2 domain\thttps://example.org/report',
  'feed-a\tIntel::ADDR\t2001:DB8::0:1\tF\t-\t-',
  'feed-b\tIntel::SUBNET\t198.51.100.0/24\tF\t(empty)\t-',
  'feed-b\tIntel::URL\thttp://Bad.Example:80/drop/x.php?id=1\tF\tdropper\t-',
  'feed-b\tIntel::CERT_HASH\tAB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01\tF\t-\t-',
  'feed-b\tIntel::JA3\t6734F37431670B3AB4292B8F60F29984\tF\t-\t-',
  'feed-b\tIntel::SOFTWARE\tcurl/7.1 (x)\tF\t-\t-',
  '# a comment line',
  '',
  'feed-c\tIntel::PUBKEY_HASH\tbad@example.com\tF\t-\t-',
  'feed-c\tIntel::FILE_HASH\t0123\tF\t-\t-',
  'feed-c\tIntel::ADDR\t999.1.1.1\tF\t-\t-',
  'feed-c\tIntel::JA3\tnot-a-hash\tF\t-\t-',
  'too\tfew',
].join('\n');

test('Zeek intel file: columns by the #fields line, - and (empty) as empty, unusable lines counted by reason', () => {
  const { items, facts } = parseIntel(ZEEK, '/x/feeds.intel');
  assert.equal(facts.format, 'zeek');
  assert.deepEqual(items.map((i) => [i.type, i.key, i.source, i.desc]), [
    ['domain', 'evil.example', 'feed-a', 'C2 domain'],
    ['addr', '2001:db8:0:0:0:0:0:1', 'feed-a', ''],
    ['subnet', '198.51.100.0/24', 'feed-b', ''],
    ['url', 'bad.example/drop/x.php?id=1', 'feed-b', 'dropper'],
    ['cert_hash', 'abcdef0123456789abcdef0123456789abcdef01', 'feed-b', ''],
    ['ja3', '6734f37431670b3ab4292b8f60f29984', 'feed-b', ''],
    ['software', 'curl/7.1 (x)', 'feed-b', ''],
  ]);
  assert.deepEqual(facts.skipped, { 'type Intel::PUBKEY_HASH': 1, 'bad file hash': 1, 'bad address': 1, 'bad JA3': 1, '2 fields, the #fields line names 6': 1 });
  assert.equal(facts.first_skipped, 'line 12: type Intel::PUBKEY_HASH');
  assert.deepEqual(items.map((i) => i.url), ['https://example.org/report', '', '', '', '', '', '']);
  assert.equal(facts.indicators, 7);
});

test('plain list: the type from the form of the first word; # starts a comment', () => {
  const text = [
    '203.0.113.7   # seen in the phishing mail',
    '203.0.113.0/28',
    'fe80::1',
    'https://cdn.bad.example/a.js',
    'bad.example/b',
    't13d1516h2_8daaf6152771_b186095e22b6',
    '*.Tunnel.Example',
    '12345',
    '',
  ].join('\r\n');
  const { items, facts } = parseIntel(text, 'iocs.txt');
  assert.equal(facts.format, 'plain');
  assert.deepEqual(items.map((i) => [i.type, i.key, i.source]), [
    ['addr', `4:${(203 << 24 >>> 0) + 113 * 256 + 7}`, 'iocs.txt'],
    ['subnet', '203.0.113.0/28', 'iocs.txt'],
    ['addr', 'fe80:0:0:0:0:0:0:1', 'iocs.txt'],
    ['url', 'cdn.bad.example/a.js', 'iocs.txt'],
    ['url', 'bad.example/b', 'iocs.txt'],
    ['ja4', 't13d1516h2_8daaf6152771_b186095e22b6', 'iocs.txt'],
    ['domain', 'tunnel.example', 'iocs.txt'],
  ]);
  assert.deepEqual(facts.skipped, { 'not an address, CIDR, URL, JA4 or host name': 1 });
});

test('address keys: one key for every spelling of an address', () => {
  assert.equal(addrKey('2001:db8::1'), addrKey('2001:0DB8:0:0:0:0:0:0001'));
  assert.notEqual(addrKey('10.0.0.1'), addrKey('10.0.0.10'));
  assert.equal(addrKey('example.com'), '');
  // Zeek's HTTP::IN_URL form: no scheme, host lower case, default port dropped, path as written.
  assert.equal(urlKey('HTTPS://Host.Example:443/A?b=C'), 'host.example/A?b=C');
  assert.equal(urlKey('host.example'), 'host.example/');
});

test('errors: one line naming the file, for a missing file, a #fields line without its columns, nothing usable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-intel-'));
  try {
    assert.throws(() => loadIntel([join(dir, 'missing.txt')]), /missing\.txt: cannot read intel list: ENOENT/);
    assert.throws(() => parseIntel('#fields\tindicator\tmeta.source\nx\ty\n', 'f.intel'), /^Error: f\.intel: line 1: the #fields line needs indicator and indicator_type$/);
    assert.throws(() => parseIntel('#fields\tindicator\tindicator_type\na@b.c\tIntel::PUBKEY_HASH\n', 'f.intel'), /f\.intel: no usable indicator \(line 2: type Intel::PUBKEY_HASH\)/);
    assert.throws(() => parseIntel('', 'empty.txt'), /empty\.txt: no usable indicator \(the file is empty\)/);
    // The recorded sha256 is that of the file's bytes (node:crypto over what was written, not nad's reading of it).
    const bytes = Buffer.from('203.0.113.7\n\xff\n', 'latin1');
    writeFileSync(join(dir, 'l.txt'), bytes);
    const list = loadIntel([join(dir, 'l.txt')]);
    assert.equal(list.files[0]!.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(list.items.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('STIX 2.1 bundles: indicators whose pattern is OR\'d equalities; the rest counted by reason', () => {
  // Patterns written as the STIX 2.1 patterning section and the stix2 library's guide write them.
  const bundle = {
    type: 'bundle', id: 'bundle--1',
    objects: [
      { type: 'identity', id: 'identity--isac', name: 'Example ISAC', identity_class: 'organization' },
      { type: 'indicator', id: 'indicator--a', created_by_ref: 'identity--isac', name: 'C2 addresses', pattern_type: 'stix',
        external_references: [{ source_name: 'capec', external_id: 'CAPEC-1' }, { source_name: 'report', url: 'https://example.org/aa23' }],
        pattern: "[ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33'] OR [ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001']" },
      { type: 'indicator', id: 'indicator--b', name: 'Phishing site', pattern: "[domain-name:value = 'site.of.interest.zaz']" },
      { type: 'indicator', id: 'indicator--c', pattern_type: 'stix', pattern: "([url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar'])" },
      { type: 'indicator', id: 'indicator--d', pattern_type: 'stix', pattern: "[x509-certificate:hashes.'SHA-1' = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01']" },
      { type: 'indicator', id: 'indicator--e', pattern_type: 'stix', pattern: "[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']" },
      { type: 'indicator', id: 'indicator--f', pattern_type: 'stix', pattern: "[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']" },
      { type: 'indicator', id: 'indicator--g', pattern_type: 'stix', pattern: "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']" },
      { type: 'indicator', id: 'indicator--h', pattern_type: 'stix', pattern: "[file:name = 'foo.dll'] FOLLOWEDBY [file:name = 'bar.dll']" },
      { type: 'indicator', id: 'indicator--i', pattern_type: 'snort', pattern: 'alert tcp any any -> any 80 (msg:"x";)' },
      { type: 'indicator', id: 'indicator--j', revoked: true, pattern_type: 'stix', pattern: "[domain-name:value = 'old.example']" },
      { type: 'indicator', id: 'indicator--k', pattern_type: 'stix', pattern: "[domain-name:value = 'it\\'s.example" },
      { type: 'malware', id: 'malware--x', name: 'EvilRAT', is_family: true },
    ],
  };
  const { items, facts } = parseIntel(JSON.stringify(bundle, null, 2), '/feeds/aa23.json');
  assert.equal(facts.format, 'stix');
  assert.deepEqual(items.map((i) => [i.type, i.indicator, i.source, i.desc]), [
    ['subnet', '198.51.100.1/32', 'Example ISAC', 'C2 addresses'],
    ['addr', '203.0.113.33', 'Example ISAC', 'C2 addresses'],
    ['addr', '2001:0db8:dead:beef:dead:beef:dead:0001', 'Example ISAC', 'C2 addresses'],
    ['domain', 'site.of.interest.zaz', 'aa23.json', 'Phishing site'],
    ['url', 'http://example.com/foo', 'aa23.json', ''],
    ['url', 'http://example.com/bar', 'aa23.json', ''],
    ['cert_hash', 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01', 'aa23.json', ''],
    ['file_hash', 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f', 'aa23.json', ''],
  ]);
  assert.deepEqual(facts.skipped, {
    'STIX pattern with AND': 1, 'STIX pattern with ISSUBSET': 1, 'STIX pattern with FOLLOWEDBY': 1,
    'STIX pattern_type snort': 1, 'STIX indicator revoked': 1, 'STIX pattern with an unclosed string': 1,
  });
  assert.equal(facts.first_skipped, 'indicator indicator--e: STIX pattern with AND');
  // The first external reference with a URL; none for an indicator without references.
  assert.deepEqual(items.map((i) => i.url), ['https://example.org/aa23', 'https://example.org/aa23', 'https://example.org/aa23', '', '', '', '', '']);
  // The address keys match the flows' spelling of the same addresses.
  assert.equal(items[2]!.key, addrKey('2001:db8:dead:beef:dead:beef:dead:1'));
  assert.throws(() => parseIntel('{"type": "report"}', 'r.json'), /^Error: r\.json: JSON but not a STIX bundle/);
  assert.throws(() => parseIntel('{"type": "bundle", ', 'r.json'), /^Error: r\.json: not valid JSON/);
});
