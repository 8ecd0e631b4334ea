/** The FlowRef part every app record shares, built when a record is emitted (never per packet). */
import type { FlowView } from '../flow/conn.js';
import type { FlowRef } from './records.js';

/** `sec.nnnnnnnnn`, the same spelling as ConnRecord.ts. */
export function tsString(sec: number, nsec: number): string {
  return `${sec}.${nsec.toString().padStart(9, '0')}`;
}

export function flowRef(flow: FlowView, sec: number, nsec: number): FlowRef {
  return {
    ts: tsString(sec, nsec),
    uid: flow.uid,
    community_id: flow.community_id,
    orig_h: flow.orig_h,
    orig_p: flow.orig_p,
    resp_h: flow.resp_h,
    resp_p: flow.resp_p,
  };
}
