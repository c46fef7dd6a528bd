// What the observers record, the only input of the judges. None of it comes
// from the firmware's own view of itself (issue 18 item 2): the client's ARP
// capture and inserts, the mount tables read from each controller's
// namespace, the processes seen running there. Every `t` is epoch ms.
import type { Controller } from './menu.ts';

/** An ARP reply for the VIP seen by the client's capture on the LAN. */
export interface ArpReply {
  readonly t: number;
  readonly mac: string;
}

/** One sampling round (every 50 ms) of both controllers' mount tables: is the data volume mounted there? */
export interface MountSample {
  readonly t: number;
  readonly mounted: Readonly<Record<Controller, boolean>>;
}

/** One insert of the client through the VIP: `ok` when PostgreSQL acknowledged it (committed) at `t`. */
export interface InsertAttempt {
  /** When the attempt ended: its acknowledgement, or its error. */
  readonly t: number;
  readonly id: number;
  readonly ok: boolean;
  readonly error?: string;
}

/** Where a group was seen running (its mount and processes in that namespace): none, one or (wrongly) both. */
export interface GroupSample {
  readonly t: number;
  readonly group: string;
  readonly on: readonly Controller[];
}

/** A log line from either controller, the lab, or the client, for the report's context around a violation. */
export interface LogLine {
  readonly t: number;
  readonly source: string;
  readonly text: string;
}

/** What the observers recorded over one step's window (log lines are fetched apart, only around a violation). */
export interface Observations {
  readonly arp: readonly ArpReply[];
  readonly mounts: readonly MountSample[];
  readonly inserts: readonly InsertAttempt[];
  readonly groups: readonly GroupSample[];
}

/** The table read at the end of the campaign: the ids of every row it holds. */
export interface FinalTable {
  readonly t: number;
  readonly ids: readonly number[];
}
