/* Layout probe for AF_PACKET and ARP (<sys/socket.h>, <linux/if_packet.h>,
 * <linux/if_ether.h>, <linux/if_arp.h>); see probe.h and hal/net/packet-uapi.ts. */
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <linux/if_arp.h>

#define PROBES(P) \
  P(size__sockaddr_ll, sizeof(struct sockaddr_ll)) \
  P(off__sockaddr_ll__sll_family, offsetof(struct sockaddr_ll, sll_family)) \
  P(off__sockaddr_ll__sll_protocol, offsetof(struct sockaddr_ll, sll_protocol)) \
  P(off__sockaddr_ll__sll_ifindex, offsetof(struct sockaddr_ll, sll_ifindex)) \
  P(off__sockaddr_ll__sll_hatype, offsetof(struct sockaddr_ll, sll_hatype)) \
  P(off__sockaddr_ll__sll_pkttype, offsetof(struct sockaddr_ll, sll_pkttype)) \
  P(off__sockaddr_ll__sll_halen, offsetof(struct sockaddr_ll, sll_halen)) \
  P(off__sockaddr_ll__sll_addr, offsetof(struct sockaddr_ll, sll_addr)) \
  P(size__ethhdr, sizeof(struct ethhdr)) \
  P(off__ethhdr__h_dest, offsetof(struct ethhdr, h_dest)) \
  P(off__ethhdr__h_source, offsetof(struct ethhdr, h_source)) \
  P(off__ethhdr__h_proto, offsetof(struct ethhdr, h_proto)) \
  P(size__arphdr, sizeof(struct arphdr)) \
  P(off__arphdr__ar_hrd, offsetof(struct arphdr, ar_hrd)) \
  P(off__arphdr__ar_pro, offsetof(struct arphdr, ar_pro)) \
  P(off__arphdr__ar_hln, offsetof(struct arphdr, ar_hln)) \
  P(off__arphdr__ar_pln, offsetof(struct arphdr, ar_pln)) \
  P(off__arphdr__ar_op, offsetof(struct arphdr, ar_op)) \
  P(const__AF_PACKET, AF_PACKET) \
  P(const__SOCK_RAW, SOCK_RAW) \
  P(const__SOCK_NONBLOCK, SOCK_NONBLOCK) \
  P(const__SOCK_CLOEXEC, SOCK_CLOEXEC) \
  P(const__MSG_DONTWAIT, MSG_DONTWAIT) \
  P(const__ETH_ALEN, ETH_ALEN) \
  P(const__ETH_HLEN, ETH_HLEN) \
  P(const__ETH_ZLEN, ETH_ZLEN) \
  P(const__ETH_P_IP, ETH_P_IP) \
  P(const__ETH_P_ARP, ETH_P_ARP) \
  P(const__ARPHRD_ETHER, ARPHRD_ETHER) \
  P(const__ARPOP_REQUEST, ARPOP_REQUEST) \
  P(const__ARPOP_REPLY, ARPOP_REPLY)

#include "probe.h"
