/**
 * HTTP/1.x per transaction (Zeek http.log): requests and responses are read from each direction's reassembled
 * bytes; responses pair with requests in order, so pipelining and keep-alive work. Bodies are skipped by length
 * (Content-Length, chunked framing, or until close) and counted, never buffered. HTTP/0.9: a request line
 * without a version, answered by a bare body.
 */
import type { Packet } from '../../decode/layer.js';
import type { FlowView } from '../../flow/conn.js';
import type { FlowHook } from '../hook.js';
import { newCredential, setPassword } from '../credentials.js';
import type { CredentialRecord, HttpRecord, RecordSink } from '../records.js';
import { tsString } from '../ref.js';
import type { AppStats } from '../stats.js';
import type { FileExtractor } from './extract.js';
import { chunks, findHeadEnd, HEAD_CAP, HttpSide, kill, settle, St, startBody, UNTIL_CLOSE } from './framing.js';
import { basicCredentials, parseRequestHead, parseResponseHead, startsRequest, startsResponse, type HttpHead } from './parse.js';

/** Transactions kept per connection. */
const MAX_TRANS = 1000;

const PORT_SSDP = 1900;

export class HttpFlowState {
  /**
   * [requests side, responses side]: the side that sent the first request is the client. null once both sides are
   * done (settled then): only the records stay until the flow expires, the readers die young.
   */
  sides: [HttpSide, HttpSide] | null = [new HttpSide(), new HttpSide()];
  client = -1;
  /** Records in request order; starts as an exact-size `[rec]` (most connections carry one transaction). */
  trans: HttpRecord[] = NO_TRANS;
  /** Next transaction a response answers. */
  answered = 0;
  tunnel = false;
  /** Basic-authentication credentials, with the depth of the transaction that sent them (its status decides the outcome). */
  creds: { depth: number; cred: CredentialRecord }[] | null = null;
}

/** Credentials a connection keeps at most (a client that sends them with every request). */
const MAX_CREDS = 100;

export interface HttpOptions {
  /** Keep Basic-authentication passwords (Zeek's HTTP::default_capture_password); by default only the user names. */
  capture_passwords?: boolean;
}

/** `extract`: --extract-files, where bodies seen whole (both ways) are written (null: none). */
export function createHttpHook(stats: AppStats, opts: HttpOptions = {}, extract: FileExtractor | null = null): FlowHook<HttpFlowState> {
  const capture = opts.capture_passwords === true;
  return {
    name: 'http',
    onInit(p: Packet, flow: FlowView): HttpFlowState | null {
      // Over UDP only SSDP (port 1900) speaks HTTP; other UDP text protocols look alike (BSDP, Plex discovery).
      if (flow.ip_proto === 17 ? flow.resp_p !== PORT_SSDP && flow.orig_p !== PORT_SSDP : flow.ip_proto !== 6) return null;
      const req = startsRequest(p.buf, p.payload_off, p.payload_end);
      if (!req && !startsResponse(p.buf, p.payload_off, p.payload_end)) return null;
      flow.service = flow.ip_proto === 17 ? 'ssdp' : 'http';
      flow.service_source = 'payload';
      const s = new HttpFlowState();
      s.sides![0].extract = extract;
      s.sides![1].extract = extract;
      return s;
    },
    onPacket(p: Packet, flow: FlowView, is_orig: boolean, s: HttpFlowState): boolean {
      if (flow.ip_proto === 17) return datagram(stats, flow, s, p);
      const dir = is_orig ? 0 : 1;
      if (s.client < 0) {
        const req = startsRequest(p.buf, p.payload_off, p.payload_end);
        s.client = req ? dir : 1 - dir;
      }
      const sides = s.sides;
      if (sides === null) return false;
      const side = sides[dir === s.client ? 0 : 1];
      if (side.state === St.Dead || !side.sb.push(p)) return alive(stats, s, sides);
      // A segment cut by the snap length leaves a gap behind it: read the head as far as it goes, then stop.
      const cut = p.payload_len > p.payload_end - p.payload_off;
      if (dir === s.client) requests(stats, flow, s, side, p, cut, capture);
      else responses(stats, flow, s, side, p, cut);
      side.sb.keep();
      return alive(stats, s, sides);
    },
    onExpire(_flow: FlowView, s: HttpFlowState, out: RecordSink): void {
      if (s.sides !== null) settleSides(stats, s.sides);
      for (const r of s.trans) out.http(r);
      if (s.creds !== null) {
        for (const { depth, cred } of s.creds) {
          const status = s.trans[depth - 1]?.status_code ?? null;
          cred.outcome = status === null ? '' : status >= 200 && status < 400 ? 'accepted' : status === 401 || status === 403 ? 'rejected' : '';
          out.credential(cred);
        }
      }
    },
  };
}

