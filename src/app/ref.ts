/**
 * The timestamp spelling every app record shares. Records list their FlowRef fields (ts, uid, community_id,
 * orig_h/orig_p, resp_h/resp_p) in one object literal: `{ ...ref, more }` made V8 build slow dictionary-mode
 * objects: a DNS query/response flow took 310 µs through the hook with the spread, 1.6 µs without.
 */

/** `sec.nnnnnnnnn`, the same spelling as ConnRecord.ts (one formatter for every output). */
export { formatTs as tsString } from '../capture/time.js';
