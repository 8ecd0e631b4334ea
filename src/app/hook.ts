import type { Packet } from '../decode/layer.js';
import type { FlowView } from '../flow/conn.js';
import type { RecordSink } from './records.js';

/**
 * nfstream's NFPlugin, typed. The flow table calls a hook for packets of a flow that carry payload, until the hook
 * says it has seen enough; per-flow state is made once in onInit. onPacket runs on the hot path: no allocation
 * beyond bounded per-flow buffers, no throw.
 */
export interface FlowHook<S> {
  readonly name: string;
  /** First payload packet of a flow: returns the hook's per-flow state, or null to ignore this flow. */
  onInit(p: Packet, flow: FlowView, is_orig: boolean): S | null;
  /** Every payload packet (the first one included). Returns false once the hook needs no more packets of this flow. */
  onPacket(p: Packet, flow: FlowView, is_orig: boolean, state: S): boolean;
  /** The flow expired: emit records. */
  onExpire(flow: FlowView, state: S, out: RecordSink): void;
}
