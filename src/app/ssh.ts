/**
 * SSH: the identification strings of both sides (RFC 4253 §4.2) and HASSH / HASSHServer (Salesforce: MD5 of
 * the KEXINIT algorithm lists, §7.1) → one SshRecord per connection (Zeek ssh.log). The originator is the client.
 */
import { hash } from 'node:crypto';
import type { Packet } from '../decode/layer.js';
import type { FlowView } from '../flow/conn.js';
import type { FlowHook } from './hook.js';
import type { RecordSink } from './records.js';
import { tsString } from './ref.js';
import { StreamBuf } from './stream.js';

/** Banner lines are at most 255 bytes; a KEXINIT with long algorithm lists stays well under 8 KiB. */
const SIDE_CAP = 16 * 1024;
/** Payload packets per side to look at before giving up. */
const MAX_PACKETS = 12;
const SSH_MSG_KEXINIT = 20;

class SshSide {
  readonly sb = new StreamBuf(SIDE_CAP);
  banner = '';
  /** kex;enc;mac;comp as HASSH strings them, '' until the KEXINIT is read. */
  hassh_algorithms = '';
  packets = 0;
  done = false;
}

export class SshFlowState {
  readonly sides: [SshSide, SshSide] = [new SshSide(), new SshSide()];
  ts_sec = 0;
  ts_nsec = 0;
}

const SSH_DASH = Buffer.from('SSH-', 'latin1');
const PORT_SSH = 22;

function startsWithSsh(b: Buffer, o: number): boolean {
  return b.compare(SSH_DASH, 0, 4, o, o + 4) === 0;
}

/** Text a pre-banner line may hold: printable ASCII, tab, CR, LF. */
function printable(b: Buffer, o: number, end: number): boolean {
  for (let i = o; i < end; i++) {
    const c = b[i]!;
    if ((c < 0x20 || c > 0x7e) && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

function startsBanner(p: Packet): boolean {
  const o = p.payload_off;
  return p.payload_end - o >= 4 && p.buf.compare(SSH_DASH, 0, 4, o, o + 4) === 0;
}

export function createSshHook(): FlowHook<SshFlowState> {
  return {
    name: 'ssh',
    onInit(p: Packet, flow: FlowView): SshFlowState | null {
      // Port 22 is watched even when the first payload is something else (an HTTP request sent to sshd).
      if (flow.ip_proto !== 6 || (!startsBanner(p) && flow.resp_p !== PORT_SSH && flow.orig_p !== PORT_SSH)) return null;
      const s = new SshFlowState();
      s.ts_sec = p.ts_sec;
      s.ts_nsec = p.ts_nsec;
      return s;
    },
    onPacket(p: Packet, flow: FlowView, is_orig: boolean, s: SshFlowState): boolean {
      const side = s.sides[is_orig ? 0 : 1];
      if (side.packets === 0 && side.banner === '' && startsBanner(p)) {
        flow.service = 'ssh';
        flow.service_source = 'payload';
      }
      if (!side.done && side.sb.push(p)) read(side, is_orig);
      side.sb.keep();
      if (++side.packets >= MAX_PACKETS || side.sb.overflow) finish(side);
      return !(s.sides[0].done && s.sides[1].done);
    },
    onExpire(flow: FlowView, s: SshFlowState, out: RecordSink): void {
      const [c, sv] = s.sides;
      if (c.banner === '' && sv.banner === '') return;
      out.ssh({
        ts: tsString(s.ts_sec, s.ts_nsec),
        uid: flow.uid,
        community_id: flow.community_id,
        orig_h: flow.orig_h,
        orig_p: flow.orig_p,
        resp_h: flow.resp_h,
        resp_p: flow.resp_p,
        client: c.banner,
        server: sv.banner,
        hassh: c.hassh_algorithms === '' ? '' : md5(c.hassh_algorithms),
        hassh_server: sv.hassh_algorithms === '' ? '' : md5(sv.hassh_algorithms),
      });
    },
  };
}

function md5(s: string): string {
  return hash('md5', Buffer.from(s, 'latin1'), 'hex');
}

function finish(side: SshSide): void {
  side.done = true;
  side.sb.release();
}

function read(side: SshSide, client: boolean): void {
  const sb = side.sb;
  // The client's first line is its version (RFC 4253 §4.2); the server may send text lines first, never binary.
  if (side.banner === '' && sb.len >= 4 && (client ? !startsWithSsh(sb.data, sb.start) : !printable(sb.data, sb.start, sb.start + Math.min(sb.len, 64)))) {
    finish(side);
    return;
  }
  while (side.banner === '') {
    // The server may send other lines before its version line (RFC 4253 §4.2); only `SSH-` lines count.
    const eol = sb.data.subarray(sb.start, sb.start + sb.len).indexOf(0x0a);
    if (eol < 0) {
      if (sb.len > 1024) finish(side);
      return;
    }
    const line = sb.data.toString('latin1', sb.start, sb.start + eol).replace(/\r$/, '');
    sb.consume(eol + 1);
    if (line.startsWith('SSH-')) side.banner = line;
  }
  if (side.banner.startsWith('SSH-1.')) {
    finish(side); // SSH-1 has no KEXINIT
    return;
  }
  // Binary packet (§6): uint32 packet_length, byte padding_length, payload; KEXINIT is the first one.
  if (sb.len < 6) return;
  const plen = sb.data.readUInt32BE(sb.start);
  if (plen < 2 || plen > SIDE_CAP - 4) {
    finish(side);
    return;
  }
  if (sb.len < 4 + plen) return;
  if (sb.data[sb.start + 5] === SSH_MSG_KEXINIT) side.hassh_algorithms = kexinitAlgorithms(sb.data, sb.start + 6 + 16, sb.start + 4 + plen, client);
  finish(side);
}

/** kex;enc;mac;comp for the given direction from a KEXINIT body after its cookie (§7.1: ten name-lists). */
function kexinitAlgorithms(buf: Buffer, off: number, end: number, client: boolean): string {
  const lists: string[] = [];
  let o = off;
  for (let i = 0; i < 10; i++) {
    if (o + 4 > end) return '';
    const n = buf.readUInt32BE(o);
    if (o + 4 + n > end) return '';
    lists.push(buf.toString('latin1', o + 4, o + 4 + n));
    o += 4 + n;
  }
  // kex, host key, enc c2s, enc s2c, mac c2s, mac s2c, comp c2s, comp s2c, lang c2s, lang s2c
  const d = client ? 0 : 1;
  return [lists[0], lists[2 + d], lists[4 + d], lists[6 + d]].join(';');
}
