// The AF_PACKET and ARP uAPI our own ARP uses (<sys/socket.h>,
// <linux/if_packet.h>, <linux/if_ether.h>, <linux/if_arp.h>): constants and
// struct layouts, checked against the kernel headers for x86_64 and aarch64
// by test/unit/hal/packet-layout.test.ts. Pure data, no native code.

export const PACKET_STRUCTS = {
  sockaddr_ll: {
    size: 20,
    offsets: {
      sll_family: 0,
      sll_protocol: 2,
      sll_ifindex: 4,
      sll_hatype: 8,
      sll_pkttype: 10,
      sll_halen: 11,
      sll_addr: 12,
    },
  },
  ethhdr: { size: 14, offsets: { h_dest: 0, h_source: 6, h_proto: 12 } },
  // The fixed part of an ARP packet; the addresses follow it.
  arphdr: { size: 8, offsets: { ar_hrd: 0, ar_pro: 2, ar_hln: 4, ar_pln: 5, ar_op: 6 } },
} as const;

export const AF_PACKET = 17;
export const SOCK_RAW = 3;
// Same values on x86_64 and aarch64 (asm-generic O_NONBLOCK / O_CLOEXEC).
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const MSG_DONTWAIT = 0x40;

export const ETH_ALEN = 6;
export const ETH_HLEN = 14;
/** Shortest Ethernet frame without FCS; shorter ones are padded to it. */
export const ETH_ZLEN = 60;
export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;

export const ARPHRD_ETHER = 1;
export const ARPOP_REQUEST = 1;
export const ARPOP_REPLY = 2;

export const PACKET_CONSTANTS: Record<string, number> = {
  AF_PACKET,
  SOCK_RAW,
  SOCK_NONBLOCK,
  SOCK_CLOEXEC,
  MSG_DONTWAIT,
  ETH_ALEN,
  ETH_HLEN,
  ETH_ZLEN,
  ETH_P_IP,
  ETH_P_ARP,
  ARPHRD_ETHER,
  ARPOP_REQUEST,
  ARPOP_REPLY,
};
