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
 * Per-flow state. Most DNS flows are one query and its response, and every flow's state lives until the flow
 * expires, so it is kept small: arrays start at their exact size (`[x]`, not `[]` + push, which reserves 17 slots)
 * and the TCP buffers exist only for TCP flows.
 */
export class DnsFlowState {
  /** Records in the order they were made; a record is answered once its rcode is set. */
  records: DnsRecord[] | null = null;
  /** Query time in seconds of each record, for the RTT. */
  times: number[] | null = null;
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
      if (s.records !== null) for (const r of s.records) out.dns(r);
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
    if (s.records !== null && s.records.length >= MAX_RECORDS) {
      stats.records_dropped++;
      return;
    }
    const rec = queryRecord(flow, p, m, question, proto);
    if (isResponse) fillResponse(rec, m);
    if (s.records === null || s.times === null) {
      s.records = [rec];
      s.times = [t];
    } else {
      s.records.push(rec);
      s.times.push(t);
    }
  }
}

/** Completes the newest unanswered query with this id and name (ids are reused over long TCP connections). */
function pair(s: DnsFlowState, m: DnsMessage, qname: string, t: number): boolean {
  const records = s.records;
  const times = s.times;
  if (records === null || times === null) return false;
  for (let i = records.length - 1; i >= 0; i--) {
    const rec = records[i]!;
    if (rec.rcode === null && rec.trans_id === m.id && rec.query === qname) {
      fillResponse(rec, m);
      rec.rtt = Math.round((t - times[i]!) * 1e6) / 1e6;
      return true;
    }
  }
  return false;
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
  rec.answer_types = m.answers.map(answerType);
  rec.TTLs = m.answers.map(answerTtl);
  for (const a of m.answers) if (a.type === 16 || a.type === 10) rec.txt_bytes += a.rdlength;
  rec.rejected = rcode === 5; // REFUSED (RFC 1035 §4.1.1)
}
