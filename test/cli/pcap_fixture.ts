/**
 * A tiny classic pcap written here, independent of nad's readers and of the simulator: Ethernet + IPv4 + UDP
 * datagrams from one host to another, one flow per source port. Used by CLI tests that need exact packet counts.
 */
export function pcapHeader(): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(65535, 16);
  h.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  return h;
}

/** Record i: UDP 10.0.0.1:(40000 + i % flows) → 10.0.0.2:9999 at 1700000000 + i seconds, 8 payload bytes. */
export function udpRecord(i: number, flows = 4): Buffer {
  const payload = 8;
  const frame = Buffer.alloc(14 + 20 + 8 + payload);
  frame.writeUInt16BE(0x0800, 12);
  const ip = 14;
  frame[ip] = 0x45;
  frame.writeUInt16BE(20 + 8 + payload, ip + 2);
  frame[ip + 8] = 64;
  frame[ip + 9] = 17;
  Buffer.from([10, 0, 0, 1]).copy(frame, ip + 12);
  Buffer.from([10, 0, 0, 2]).copy(frame, ip + 16);
  let sum = 0;
  for (let o = ip; o < ip + 20; o += 2) sum += frame.readUInt16BE(o);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  frame.writeUInt16BE(~sum & 0xffff, ip + 10);
  const udp = ip + 20;
  frame.writeUInt16BE(40000 + (i % flows), udp);
  frame.writeUInt16BE(9999, udp + 2);
  frame.writeUInt16BE(8 + payload, udp + 4);
  const rec = Buffer.alloc(16);
  rec.writeUInt32LE(1700000000 + i, 0);
  rec.writeUInt32LE(i * 1000, 4);
  rec.writeUInt32LE(frame.length, 8);
  rec.writeUInt32LE(frame.length, 12);
  return Buffer.concat([rec, frame]);
}

export function udpCapture(packets: number, flows = 4): Buffer {
  const parts = [pcapHeader()];
  for (let i = 0; i < packets; i++) parts.push(udpRecord(i, flows));
  return Buffer.concat(parts);
}
