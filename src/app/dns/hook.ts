/**
 * DNS over UDP and TCP (RFC 1035 §4.2.2: 2-byte length prefix, several messages per connection), plus mDNS
 * (5353) and LLMNR (5355). One DnsRecord per query, paired with its response by transaction id (Zeek dns.log);
 * a response without a query seen gets a record of its own, a query without a response keeps rcode null.
 */
import type { Packet } from '../../decode/layer.js';
import type { FlowView } from '../../flow/conn.js';
import type { FlowHook } from '../hook.js';
import type { DnsRecord, RecordSink } from '../records.js';
import { tsString } from '../ref.js';
import type { AppStats } from '../stats.js';
import { StreamBuf } from '../stream.js';
import { dnsClassName, dnsRcodeName, dnsTypeName, parseDnsMessage, type DnsAnswer, type DnsMessage, type DnsQuestion } from './message.js';

/** Records kept per flow (a resolver-to-server flow can carry many): past this they are counted, not kept. */
const MAX_RECORDS = 10_000;
/** TCP DNS messages are at most 65535 bytes plus the length prefix. */
const TCP_CAP = 65_537;

/** Unparsable messages in a row before the hook lets a flow go (random data on 5353 would be parsed forever). */
const MAX_BAD_RUN = 8;

const PORT_DNS = 53;
const PORT_MDNS = 5353;
const PORT_LLMNR = 5355;

/**
 * Per-flow state. It lives until the flow expires, and what the GC copies is objects more than bytes (a hook keeping
 * ten small objects per flow cost ~0.5 s on big.pcap's 60k flows), so it holds as few as it can: most DNS flows are
 * one query and its response, so the first record and its query time are fields; arrays only from the second
 * record on (exact-size `[x]`, not `[]` + push, which reserves 17 slots); TCP buffers only for TCP flows.
 * A record is answered once its rcode is set.
 */
export class DnsFlowState {
  first: DnsRecord | null = null;
  /** Query time of the first record (seconds and nanoseconds: small integers, not a boxed double). */
  first_sec = 0;
  first_nsec = 0;
  /** Records after the first, in the order they were made, and their query times in seconds. */
  more: DnsRecord[] | null = null;
  more_t: number[] | null = null;
  /** Messages in a row that did not parse: a flow on a DNS port that is not DNS is dropped after MAX_BAD_RUN. */
  bad_run = 0;
  tcp_orig: StreamBuf | null = null;
  tcp_resp: StreamBuf | null = null;
}

function isDnsPort(port: number, tcp: boolean): boolean {
  return port === PORT_DNS || (!tcp && (port === PORT_MDNS || port === PORT_LLMNR));
}

export function createDnsHook(stats: AppStats): FlowHook<DnsFlowState> {
  return {
    name: 'dns',
    onInit(_p: Packet, flow: FlowView): DnsFlowState | null {
      const tcp = flow.ip_proto === 6;
      if (!tcp && flow.ip_proto !== 17) return null;
      if (!isDnsPort(flow.resp_p, tcp) && !isDnsPort(flow.orig_p, tcp)) return null;
      flow.service = flow.resp_p === PORT_MDNS ? 'mdns' : 'dns';
      flow.service_source = 'port';
      return new DnsFlowState();
    },
    onPacket(p: Packet, flow: FlowView, is_orig: boolean, s: DnsFlowState): boolean {
      if (flow.ip_proto === 17) {
        message(stats, flow, s, p, p.payload_off, p.payload_end, 'udp');
        return s.bad_run < MAX_BAD_RUN;
      }
      let sb = is_orig ? s.tcp_orig : s.tcp_resp;
      if (sb === null) {
        sb = new StreamBuf(TCP_CAP);
        if (is_orig) s.tcp_orig = sb;
        else s.tcp_resp = sb;
      }
      if (!sb.push(p)) return !sb.overflow;
      while (sb.len >= 2) {
        const n = sb.data.readUInt16BE(sb.start);
        if (sb.len < 2 + n) break;
        message(stats, flow, s, p, sb.start + 2, sb.start + 2 + n, 'tcp', sb.data);
        sb.consume(2 + n);
      }
      sb.keep();
      return !sb.overflow && s.bad_run < MAX_BAD_RUN;
    },
    onExpire(_flow: FlowView, s: DnsFlowState, out: RecordSink): void {
      if (s.first !== null) out.dns(s.first);
      if (s.more !== null) for (const r of s.more) out.dns(r);
    },
  };
}

function message(
  stats: AppStats,
  flow: FlowView,
  s: DnsFlowState,
  p: Packet,
  off: number,
  end: number,
  proto: 'udp' | 'tcp',
  buf: Buffer = p.buf,
): void {
  const m = parseDnsMessage(buf, off, end);
  if (m === null) {
    stats.dns_malformed++;
    s.bad_run++;
    return;
  }
  s.bad_run = 0;
  if (m.truncated) stats.dns_truncated++;
  if (flow.service_source !== 'payload') flow.service_source = 'payload';
  const t = p.ts_sec + p.ts_nsec / 1e9;
  const isResponse = (m.flags & 0x8000) !== 0;
  // One record per question (mDNS asks several at once); a message without questions still makes one.
  const nq = m.questions.length === 0 ? 1 : m.questions.length;
  for (let q = 0; q < nq; q++) {
    const question = m.questions[q];
    const qname = question?.name ?? '';
    if (isResponse && pair(s, m, qname, t)) continue;
    if (s.more !== null && s.more.length + 1 >= MAX_RECORDS) {
      stats.records_dropped++;
      return;
    }
    const rec = queryRecord(flow, p, m, question, proto);
    if (isResponse) fillResponse(rec, m);
    if (s.first === null) {
      s.first = rec;
      s.first_sec = p.ts_sec;
      s.first_nsec = p.ts_nsec;
    } else if (s.more === null || s.more_t === null) {
      s.more = [rec];
      s.more_t = [t];
    } else {
      s.more.push(rec);
      s.more_t.push(t);
    }
  }
}

