/** IEEE 802.11 (LINKTYPE_IEEE802_11 105, or after radiotap/PPI): data frames' LLC/SNAP payload (IEEE 802.11-2020 §9.2). */
import { decodeLlc } from './ethernet.js';
import { truncated, unsupported } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';

/**
 * frame control(2) duration(2) addr1(6) addr2(6) addr3(6) sequence(2) [addr4(6)] [QoS(2)] [HT control(4)], then
 * LLC/SNAP. Management and control frames, encrypted (Protected) frames and frames without a body are not
 * decoded: recorded as unsupported with detail = 0x10000 | type << 4 | subtype (tshark's wlan.fc.type_subtype),
 * plus 0x100 when protected. (Above 0xffff, so it cannot be taken for the ethertype of an LLC/SNAP payload.)
 */
export function decodeIeee80211(p: Packet): Layer {
  const o = p.off;
  const v = p.view;
  if (p.payload_end - o < 2) return truncated(p, Layer.Ieee80211);
  const fc0 = v.getUint8(o);
  const flags = v.getUint8(o + 1);
  const type = (fc0 >> 2) & 3;
  const subtype = fc0 >> 4;
  // type 2 is data; subtypes with bit 2 set (null, QoS null…) carry no body
  const kind = 0x10000 | (type << 4) | subtype;
  if (type !== 2 || (subtype & 4) !== 0) return unsupported(p, Layer.Ieee80211, kind);
  if ((flags & 0x40) !== 0) return unsupported(p, Layer.Ieee80211, 0x100 | kind); // Protected: WEP/WPA payload
  let size = 24;
  if ((flags & 3) === 3) size += 6; // ToDS and FromDS: a fourth address (WDS)
  if ((subtype & 8) !== 0) {
    size += 2; // QoS control
    if ((flags & 0x80) !== 0) size += 4; // +HTC: HT control field
  }
  if (p.payload_end - o < size) return truncated(p, Layer.Ieee80211); // control frames are shorter, but end above
  p.off = o + size;
  return decodeLlc(p, Layer.Ieee80211);
}
