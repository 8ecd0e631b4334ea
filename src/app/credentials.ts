/**
 * The one way the hooks write a CredentialRecord (credentials.csv): the flow's reference, and the password kept only
 * when the run asked for it (--capture-passwords), else counted as hidden.
 */
import type { FlowView } from '../flow/conn.js';
import type { CredentialRecord } from './records.js';
import { tsString } from './ref.js';

/** A credential of `protocol` sent at (sec, nsec) on `flow`, with no user, password or outcome yet. */
export function newCredential(flow: FlowView, sec: number, nsec: number, protocol: CredentialRecord['protocol']): CredentialRecord {
  return {
    ts: tsString(sec, nsec), uid: flow.uid, community_id: flow.community_id, orig_h: flow.orig_h, orig_p: flow.orig_p,
    resp_h: flow.resp_h, resp_p: flow.resp_p, protocol, host: '', username: '', password: '', password_hidden: false, outcome: '',
  };
}

/** The password as sent when `keep`; otherwise '' and marked hidden (when one was sent). */
export function setPassword(c: CredentialRecord, password: string, keep: boolean): void {
  c.password = keep ? password : '';
  c.password_hidden = !keep && password !== '';
}
