// Community ID v1 against the specification's own vectors and baselines:
// - the tables in ../shared/captures/community-id/baseline/README.md (corelight/community-id-spec),
// - baseline_{deflt,seed1,nob64}.json: pycommunityid's community-id-pcap over combined.pcap.gz (make-json.sh there).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { communityId } from '../../src/flow/community_id.js';
import { CAPTURES, SKIP_NO_SHARED } from '../shared.js';
import { runCapture } from './run.js';

function addr(s: string): Uint8Array {
  if (isIPv4(s)) return Uint8Array.from(s.split('.').map(Number));
  const [head = '', tail = ''] = s.includes('::') ? s.split('::') : [s, ''];
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => { const v = parseInt(g, 16); out[2 * i] = v >> 8; out[2 * i + 1] = v & 0xff; });
  return out;
}

// README "Default settings" / "seed=1" / "No base64" tables (one row per tuple; both directions hash alike).
const TABLE = [
  { proto: 6, s: '1.2.3.4', d: '5.6.7.8', sp: 1122, dp: 3344, deflt: '1:wCb3OG7yAFWelaUydu0D+125CLM=', seed1: '1:HhA1B+6CoLbiKPEs5nhNYN4XWfk=', hex: '1:c026f7386ef200559e95a53276ed03fb5db908b3' },
  { proto: 17, s: '1.2.3.4', d: '5.6.7.8', sp: 1122, dp: 3344, deflt: '1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg=', seed1: '1:OShq+iKDAMVouh/4bMxB9Sz4amw=', hex: '1:d0cbbd227431eb3e1988264cffb1d78b658c84e8' },
  { proto: 132, s: '1.2.3.4', d: '5.6.7.8', sp: 1122, dp: 3344, deflt: '1:EKt4MsxuyaE6mL+hmrEkQ9csDD8=', seed1: '1:uitchpn5MMGAQKBJh7bIr/bAr7s=', hex: '1:10ab7832cc6ec9a13a98bfa19ab12443d72c0c3f' },
  { proto: 1, s: '1.2.3.4', d: '5.6.7.8', sp: 8, dp: 0, deflt: '1:crodRHL2FEsHjbv3UkRrfbs4bZ0=', seed1: '1:9pr4ZGTICiuZoIh90RRYE2RyXpU=', hex: '1:72ba1d4472f6144b078dbbf752446b7dbb386d9d' },
  { proto: 1, s: '1.2.3.4', d: '5.6.7.8', sp: 11, dp: 0, deflt: '1:f/YiSyWqczrTgfUCZlBUnvHRcPk=', seed1: '1:1DD7cWGC/Yg91YGsQeni8du3pIA=', hex: '1:7ff6224b25aa733ad381f5026650549ef1d170f9' },
  { proto: 58, s: 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', d: 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', sp: 128, dp: 0, deflt: '1:0bf7hyMJUwt3fMED7z8LIfRpBeo=', seed1: '1:IO27GQzPuCtNnwFvjWALMHu5tJE=', hex: '1:d1b7fb872309530b777cc103ef3f0b21f46905ea' },
  { proto: 58, s: 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', d: 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', sp: 146, dp: 0, deflt: '1:fYC8+pz24E+EhANP1EZhpX0Dw10=', seed1: '1:Cv4IKJe56BNkF0MBW2YxQ3Nwc3s=', hex: '1:7d80bcfa9cf6e04f8484034fd44661a57d03c35d' },
  { proto: 46, s: '1.2.3.4', d: '5.6.7.8', sp: 0, dp: 0, deflt: '1:ikv3kmf89luf73WPz1jOs49S768=', seed1: '1:/buhqeOmaRCopOZFy9HnoJd5XW8=', hex: '1:8a4bf79267fcf65b9fef758fcf58ceb38f52efaf' },
  { proto: 46, s: 'fe80:0001:0203:0405:0607:0809:0A0B:0C0D', d: 'fe80:1011:1213:1415:1617:1819:1A1B:1C1D', sp: 0, dp: 0, deflt: '1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0=', seed1: '1:j6EyyfBzL4vWKHFXgUqb5Az3OxM=', hex: '1:c10ff69b0ae75cfe259897077462f978f8d1f9ed' },
] as const;

