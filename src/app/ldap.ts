/**
 * LDAP simple binds (RFC 4511 §4.2): the DN and, for a simple bind, the password travel in the clear over LDAP on
 * 389/3268 (Active Directory's "LDAP signing" advisories are about exactly this). Each BindRequest with simple
 * authentication becomes a CredentialRecord, its outcome the BindResponse's resultCode with the same messageID.
 * SASL binds carry no password and are left out; a StartTLS extended request stops the reading.
 *
 * The messages are BER (X.690): read from each direction's reassembled bytes, at most MAX_MESSAGE bytes a message
 * and MAX_MESSAGES messages a connection; anything that is not an LDAPMessage gives the connection up.
 */
import type { Packet } from '../decode/layer.js';
import type { FlowView } from '../flow/conn.js';
import { newCredential, setPassword } from './credentials.js';
import type { FlowHook } from './hook.js';
import type { CredentialRecord, RecordSink } from './records.js';
import type { AppStats } from './stats.js';
import { StreamBuf } from './stream.js';

const PORTS = new Set([389, 3268]);
const MAX_MESSAGE = 64 * 1024;
const MAX_MESSAGES = 64;
const MAX_CREDS = 100;
/** StartTLS (RFC 4511 §4.14.1). */
const START_TLS = '1.3.6.1.4.1.1466.20037';

export interface LdapOptions {
  /** Keep simple-bind passwords; by default only the DNs. */
  capture_passwords?: boolean;
}

export class LdapFlowState {
  readonly client = new StreamBuf(2 * MAX_MESSAGE);
  readonly server = new StreamBuf(2 * MAX_MESSAGE);
  messages = 0;
  done = false;
  /** Binds waiting for their response, by messageID. */
  readonly pending = new Map<number, CredentialRecord>();
  creds: CredentialRecord[] = [];
}

/** A BER element: its tag byte, where its content starts and ends. */
interface Tlv { tag: number; start: number; end: number }

/**
 * The extent of the element at buf[o…]: null when its header is not all in buf[o, limit) yet, 'bad' when it is not
 * BER this reads (a multi-byte tag, an indefinite length or one over 4 bytes). Its end may lie past limit.
 */
function extent(buf: Buffer, o: number, limit: number): Tlv | null | 'bad' {
  if (o + 2 > limit) return null;
  const tag = buf[o]!;
  if ((tag & 0x1f) === 0x1f) return 'bad';
  let len = buf[o + 1]!;
  let start = o + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) return 'bad';
    if (start + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    start += n;
  }
  return { tag, start, end: start + len };
}

/** The element at buf[o, limit), or null when it is not complete there or not BER this reads. */
export function readTlv(buf: Buffer, o: number, limit: number): Tlv | null {
  const t = extent(buf, o, limit);
  return t === null || t === 'bad' || t.end > limit ? null : t;
}

function int(buf: Buffer, t: Tlv): number {
  let v = 0;
  for (let i = t.start; i < t.end && i < t.start + 6; i++) v = v * 256 + buf[i]!;
  return v;
}

export function createLdapHook(stats: AppStats, opts: LdapOptions = {}): FlowHook<LdapFlowState> {
  const capture = opts.capture_passwords === true;
  return {
    name: 'ldap',
    onInit(_p: Packet, flow: FlowView): LdapFlowState | null {
      return flow.ip_proto === 6 && PORTS.has(flow.resp_p) ? new LdapFlowState() : null;
    },
    onPacket(p: Packet, flow: FlowView, is_orig: boolean, s: LdapFlowState): boolean {
      const sb = is_orig ? s.client : s.server;
      if (!s.done && sb.push(p)) read(stats, flow, p, s, sb, is_orig, capture);
      sb.keep();
      if (sb.overflow) stop(s);
      return !s.done;
    },
    onExpire(_flow: FlowView, s: LdapFlowState, out: RecordSink): void {
      for (const c of s.creds) out.credential(c);
    },
  };
}

function stop(s: LdapFlowState): void {
  s.done = true;
  s.client.release();
  s.server.release();
}

/** Every whole LDAPMessage (SEQUENCE { messageID, protocolOp, … }) buffered on one side. */
function read(stats: AppStats, flow: FlowView, p: Packet, s: LdapFlowState, sb: StreamBuf, client: boolean, capture: boolean): void {
  while (!s.done && sb.len > 0) {
    const b = sb.data, o = sb.start, limit = o + sb.len;
    if (b[o] !== 0x30) {
      stats.ldap_malformed++;
      stop(s);
      return;
    }
    const msg = extent(b, o, limit);
    if (msg === 'bad' || (msg !== null && msg.end - o > MAX_MESSAGE)) {
      stats.ldap_malformed++;
      stop(s);
      return;
    }
    if (msg === null || msg.end > limit) return; // the rest of the message is still to come
    message(flow, p, s, b, msg, client, capture);
    sb.consume(msg.end - o);
    if (++s.messages >= MAX_MESSAGES) stop(s);
  }
}

function message(flow: FlowView, p: Packet, s: LdapFlowState, b: Buffer, msg: Tlv, client: boolean, capture: boolean): void {
  const id = readTlv(b, msg.start, msg.end);
  if (id === null || id.tag !== 0x02) return;
  const op = readTlv(b, id.end, msg.end);
  if (op === null) return;
  const messageId = int(b, id);
  if (client && op.tag === 0x60) {
    // BindRequest ::= [APPLICATION 0] SEQUENCE { version INTEGER, name LDAPDN, authentication CHOICE { simple [0] … } }
    const version = readTlv(b, op.start, op.end);
    const name = version === null ? null : readTlv(b, version.end, op.end);
    const auth = name === null ? null : readTlv(b, name.end, op.end);
    if (name === null || auth === null || auth.tag !== 0x80 || s.creds.length >= MAX_CREDS) return;
    const cred = newCredential(flow, p.ts_sec, p.ts_nsec, 'ldap');
    cred.username = b.toString('utf8', name.start, name.end);
    setPassword(cred, b.toString('utf8', auth.start, auth.end), capture);
    s.creds.push(cred);
    s.pending.set(messageId, cred);
  } else if (client && op.tag === 0x77) {
    // ExtendedRequest [APPLICATION 23] { requestName [0] LDAPOID, … }: StartTLS turns the rest into TLS.
    const oid = readTlv(b, op.start, op.end);
    if (oid !== null && oid.tag === 0x80 && b.toString('latin1', oid.start, oid.end) === START_TLS) stop(s);
  } else if (!client && op.tag === 0x61) {
    // BindResponse ::= [APPLICATION 1] SEQUENCE { resultCode ENUMERATED, … }
    const cred = s.pending.get(messageId);
    const rc = readTlv(b, op.start, op.end);
    if (cred === undefined || rc === null || rc.tag !== 0x0a) return;
    s.pending.delete(messageId);
    cred.outcome = int(b, rc) === 0 ? 'accepted' : 'rejected';
  }
}
