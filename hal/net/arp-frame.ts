// Ethernet + ARP frames for announcing and probing the virtual IP, and the
// sockaddr_ll that addresses them, as plain bytes (no native code, so the unit
// tests check them byte for byte). Frames we receive come from the wire and
// are untrusted: the parser checks every length and type and never throws.
import { endianness } from 'node:os';
import { isIpv4, normalizeMac } from './net.ts';
import {
  AF_PACKET,
  ARPHRD_ETHER,
  ARPOP_REQUEST,
  ETH_ALEN,
  ETH_HLEN,
  ETH_P_ARP,
  ETH_P_IP,
  ETH_ZLEN,
  PACKET_STRUCTS,
} from './packet-uapi.ts';

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
export const ZERO_MAC = '00:00:00:00:00:00';

const IPV4_LEN = 4;
/** The ARP body for Ethernet/IPv4: 8-byte fixed header, then sha, spa, tha, tpa. */
const ARP_LEN = PACKET_STRUCTS.arphdr.size + 2 * (ETH_ALEN + IPV4_LEN);
/** Shortest frame that carries a whole Ethernet/IPv4 ARP packet. */
export const ARP_FRAME_LEN = ETH_HLEN + ARP_LEN;

// Offsets within the frame.
const SHA = ETH_HLEN + PACKET_STRUCTS.arphdr.size;
const SPA = SHA + ETH_ALEN;
const THA = SPA + IPV4_LEN;
const TPA = THA + ETH_ALEN;

/** The ARP fields we use, addresses in text form (MACs lower-case). */
export interface ArpPacket {
  readonly op: number;
  readonly senderMac: string;
  readonly senderIp: string;
  readonly targetMac: string;
  readonly targetIp: string;
}

export type ArpRejectReason =
  /** Too few bytes for the header being read. */
  | 'short'
  /** The Ethernet type is not ARP. */
  | 'not-arp'
  /** ARP for another hardware or protocol type (not Ethernet/IPv4). */
  | 'not-ethernet-ipv4'
  /** Ethernet/IPv4 claimed, but address lengths other than 6 and 4. */
  | 'bad-address-length';

export type ArpParseResult =
  { readonly ok: true; readonly arp: ArpPacket } | { readonly ok: false; readonly reason: ArpRejectReason };

/**
 * One Ethernet/IPv4 ARP frame from `arp.senderMac` to `dstMac`, zero-padded
 * to the 60-byte Ethernet minimum (some NICs send short frames unpadded).
 */
export function encodeArpFrame(dstMac: string, arp: ArpPacket): Buffer {
  if (!Number.isInteger(arp.op) || arp.op < 0 || arp.op > 0xffff) {
    throw new RangeError(`ARP op must be a u16, got ${arp.op}`);
  }
  const frame = Buffer.alloc(ETH_ZLEN);
  frame.set(macBytes(dstMac), 0);
  frame.set(macBytes(arp.senderMac), ETH_ALEN);
  frame.writeUInt16BE(ETH_P_ARP, PACKET_STRUCTS.ethhdr.offsets.h_proto);
  const arphdr = PACKET_STRUCTS.arphdr.offsets;
  frame.writeUInt16BE(ARPHRD_ETHER, ETH_HLEN + arphdr.ar_hrd);
  frame.writeUInt16BE(ETH_P_IP, ETH_HLEN + arphdr.ar_pro);
  frame.writeUInt8(ETH_ALEN, ETH_HLEN + arphdr.ar_hln);
  frame.writeUInt8(IPV4_LEN, ETH_HLEN + arphdr.ar_pln);
  frame.writeUInt16BE(arp.op, ETH_HLEN + arphdr.ar_op);
  frame.set(macBytes(arp.senderMac), SHA);
  frame.set(ipv4Bytes(arp.senderIp), SPA);
  frame.set(macBytes(arp.targetMac), THA);
  frame.set(ipv4Bytes(arp.targetIp), TPA);
  return frame;
}

/**
 * Gratuitous ARP as IPaddr2 and keepalived send it: a broadcast request whose
 * sender and target IP are both `ip`, so every host on the segment updates an
 * existing cache entry for `ip` to `mac`.
 */
export function encodeGratuitousArp(mac: string, ip: string): Buffer {
  return encodeArpFrame(BROADCAST_MAC, {
    op: ARPOP_REQUEST,
    senderMac: mac,
    senderIp: ip,
    targetMac: ZERO_MAC,
    targetIp: ip,
  });
}

/**
 * ARP probe (RFC 5227 section 2.1.1): a broadcast request for `ip` with sender
 * IP 0.0.0.0, so that no host's cache learns anything from it, and whoever
 * holds `ip` answers.
 */
