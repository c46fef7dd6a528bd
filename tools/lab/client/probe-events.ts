// Lines the takeover probe prints (one JSON object per line, on stdout).

/** An ARP reply for the VIP from `mac`, printed when the replier changes or after a silence. */
export interface ArpEvent {
  readonly kind: 'arp';
  readonly t: number;
  readonly mac: string;
}

/** A `SELECT 1` through the VIP came back; `started` is that postmaster's start (epoch ms). */
export interface DbUpEvent {
  readonly kind: 'db-up';
  readonly t: number;
  readonly started: number;
}

export interface DbDownEvent {
  readonly kind: 'db-down';
  readonly t: number;
  readonly error: string;
}

export type ProbeEvent = ArpEvent | DbUpEvent | DbDownEvent;
