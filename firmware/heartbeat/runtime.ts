// The heartbeat runtime: every interval it builds ONE signed message and
// hands it to every path driver; whatever the drivers receive goes through
// the intake (decode, HMAC, replay filter) into Membership. Rejections are
// counted by path and reason; they never refresh a path.
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import type { ControllerState } from '../core/states.ts';
import type { ControllerId, Role } from '../cluster/codes.ts';
import { HeartbeatIntake } from '../cluster/intake.ts';
import { Membership, type MembershipEvent } from '../cluster/membership.ts';
import { encodeHeartbeat, type MaintenanceMark, type ResourceStatus } from '../cluster/message.ts';
import type { HeartbeatPath } from '../cluster/heartbeat-paths.ts';
import { HeartbeatAcceptor } from '../cluster/replay.ts';
import type { HeartbeatTiming } from '../cluster/timing.ts';
import type { MailboxMessage } from '../cluster/witness-layout.ts';
import type { DiskPath } from './disk-path.ts';
import { newIncarnation } from './incarnation.ts';
import { ownVersions } from './own-versions.ts';
import { PathMute } from './path-mute.ts';
import type { PathDriver, PathHooks } from './path-driver.ts';

/** What we say about ourselves in each heartbeat; read fresh every interval. */
export interface SelfReport {
  readonly state: ControllerState;
  readonly groups: readonly string[];
  readonly configVersion: number;
  readonly maintenance: MaintenanceMark;
  readonly resources: readonly ResourceStatus[];
}

export interface RuntimeEvents {
  membership: [event: MembershipEvent];
  transport: [info: { path: HeartbeatPath; up: boolean; detail: string }];
  'peer-restart': [info: { incarnation: string; path: HeartbeatPath }];
  mailbox: [message: MailboxMessage];
  notice: [info: { path: HeartbeatPath; code: string; detail: string }];
}

export interface HeartbeatRuntimeOptions {
  readonly clock: Clock;
  readonly self: ControllerId;
  readonly boxId: number;
  readonly key: Uint8Array;
  readonly timing: HeartbeatTiming;
  readonly drivers: readonly PathDriver[];
  readonly report: () => SelfReport;
  readonly incarnation?: bigint;
}

export interface RuntimeCounters {
  readonly sent: number;
  readonly accepted: Readonly<Partial<Record<HeartbeatPath, number>>>;
  /** path -> reason -> count */
  readonly rejected: Readonly<Partial<Record<HeartbeatPath, Readonly<Record<string, number>>>>>;
  readonly drivers: Readonly<Partial<Record<HeartbeatPath, Readonly<Record<string, number>>>>>;
}

function roleOf(state: ControllerState): Role {
  if (state === 'active') return 'active';
  if (state === 'standby') return 'standby';
  return 'none';
}

export class HeartbeatRuntime extends EventEmitter<RuntimeEvents> {
  readonly membership: Membership;
  readonly incarnation: bigint;
  /** The failover drill silences one path for a while (path-mute.ts). */
  readonly mute: PathMute;
  private readonly o: HeartbeatRuntimeOptions;
  private readonly intake: HeartbeatIntake;
  private timer: TimerHandle | undefined;
  private seq = 0;
  private sent = 0;
  private readonly accepted: Partial<Record<HeartbeatPath, number>> = {};
  private readonly rejected: Partial<Record<HeartbeatPath, Record<string, number>>> = {};
  private readonly transportUp = new Map<HeartbeatPath, boolean>();
  /** When each path's transport last came up (monotonic ms); absent while it is down. */
  private readonly upSince = new Map<HeartbeatPath, number>();
  private readonly lastAccepted = new Map<HeartbeatPath, number>();

  constructor(options: HeartbeatRuntimeOptions) {
    super();
    this.o = options;
    this.incarnation = options.incarnation ?? newIncarnation();
    this.mute = new PathMute(options.clock);
    const paths = options.drivers.map((d) => d.path);
    if (new Set(paths).size !== paths.length)
      throw new RangeError(`duplicate heartbeat paths: ${paths.join(', ')}`);
    this.membership = new Membership({ clock: options.clock, timing: options.timing, paths });
    this.membership.on((e) => this.emit('membership', e));
    const acceptor = new HeartbeatAcceptor({ boxId: options.boxId, self: options.self, key: options.key });
    this.intake = new HeartbeatIntake(options.self, acceptor, this.membership);
  }