export function encodeArpProbe(mac: string, ip: string): Buffer {
  return encodeArpFrame(BROADCAST_MAC, {
    op: ARPOP_REQUEST,
    senderMac: mac,
    senderIp: '0.0.0.0',
    targetMac: ZERO_MAC,
    targetIp: ip,
  });
}

/** Decode an Ethernet frame as Ethernet/IPv4 ARP, or say why it is not one. */
export function parseArpFrame(frame: Uint8Array): ArpParseResult {
  if (!(frame instanceof Uint8Array) || frame.byteLength < ETH_HLEN) return reject('short');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (view.getUint16(PACKET_STRUCTS.ethhdr.offsets.h_proto) !== ETH_P_ARP) return reject('not-arp');
  if (frame.byteLength < ETH_HLEN + PACKET_STRUCTS.arphdr.size) return reject('short');
  const arphdr = PACKET_STRUCTS.arphdr.offsets;
  if (
    view.getUint16(ETH_HLEN + arphdr.ar_hrd) !== ARPHRD_ETHER ||
    view.getUint16(ETH_HLEN + arphdr.ar_pro) !== ETH_P_IP
  ) {
    return reject('not-ethernet-ipv4');
  }
  if (
    view.getUint8(ETH_HLEN + arphdr.ar_hln) !== ETH_ALEN ||
    view.getUint8(ETH_HLEN + arphdr.ar_pln) !== IPV4_LEN
  ) {
    return reject('bad-address-length');
  }
  // Anything after the ARP body is Ethernet padding (or junk): ignored.
  if (frame.byteLength < ARP_FRAME_LEN) return reject('short');
  return {
    ok: true,
    arp: {
      op: view.getUint16(ETH_HLEN + arphdr.ar_op),
      senderMac: formatMac(frame.subarray(SHA, SHA + ETH_ALEN)),
      senderIp: formatIpv4(frame.subarray(SPA, SPA + IPV4_LEN)),
      targetMac: formatMac(frame.subarray(THA, THA + ETH_ALEN)),
      targetIp: formatIpv4(frame.subarray(TPA, TPA + IPV4_LEN)),
    },
  };
}

export interface SockaddrLl {
  /** EtherType in host order (ETH_P_ARP); stored in network order. */
  readonly protocol: number;
  readonly ifindex: number;
  readonly hatype?: number;
  readonly pkttype?: number;
  /** Link-layer address, at most 8 bytes; sll_halen is its length. */
  readonly addr?: Uint8Array;
}

/**
 * struct sockaddr_ll (<linux/if_packet.h>): sll_protocol is in network order,
 * every other field in host order.
 */
export function encodeSockaddrLl(sll: SockaddrLl): Buffer {
  const { size, offsets } = PACKET_STRUCTS.sockaddr_ll;
  const addr = sll.addr ?? new Uint8Array(0);
  if (addr.byteLength > 8) throw new RangeError(`sll_addr holds 8 bytes, got ${addr.byteLength}`);
  if (!Number.isInteger(sll.ifindex) || sll.ifindex < 0 || sll.ifindex > 0x7fffffff) {
    throw new RangeError(`bad ifindex ${sll.ifindex}`);
  }
  const buf = Buffer.alloc(size);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const le = endianness() === 'LE';
  view.setUint16(offsets.sll_family, AF_PACKET, le);
  view.setUint16(offsets.sll_protocol, sll.protocol, false);
  view.setInt32(offsets.sll_ifindex, sll.ifindex, le);
  view.setUint16(offsets.sll_hatype, sll.hatype ?? 0, le);
  view.setUint8(offsets.sll_pkttype, sll.pkttype ?? 0);
  view.setUint8(offsets.sll_halen, addr.byteLength);
  buf.set(addr, offsets.sll_addr);
  return buf;
}

export function macBytes(mac: string): Uint8Array {
  const norm = normalizeMac(mac);
  if (norm === null) throw new RangeError(`not a MAC address: ${JSON.stringify(mac)}`);
  return Uint8Array.from(norm.split(':'), (h) => parseInt(h, 16));
}

export function formatMac(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

export function ipv4Bytes(ip: string): Uint8Array {
  if (!isIpv4(ip)) throw new RangeError(`not an IPv4 address: ${JSON.stringify(ip)}`);
  return Uint8Array.from(ip.split('.'), Number);
}

export function formatIpv4(bytes: Uint8Array): string {
  return Array.from(bytes).join('.');
}

function reject(reason: ArpRejectReason): ArpParseResult {
  return { ok: false, reason };
}
