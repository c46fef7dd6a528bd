// The datagram contract: one UDP-like socket bound to a local address and
// port, sending whole messages to an address and port and emitting whole
// messages with their sender. Heartbeats over the private link and the LAN
// use it; node:dgram implements it on Linux, SimDatagramNetwork in the sim.
import type { EventEmitter } from 'node:events';

export interface DatagramSender {
  readonly address: string;
  readonly port: number;
}

export interface DatagramEvents {
  /** One whole datagram; `from` is where the network says it came from. */
  message: [data: Buffer, from: DatagramSender];
  /** The socket failed; it is closed afterwards. */
  error: [err: Error];
  close: [];
}

export interface DatagramSocket extends EventEmitter<DatagramEvents> {
  /** For logs: "udp 198.18.1.1:7788". */
  readonly description: string;
  bind(address: string, port: number): Promise<void>;
  /** Resolves when the datagram is handed to the network (not delivered). */
  send(data: Uint8Array, address: string, port: number): Promise<void>;
  close(): Promise<void>;
}

/** Largest payload we ever send: a heartbeat is at most 356 bytes. */
export const MAX_DATAGRAM_BYTES = 1400;
