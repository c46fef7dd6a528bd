// A raw AF_PACKET socket for ARP on one interface, through koffi (loaded on
// first use by hal/ioctl/libc.ts). We send and receive ARP ourselves because
// iputils arping takes whole seconds only: each announcement waited ~1 s for
// replies and each probe took at least 1 s, which delayed VIP failover.
// Syscall failures are SyscallErrors; hal/net/linux.ts says what they mean.
import { bindSync, closeSync, recvSync, sendToSync, socketSync } from '../ioctl/libc.ts';
import { encodeSockaddrLl } from './arp-frame.ts';
import {
  AF_PACKET,
  ARPHRD_ETHER,
  ETH_ALEN,
  ETH_P_ARP,
  MSG_DONTWAIT,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_RAW,
} from './packet-uapi.ts';

export interface ArpSocket {
  /** Transmit one whole Ethernet frame (header included) on the interface. */
  send(frame: Buffer): void;
  /** The next queued frame, or null when none is waiting. Never blocks. */
  receive(): Buffer | null;
  /** Release the descriptor; never throws, safe to call twice. */
  close(): void;
}

export interface ArpSocketOptions {
  /** Queue incoming ARP frames for receive(); off for send-only use. */
  readonly listen: boolean;
}

export type ArpSocketOpener = (ifname: string, ifindex: number, options: ArpSocketOptions) => ArpSocket;

/** Larger than any frame on a 1500-byte MTU link; longer ones are truncated, which ARP never needs. */
const RECEIVE_BYTES = 2048;

export const openArpSocket: ArpSocketOpener = (ifname, ifindex, options) => {
  // Protocol 0 at socket() receives nothing; bind() then sets ETH_P_ARP and
  // the interface together. Opening with ETH_P_ARP would queue ARP from every
  // interface during the moment before bind().
  const fd = socketSync(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, ifname);
  let open = true;
  const close = (): void => {
    if (!open) return;
    open = false;
    try {
      closeSync(fd, ifname);
    } catch {
      // The kernel has released the fd anyway (see closeSync); the caller's
      // own result is what matters.
    }
  };
  try {
    bindSync(fd, encodeSockaddrLl({ protocol: options.listen ? ETH_P_ARP : 0, ifindex }), ifname);
  } catch (err) {
    close();
    throw err;
  }
  const buf = Buffer.alloc(RECEIVE_BYTES);
  return {
    send(frame) {
      if (!open) throw new Error(`ARP socket on ${ifname} is closed`);
      // For SOCK_RAW the frame carries its own Ethernet header; the kernel
      // takes only the interface and protocol from the address.
      const dest = encodeSockaddrLl({
        protocol: ETH_P_ARP,
        ifindex,
        hatype: ARPHRD_ETHER,
        addr: frame.subarray(0, ETH_ALEN),
      });
      const sent = sendToSync(fd, frame, 0, dest, ifname);
      if (sent !== frame.length) {
        throw new Error(`ARP socket on ${ifname} sent ${sent} of ${frame.length} bytes`);
      }
    },
    receive() {
      if (!open) return null;
      const n = recvSync(fd, buf, MSG_DONTWAIT, ifname);
      return n === null ? null : Buffer.from(buf.subarray(0, n));
    },
    close,
  };
};
