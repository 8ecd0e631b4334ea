/** LINKTYPE_* numbers (tcpdump.org/linktypes.html): which ones nad decodes, and names for the rest. */
import { Layer } from './layer.js';

/** The first layer of a record of link type `linktype`; Layer.Unknown when nad does not decode it. */
export function firstLayer(linktype: number): Layer {
  switch (linktype) {
    case 0:
      return Layer.Null;
    case 1:
      return Layer.Ethernet;
    case 9:
      return Layer.Ppp;
    case 50: // PPP_HDLC
    case 104: // C_HDLC
      return Layer.PppHdlc;
    case 101: // RAW
    case 12: // DLT_RAW as OpenBSD writes it
    case 14: // DLT_RAW as BSD/OS writes it
    case 228: // IPV4
    case 229: // IPV6
      return Layer.Raw;
    case 108:
      return Layer.Loop;
    case 113:
      return Layer.Sll;
    case 276:
      return Layer.Sll2;
    case 239:
      return Layer.Nflog;
    case 258:
      return Layer.Pktap;
    case 226:
      return Layer.Ipnet;
    case 105:
      return Layer.Ieee80211;
    case 127:
      return Layer.Radiotap;
    case 192:
      return Layer.Ppi;
    case 10:
      return Layer.Fddi;
    case 242:
      return Layer.Ipoib;
    case 117:
      return Layer.Pflog;
    case 7:
      return Layer.Arcnet;
    case 129:
      return Layer.ArcnetLinux;
    default:
      return Layer.Unknown;
  }
}

const NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'NULL'], [1, 'ETHERNET'], [3, 'AX25'], [6, 'IEEE802_5'], [7, 'ARCNET_BSD'], [8, 'SLIP'], [9, 'PPP'],
  [10, 'FDDI'], [12, 'RAW (OpenBSD)'], [14, 'RAW (BSD/OS)'], [50, 'PPP_HDLC'], [51, 'PPP_ETHER'],
  [100, 'ATM_RFC1483'], [101, 'RAW'], [104, 'C_HDLC'], [105, 'IEEE802_11'], [107, 'FRELAY'], [108, 'LOOP'],
  [113, 'LINUX_SLL'], [114, 'LTALK'], [117, 'PFLOG'], [119, 'IEEE802_11_PRISM'], [122, 'IP_OVER_FC'],
  [123, 'SUNATM'], [127, 'IEEE802_11_RADIOTAP'], [129, 'ARCNET_LINUX'], [132, 'JUNIPER_ES'], [138, 'APPLE_IP_OVER_IEEE1394'],
  [139, 'MTP2_WITH_PHDR'], [140, 'MTP2'], [141, 'MTP3'], [142, 'SCCP'], [143, 'DOCSIS'], [144, 'LINUX_IRDA'],
  [147, 'USER0'], [148, 'USER1'], [149, 'USER2'], [150, 'USER3'], [151, 'USER4'], [152, 'USER5'], [153, 'USER6'],
  [154, 'USER7'], [155, 'USER8'], [156, 'USER9'], [157, 'USER10'], [158, 'USER11'], [159, 'USER12'],
  [160, 'USER13'], [161, 'USER14'], [162, 'USER15'], [163, 'IEEE802_11_AVS'], [165, 'BACNET_MS_TP'],
  [166, 'PPP_PPPD'], [169, 'GPRS_LLC'], [170, 'GPF_T'], [171, 'GPF_F'], [177, 'LINUX_LAPD'],
  [182, 'MFR'], [187, 'BLUETOOTH_HCI_H4'], [189, 'USB_LINUX'], [192, 'PPI'], [195, 'IEEE802_15_4_WITHFCS'],
  [196, 'SITA'], [197, 'ERF'], [201, 'BLUETOOTH_HCI_H4_WITH_PHDR'], [202, 'AX25_KISS'], [203, 'LAPD'],
  [204, 'PPP_WITH_DIR'], [205, 'C_HDLC_WITH_DIR'], [206, 'FRELAY_WITH_DIR'], [207, 'LAPB_WITH_DIR'],
  [209, 'IPMB_LINUX'], [215, 'IEEE802_15_4_NONASK_PHY'], [220, 'USB_LINUX_MMAPPED'], [224, 'FC_2'],
  [225, 'FC_2_WITH_FRAME_DELIMS'], [226, 'IPNET'], [227, 'CAN_SOCKETCAN'], [228, 'IPV4'], [229, 'IPV6'],
  [230, 'IEEE802_15_4_NOFCS'], [231, 'DBUS'], [235, 'DVB_CI'], [236, 'MUX27010'], [237, 'STANAG_5066_D_PDU'],
  [239, 'NFLOG'], [240, 'NETANALYZER'], [241, 'NETANALYZER_TRANSPARENT'], [242, 'IPOIB'], [243, 'MPEG_2_TS'],
  [244, 'NG40'], [245, 'NFC_LLCP'], [247, 'INFINIBAND'], [248, 'SCTP'], [249, 'USBPCAP'], [250, 'RTAC_SERIAL'],
  [251, 'BLUETOOTH_LE_LL'], [253, 'NETLINK'], [254, 'BLUETOOTH_LINUX_MONITOR'], [255, 'BLUETOOTH_BREDR_BB'],
  [256, 'BLUETOOTH_LE_LL_WITH_PHDR'], [257, 'PROFIBUS_DL'], [258, 'PKTAP'], [259, 'EPON'], [260, 'IPMI_HPM_2'],
  [261, 'ZWAVE_R1_R2'], [262, 'ZWAVE_R3'], [263, 'WATTSTOPPER_DLM'], [264, 'ISO_14443'], [265, 'RDS'],
  [266, 'USB_DARWIN'], [268, 'SDLC'], [270, 'LORATAP'], [271, 'VSOCK'], [272, 'NORDIC_BLE'], [273, 'DOCSIS31_XRA31'],
  [274, 'ETHERNET_MPACKET'], [275, 'DISPLAYPORT_AUX'], [276, 'LINUX_SLL2'], [278, 'OPENVIZSLA'], [279, 'EBHSCR'],
  [280, 'VPP_DISPATCH'], [281, 'DSA_TAG_BRCM'], [282, 'DSA_TAG_BRCM_PREPEND'], [283, 'IEEE802_15_4_TAP'],
  [284, 'DSA_TAG_DSA'], [285, 'DSA_TAG_EDSA'], [286, 'ELEE'], [287, 'Z_WAVE_SERIAL'], [288, 'USB_2_0'],
  [289, 'ATSC_ALP'], [290, 'ETW'], [292, 'ZBOSS_NCP'], [293, 'USB_2_0_LOW_SPEED'], [294, 'USB_2_0_FULL_SPEED'],
  [295, 'USB_2_0_HIGH_SPEED'], [296, 'AUERSWALD_LOG'], [297, 'ZWAVE_TAP'], [298, 'SILABS_DEBUG_CHANNEL'],
  [299, 'FIRA_UCI'], [300, 'MDB'], [301, 'DECT_NR'],
]);

/**
 * The LINKTYPE_ name of `linktype`, for messages ("USER13"). The upper 16 bits of a pcap header's link-type
 * field carry FCS information (draft-ietf-opsawg-pcap §4): they are named separately. Unknown numbers give "unknown".
 */
export function linkTypeName(linktype: number): string {
  const base = linktype & 0xffff;
  const name = NAMES.get(base) ?? 'unknown';
  return base === linktype ? name : `${name} with FCS bits 0x${(linktype >>> 16).toString(16)}`;
}
