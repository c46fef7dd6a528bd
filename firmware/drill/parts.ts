// What the failover drill uses of its controller, as small structural
// interfaces: the Controller hands in its own parts (controller.ts), a test
// may hand in others.
import type { Clock } from '../../hal/clock/clock.ts';
import type { ControllerId } from '../cluster/codes.ts';
import type { HeartbeatPath } from '../cluster/heartbeat-paths.ts';
import type { HeartbeatTiming } from '../cluster/timing.ts';
import type { FailoverOps } from '../commands/context.ts';
import type { EventSink } from '../events/types.ts';
import type { PeerRunner } from '../peer/channel.ts';
import type { DrillCrash } from '../resources/group-runner.ts';
import type { ControllerStatus } from '../status/snapshot.ts';

export interface DrillParts {
  readonly clock: Clock;
  readonly self: ControllerId;
  readonly timing: HeartbeatTiming;
  /** Where the last report is kept (drill/last.json). */
  readonly stateDir: string;
  readonly firmwareVersion: string;
  /** Where the drill's own events go. */
  readonly events: EventSink;
  readonly peer: PeerRunner;
  /** Groups, who runs them, the reservations. */
  readonly host: FailoverOps;
  readonly status: { current(): ControllerStatus };
  /** This controller's heartbeat paths, in the order they are checked. */
  readonly paths: readonly HeartbeatPath[];
  /** Where placement puts the group when both run (failover/placement.ts homeOf): where the drill leaves it. */
  home(group: string): ControllerId;
  /** Send nothing on `path` for `ms` (heartbeat/path-mute.ts). */
  mute(path: HeartbeatPath, ms: number): void;
  /** Kill the group's database here (resources/group-runner.ts crashForDrill). */
  crash(group: string): Promise<DrillCrash>;
  /** After the restart: the drill's failure is not counted against the restart policy. */
  forgetFailure(group: string): void;
}
