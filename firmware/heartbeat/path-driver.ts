// What the heartbeat runtime needs from one path (serial, net, lan, disk):
// send the current signed message, and hand back whatever the peer sent.
// Each driver owns its transport, reopens it with backoff when it fails and
// never throws into the runtime: a broken path is a path-down, not a crash.
import type { HeartbeatPath } from '../cluster/heartbeat-paths.ts';
import type { MailboxMessage } from '../cluster/witness-layout.ts';

export interface PathHooks {
  /** A whole candidate message from the peer (deframed serial payload, datagram). */
  receive(bytes: Uint8Array): void;
  /** The peer's witness slot sector as just read (disk path only). */
  receiveWitnessSlot(sector: Uint8Array): void;
  /** A new order in our witness mailbox (disk path only); obeying it is the failover's job. */
  mailbox(message: MailboxMessage): void;
  /** The transport under the path opened (up) or failed (down, with why and when we retry). */
  transport(up: boolean, detail: string): void;
  /** Something worth an event that is not a failure (e.g. witness area initialised). */
  notice(code: string, detail: string): void;
}

export interface PathDriver {
  readonly path: HeartbeatPath;
  readonly description: string;
  start(hooks: PathHooks): void;
  /** Fire and forget: errors are counted and handled inside the driver. */
  send(message: Uint8Array): void;
  stop(): Promise<void>;
  /** Driver-level counters (send errors, frames skipped, ...), for telemetry. */
  counters(): Readonly<Record<string, number>>;
}