/** Completes the newest unanswered query with this id and name (ids are reused over long TCP connections). */
function pair(s: DnsFlowState, m: DnsMessage, qname: string, t: number): boolean {
  const more = s.more;
  const more_t = s.more_t;
  if (more !== null && more_t !== null) {
    for (let i = more.length - 1; i >= 0; i--) {
      const rec = more[i]!;
      if (unanswered(rec, m, qname)) {
        answer(rec, m, t, more_t[i]!);
        return true;
      }
    }
  }
  const first = s.first;
  if (first === null || !unanswered(first, m, qname)) return false;
  answer(first, m, t, s.first_sec + s.first_nsec / 1e9);
  return true;
}

function unanswered(rec: DnsRecord, m: DnsMessage, qname: string): boolean {
  return rec.rcode === null && rec.trans_id === m.id && rec.query === qname;
}

function answer(rec: DnsRecord, m: DnsMessage, t: number, t_query: number): void {
  fillResponse(rec, m);
  rec.rtt = Math.round((t - t_query) * 1e6) / 1e6;
}

function queryRecord(flow: FlowView, p: Packet, m: DnsMessage, q: DnsQuestion | undefined, proto: 'udp' | 'tcp'): DnsRecord {
  return {
    ts: tsString(p.ts_sec, p.ts_nsec),
    uid: flow.uid,
    community_id: flow.community_id,
    orig_h: flow.orig_h,
    orig_p: flow.orig_p,
    resp_h: flow.resp_h,
    resp_p: flow.resp_p,
    proto,
    trans_id: m.id,
    rtt: null,
    query: q?.name ?? '',
    qclass: q?.class ?? 0,
    qclass_name: q === undefined ? '' : dnsClassName(q.class),
    qtype: q?.type ?? 0,
    qtype_name: q === undefined ? '' : dnsTypeName(q.type),
    rcode: null,
    rcode_name: '',
    AA: false,
    TC: false,
    RD: (m.flags & 0x0100) !== 0,
    RA: false,
    Z: (m.flags >> 4) & 7,
    answers: [],
    answer_types: [],
    TTLs: [],
    txt_bytes: 0,
    rejected: false,
  };
}

/**
 * Answer type lists and single TTLs repeat from response to response (['A'], [300]): identical ones are one shared
 * array per run instead of two objects per record. Frozen, so that code writing to one fails loudly instead of
 * changing other records. Bounded: a cache starts over when full.
 */
const SHARED_TYPES = new Map<string, string[]>();
const SHARED_TTLS = new Map<number, number[]>();
const MAX_SHARED = 1024;

function sharedTypes(answers: readonly DnsAnswer[]): string[] {
  if (answers.length === 0) return [];
  let key = '';
  for (let i = 0; i < answers.length; i++) key += (i === 0 ? '' : ' ') + dnsTypeName(answers[i]!.type);
  let list = SHARED_TYPES.get(key);
  if (list === undefined) {
    if (SHARED_TYPES.size >= MAX_SHARED) SHARED_TYPES.clear();
    list = Object.freeze(answers.map(answerType)) as string[];
    SHARED_TYPES.set(key, list);
  }
  return list;
}

function sharedTtl(ttl: number): number[] {
  let list = SHARED_TTLS.get(ttl);
  if (list === undefined) {
    if (SHARED_TTLS.size >= MAX_SHARED) SHARED_TTLS.clear();
    list = Object.freeze([ttl]) as number[];
    SHARED_TTLS.set(ttl, list);
  }
  return list;
}

const answerData = (a: DnsAnswer): string => a.data;
const answerType = (a: DnsAnswer): string => dnsTypeName(a.type);
const answerTtl = (a: DnsAnswer): number => a.ttl;

function fillResponse(rec: DnsRecord, m: DnsMessage): void {
  const rcode = m.flags & 0x000f;
  rec.rcode = rcode;
  rec.rcode_name = dnsRcodeName(rcode);
  rec.AA = (m.flags & 0x0400) !== 0;
  rec.TC = (m.flags & 0x0200) !== 0;
  rec.RA = (m.flags & 0x0080) !== 0;
  rec.Z = (m.flags >> 4) & 7;
  // map() makes arrays of the exact size; the record lives as long as its flow.
  rec.answers = m.answers.map(answerData);
  rec.answer_types = sharedTypes(m.answers);
  rec.TTLs = m.answers.length === 1 ? sharedTtl(m.answers[0]!.ttl) : m.answers.map(answerTtl);
  for (const a of m.answers) if (a.type === 16 || a.type === 10) rec.txt_bytes += a.rdlength;
  rec.rejected = rcode === 5; // REFUSED (RFC 1035 §4.1.1)
}