/** HTTPU (SSDP): one message per datagram, no body framing to follow. */
function datagram(stats: AppStats, flow: FlowView, s: HttpFlowState, p: Packet): boolean {
  const { buf, payload_off: off, payload_end: end } = p;
  const req = startsRequest(buf, off, end);
  if (!req && !startsResponse(buf, off, end)) return true;
  let headEnd = buf.indexOf('\r\n\r\n', off, 'latin1');
  if (headEnd < 0 || headEnd > end) headEnd = end;
  const h = req ? parseRequestHead(buf, off, headEnd) : parseResponseHead(buf, off, headEnd);
  if (h === null) {
    stats.http_malformed++;
    return true;
  }
  if (s.trans.length >= MAX_TRANS) {
    stats.records_dropped++;
    return false;
  }
  if (req) {
    addTrans(s, requestRecord(flow, p, h, s.trans.length + 1));
    return true;
  }
  let rec = s.trans[s.answered];
  if (rec === undefined) {
    rec = requestRecord(flow, p, null, s.trans.length + 1);
    addTrans(s, rec);
  }
  s.answered = rec.trans_depth;
  rec.status_code = h.status;
  rec.status_msg = h.reason;
  rec.resp_mime = h.content_type;
  return true;
}

/** Does the flow still need packets? When not, its sides are settled and dropped (nothing can change them now). */
function alive(stats: AppStats, s: HttpFlowState, sides: [HttpSide, HttpSide]): boolean {
  if (!s.tunnel && (sides[0].state !== St.Dead || sides[1].state !== St.Dead)) return true;
  settleSides(stats, sides);
  s.sides = null;
  return false;
}

/** Body lengths declared but not seen are taken back; bytes lost to gaps are counted. */
function settleSides(stats: AppStats, sides: [HttpSide, HttpSide]): void {
  settle(sides[0], 'request_body_len');
  settle(sides[1], 'response_body_len');
  stats.http_missed_bytes += sides[0].sb.missed + sides[1].sb.missed;
}

function requests(stats: AppStats, flow: FlowView, s: HttpFlowState, side: HttpSide, p: Packet, cut: boolean, capture: boolean): void {
  const sb = side.sb;
  for (;;) {
    if (sb.skip === 0 && side.counting) side.counting = false;
    if (side.state === St.ChunkSize || side.state === St.Trailer) {
      if (!chunks(side, 'request_body_len')) return;
      continue;
    }
    if (side.state !== St.Head || sb.len === 0) return;
    if (!startsRequest(sb.data, sb.start, sb.start + sb.len)) {
      if (sb.len >= 8) {
        stats.http_malformed++;
        kill(side);
      }
      return;
    }
    const head = readHead(stats, side, cut, true);
    if (head === null) return;
    const { h, partial } = head;
    if (s.trans.length >= MAX_TRANS) {
      stats.records_dropped++;
      kill(side);
      return;
    }
    const rec = requestRecord(flow, p, h, s.trans.length + 1);
    addTrans(s, rec);
    if (h.authorization !== '') credential(stats, flow, p, s, rec, h, capture);
    if (partial) {
      kill(side);
      return;
    }
    startBody(side, rec, h, 'request_body_len', true, false);
  }
}

/**
 * The head at the start of side's buffer, parsed and consumed; with `cut`, a head the snap length cut short is taken
 * as far as it goes (`partial`). null when more bytes are needed, or when the side was given up (a head too long or
 * unparsable counts as malformed).
 */
function readHead(stats: AppStats, side: HttpSide, cut: boolean, request: boolean): { h: HttpHead; partial: boolean } | null {
  const sb = side.sb;
  let headEnd = findHeadEnd(side, request);
  const partial = headEnd < 0 && cut;
  if (partial) headEnd = side.scan = sb.len;
  if (headEnd < 0) {
    if (sb.overflow || sb.len >= HEAD_CAP) {
      stats.http_malformed++;
      kill(side);
    }
    return null;
  }
  const h = request ? parseRequestHead(sb.data, sb.start, sb.start + headEnd) : parseResponseHead(sb.data, sb.start, sb.start + headEnd);
  sb.consume(side.scan);
  side.scan = 0;
  if (h === null) {
    stats.http_malformed++;
    kill(side);
    return null;
  }
  return { h, partial };
}