  get paths(): readonly HeartbeatPath[] {
    return this.o.drivers.map((d) => d.path);
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.membership.start();
    for (const d of this.o.drivers) d.start(this.hooksFor(d.path));
    this.timer = this.o.clock.every(this.o.timing.intervalMs, () => this.beat());
    this.beat();
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    this.membership.stop();
    await Promise.all(this.o.drivers.map((d) => d.stop().catch(() => undefined)));
  }

  /** Whether our own witness I/O currently works (false without a disk path). */
  diskAccess(): boolean {
    const disk = this.o.drivers.find((d): d is DiskPath => d.path === 'disk');
    return disk?.diskAccess() ?? false;
  }

  counters(): RuntimeCounters {
    const drivers: Partial<Record<HeartbeatPath, Readonly<Record<string, number>>>> = {};
    for (const d of this.o.drivers) drivers[d.path] = d.counters();
    // Read every interval by the authentication watch (auth-watch.ts): a
    // two-level copy of plain counts, not structuredClone, which serialises
    // and rebuilds them (about 3 us a call, several times the copy).
    const rejected: Partial<Record<HeartbeatPath, Record<string, number>>> = {};
    for (const [path, byReason] of Object.entries(this.rejected) as [HeartbeatPath, Record<string, number>][])
      rejected[path] = { ...byReason };
    return { sent: this.sent, accepted: { ...this.accepted }, rejected, drivers };
  }

  /** Build and send one heartbeat now (the timer calls this every interval). */
  beat(): void {
    const r = this.o.report();
    const bytes = encodeHeartbeat(
      {
        boxId: this.o.boxId,
        controller: this.o.self,
        incarnation: this.incarnation,
        seq: ++this.seq,
        versions: ownVersions(),
        senderMonoMs: Math.max(0, Math.floor(this.o.clock.monotonicMs())),
        role: roleOf(r.state),
        state: r.state,
        groups: r.groups,
        configVersion: r.configVersion,
        maintenance: r.maintenance,
        health: {
          seesPeer: this.membership.seenMask(),
          diskAccess: this.diskAccess(),
          resources: r.resources,
        },
      },
      this.o.key,
    );
    this.sent++;
    for (const d of this.o.drivers) if (!this.mute.muted(d.path)) d.send(bytes);
  }

  private hooksFor(path: HeartbeatPath): PathHooks {
    return {
      receive: (bytes) => {
        const r = this.intake.receive(path, bytes);
        if (r.ok) this.accept(path, r.value.newIncarnation, r.value.msg.incarnation);
        else this.reject(path, r.error.reason);
      },
      receiveWitnessSlot: (sector) => {
        const r = this.intake.receiveWitnessSlot(sector);
        if (r.ok) this.accept(path, r.value.newIncarnation, r.value.msg.incarnation);
        // An unchanged slot is the normal answer while the peer is away or slow:
        // counted like any other refusal, never as liveness.
        else
          this.reject(
            path,
            r.error.reason === 'witness-sector' ? `sector-${r.error.sector.code}` : r.error.reason,
          );
      },
      mailbox: (m) => this.emit('mailbox', m),
      transport: (up, detail) => {
        const was = this.transportUp.get(path);
        this.transportUp.set(path, up);
        if (!up) this.upSince.delete(path);
        else if (was !== true) this.upSince.set(path, this.o.clock.monotonicMs());
        // Report transitions only: a path that keeps failing to reopen is one event.
        if (was !== up) this.emit('transport', { path, up, detail });
      },
      notice: (code, detail) => this.emit('notice', { path, code, detail }),
    };
  }

  /**
   * Since when we have been able to hear the peer on `path` (its transport
   * up, monotonic ms); undefined while we cannot. Silence before that
   * moment says nothing about the peer.
   */
  listeningSinceMs(path: HeartbeatPath): number | undefined {
    return this.upSince.get(path);
  }

  /** Monotonic ms of the last accepted heartbeat on `path`, if any. */
  lastHeardMs(path: HeartbeatPath): number | undefined {
    return this.lastAccepted.get(path);
  }

  private accept(path: HeartbeatPath, restarted: boolean, incarnation: bigint): void {
    this.accepted[path] = (this.accepted[path] ?? 0) + 1;
    this.lastAccepted.set(path, this.o.clock.monotonicMs());
    if (restarted) this.emit('peer-restart', { incarnation: incarnation.toString(16), path });
  }

  private reject(path: HeartbeatPath, reason: string): void {
    const byReason = (this.rejected[path] ??= {});
    byReason[reason] = (byReason[reason] ?? 0) + 1;
  }
}