test('spec README tables: defaults, seed=1, no base64, both directions', async () => {
  for (const r of TABLE) {
    const s = addr(r.s), d = addr(r.d);
    assert.equal(communityId(r.proto, s, d, r.sp, r.dp), r.deflt, `${r.proto} ${r.s}`);
    assert.equal(communityId(r.proto, s, d, r.sp, r.dp, { seed: 1 }), r.seed1);
    assert.equal(communityId(r.proto, s, d, r.sp, r.dp, { base64: false }), r.hex);
  }
  // The reverse direction: TCP/UDP/SCTP swap ports; ICMP echo reply (type 0) pairs with the request.
  assert.equal(communityId(6, addr('5.6.7.8'), addr('1.2.3.4'), 3344, 1122), TABLE[0].deflt);
  assert.equal(communityId(1, addr('5.6.7.8'), addr('1.2.3.4'), 0, 0), TABLE[3].deflt);
  assert.equal(communityId(58, addr(TABLE[5].d), addr(TABLE[5].s), 129, 0), TABLE[5].deflt);
});

interface BaselineRow { proto: number; saddr: string; daddr: string; sport: number | null; dport: number | null; communityid: string }
const baseline = (name: string): BaselineRow[] =>
  JSON.parse(readFileSync(join(CAPTURES, 'community-id', 'baseline', name), 'utf8')) as BaselineRow[];

test('baseline JSON rows (deflt, seed1, nob64) recomputed from their tuples', { skip: SKIP_NO_SHARED }, async () => {
  const variants = [['baseline_deflt.json', {}], ['baseline_seed1.json', { seed: 1 }], ['baseline_nob64.json', { base64: false }]] as const;
  for (const [file, opts] of variants) {
    for (const r of baseline(file)) {
      assert.equal(communityId(r.proto, addr(r.saddr), addr(r.daddr), r.sport ?? 0, r.dport ?? 0, opts), r.communityid, `${file}: ${JSON.stringify(r)}`);
    }
  }
});

test('every flow of combined.pcap.gz carries the baseline community_id of its tuple', { skip: SKIP_NO_SHARED }, async () => {
  const rows = baseline('baseline_deflt.json');
  const { conns } = await runCapture(join(CAPTURES, 'community-id', 'combined.pcap.gz'));
  // Each baseline tuple (one per direction seen) must be covered by a flow with the same endpoints and the same ID.
  for (const r of rows) {
    const sp = r.sport ?? 0, dp = r.dport ?? 0;
    const hit = conns.filter((c) => c.ip_proto === r.proto && c.community_id === r.communityid &&
      ((c.orig_h === r.saddr && c.resp_h === r.daddr) || (c.orig_h === r.daddr && c.resp_h === r.saddr)));
    assert.ok(hit.length > 0, `no flow with ${r.communityid} for ${r.proto} ${r.saddr}:${sp} ${r.daddr}:${dp}`);
  }
  const ids = new Set(rows.map((r) => r.communityid));
  for (const c of conns) assert.ok(ids.has(c.community_id), `flow ${c.proto} ${c.orig_h}:${c.orig_p} ${c.resp_h}:${c.resp_p} has ${c.community_id}, not in the baseline`);
});

test('per-protocol captures of the spec give the same IDs as the combined baseline', { skip: SKIP_NO_SHARED }, async () => {
  const ids = new Set(baseline('baseline_deflt.json').map((r) => r.communityid));
  for (const f of ['icmp.pcap', 'icmp6.pcap', 'ipv6.pcap', 'rsvp.pcap', 'sctp.pcap', 'tcp.pcap', 'udp.pcap', 'arp.pcap']) {
    const { conns } = await runCapture(join(CAPTURES, 'community-id', f));
    for (const c of conns) assert.ok(ids.has(c.community_id), `${f}: ${c.proto} ${c.orig_h} ${c.resp_h} → ${c.community_id}`);
    if (f === 'arp.pcap') assert.equal(conns.length, 0, 'ARP is not IP: no flow');
    else assert.ok(conns.length > 0, `${f}: no flows`);
  }
});