function responses(stats: AppStats, flow: FlowView, s: HttpFlowState, side: HttpSide, p: Packet, cut: boolean): void {
  const sb = side.sb;
  for (;;) {
    if (sb.skip === 0 && side.counting) side.counting = false;
    if (side.state === St.ChunkSize || side.state === St.Trailer) {
      if (!chunks(side, 'response_body_len')) return;
      continue;
    }
    if (side.state !== St.Head || sb.len === 0) return;
    const pending = s.trans[s.answered];
    if (!startsResponse(sb.data, sb.start, sb.start + sb.len)) {
      if (sb.len < 8) return;
      if (pending !== undefined && pending.version === '0.9') {
        // HTTP/0.9: the response is the body, up to the close.
        s.answered++;
        side.body = pending;
        pending.response_body_len = UNTIL_CLOSE;
        side.counting = true;
        side.state = St.UntilClose;
        sb.consumeOrSkip(UNTIL_CLOSE);
        return;
      }
      stats.http_malformed++;
      kill(side);
      return;
    }
    const head = readHead(stats, side, cut, false);
    if (head === null) return;
    const { h, partial } = head;
    if (h.status < 200) continue; // 1xx interim response (RFC 9110 §15.2): no body, the request is still open
    let rec = pending;
    if (rec === undefined) {
      if (s.trans.length >= MAX_TRANS) {
        stats.records_dropped++;
        kill(side);
        return;
      }
      rec = requestRecord(flow, p, null, s.trans.length + 1);
      addTrans(s, rec);
    }
    s.answered = s.trans.indexOf(rec) + 1;
    rec.status_code = h.status;
    rec.status_msg = h.reason;
    rec.resp_mime = h.content_type;
    if (rec.version === '') rec.version = h.version;
    if (rec.method === 'CONNECT' && h.status < 300) {
      s.tunnel = true; // the rest is another protocol (TLS, usually)
      return;
    }
    // RFC 9112 §6.3: no body for HEAD, 204 and 304.
    if (partial) {
      kill(side);
      return;
    }
    const bodiless = rec.method === 'HEAD' || h.status === 204 || h.status === 304;
    startBody(side, rec, h, 'response_body_len', !bodiless, true);
  }
}

/** Shared empty list, never written: addTrans replaces it. */
const NO_TRANS: HttpRecord[] = [];

/** `[rec]` first: an array literal is made at its size, where push onto `[]` reserves 17 slots for the flow's lifetime. */
function addTrans(s: HttpFlowState, rec: HttpRecord): void {
  if (s.trans === NO_TRANS) s.trans = [rec];
  else s.trans.push(rec);
}

/** An `Authorization: Basic` header: the user name, and the password when asked to keep it. */
function credential(stats: AppStats, flow: FlowView, p: Packet, s: HttpFlowState, rec: HttpRecord, h: HttpHead, capture: boolean): void {
  const basic = basicCredentials(h.authorization);
  if (basic === null) return;
  if (s.creds === null) s.creds = [];
  if (s.creds.length >= MAX_CREDS) {
    stats.records_dropped++;
    return;
  }
  const cred = newCredential(flow, p.ts_sec, p.ts_nsec, 'http-basic');
  cred.host = h.host;
  cred.username = basic.username;
  setPassword(cred, basic.password, capture);
  s.creds.push({ depth: rec.trans_depth, cred });
}

function requestRecord(flow: FlowView, p: Packet, h: HttpHead | null, depth: number): HttpRecord {
  return {
    ts: tsString(p.ts_sec, p.ts_nsec),
    uid: flow.uid,
    community_id: flow.community_id,
    orig_h: flow.orig_h,
    orig_p: flow.orig_p,
    resp_h: flow.resp_h,
    resp_p: flow.resp_p,
    trans_depth: depth,
    method: h?.method ?? '',
    host: h?.host ?? '',
    uri: h?.uri ?? '',
    referrer: h?.referrer ?? '',
    version: h?.version ?? '',
    user_agent: h?.user_agent ?? '',
    request_body_len: 0,
    response_body_len: 0,
    status_code: null,
    status_msg: '',
    resp_mime: '',
    ja4h: h?.ja4h ?? '',
    orig_mime_types: '',
    resp_mime_types: '',
    resp_md5: '',
    resp_sha256: '',
    orig_sha256: '',
    orig_filenames: [],
    orig_file_mime_types: [],
    orig_file_sha256: [],
  };
}
