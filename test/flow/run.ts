/** Test helper: runs captures through readCaptures, decodePacket and a FlowTable, collecting conn records. */
import type { RecordSink } from '../../src/app/records.js';
import { readCaptures } from '../../src/capture/index.js';
import type { Packet } from '../../src/decode/layer.js';
import { decodePacket } from '../../src/decode/packet.js';
import type { ConnRecord } from '../../src/flow/conn.js';
import { FlowTable, type FlowTableOptions } from '../../src/flow/table.js';

export const NO_RECORDS: RecordSink = { dns() {}, tls() {}, http() {}, ssh() {}, ftp() {}, smtp() {}, credential() {} };

export interface TableRun {
  conns: ConnRecord[];
  table: FlowTable;
}

/** Every packet of the inputs (pcap/pcapng, gzip or not) through decodePacket and one FlowTable, flushed at the end. */
export async function runCapture(files: string | string[], opts: FlowTableOptions = {}, each?: (p: Packet) => void): Promise<TableRun> {
  const conns: ConnRecord[] = [];
  const table = new FlowTable(opts, { conn: (c) => conns.push(c) }, [], NO_RECORDS);
  const sink = { packet(p: Packet): void { decodePacket(p); each?.(p); table.packet(p); } };
  await readCaptures(typeof files === 'string' ? [files] : files, sink);
  table.flush();
  return { conns, table };
}
