// Keeps this controller's operator state and builds the ControllerStatus
// snapshot (StatusSource) from it, membership and alarms. Until the failover
// machine (firmware/failover) takes over state changes, the only rule here is
// "starting until the peer is heard or initdead passes, then standby".
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import type { AlarmManager } from '../alarms/alarm-manager.ts';
import { otherController, type ControllerId } from '../cluster/codes.ts';
import type { PathStatus, ControllerStatus, GroupStatus, StatusSource } from '../status/snapshot.ts';
import { STATE_TEXT, type ControllerState } from '../core/states.ts';
import type { HeartbeatRuntime } from '../heartbeat/runtime.ts';

export interface StatusKeeperOptions {
  readonly clock: Clock;
  readonly boxId: string;
  readonly self: ControllerId;
  readonly runtime: HeartbeatRuntime;
  readonly alarms: AlarmManager;
  readonly initdeadMs: number;
  readonly configVersion: () => number;
  /** The failover core sets every state: no "standby after initdead" rule here. */
  readonly stateFromFailover?: boolean;
  /** Resource groups and who runs them (the failover host); none before failover exists. */
  readonly groups?: () => readonly GroupStatus[];
}

export class StatusKeeper implements StatusSource {
  private readonly o: StatusKeeperOptions;
  private stateValue: ControllerState = 'starting';
  private sinceMs: number;
  private readonly listeners = new Set<(s: ControllerStatus) => void>();
  private readonly stateListeners = new Set<
    (from: ControllerState, to: ControllerState, why: string) => void
  >();
  private initdeadTimer: TimerHandle | undefined;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(options: StatusKeeperOptions) {
    this.o = options;
    this.sinceMs = options.clock.wallMs();
  }

  get state(): ControllerState {
    return this.stateValue;
  }

  start(): void {
    const rt = this.o.runtime;
    const own = this.o.stateFromFailover !== true;
    const onMembership = (e: { type: string }): void => {
      if (own && e.type === 'peer-alive' && this.stateValue === 'starting')
        this.setState('standby', 'peer heard');
      this.changed();
    };
    rt.on('membership', onMembership);
    this.unsubscribe.push(() => rt.off('membership', onMembership));
    this.unsubscribe.push(this.o.alarms.subscribe(() => this.changed()));
    if (!own) return;
    this.initdeadTimer = this.o.clock.after(this.o.initdeadMs, () => {
      if (this.stateValue === 'starting') this.setState('standby', `initdead ${this.o.initdeadMs} ms passed`);
    });
  }

  stop(): void {
    this.initdeadTimer?.cancel();
    for (const u of this.unsubscribe.splice(0)) u();
  }

  /** The failover machine's entry point for every later transition. */
  setState(next: ControllerState, why: string): void {
    if (next === this.stateValue) return;
    const from = this.stateValue;
    this.stateValue = next;
    this.sinceMs = this.o.clock.wallMs();
    for (const l of this.stateListeners) l(from, next, why);
    this.changed();
  }

  onStateChange(listener: (from: ControllerState, to: ControllerState, why: string) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onChange(listener: (status: ControllerStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  current(): ControllerStatus {
    const rt = this.o.runtime;
    const m = rt.membership;
    const now = this.o.clock.monotonicMs();
    const paths: PathStatus[] = rt.paths.map((path) => {
      const last = rt.lastHeardMs(path);
      return {
        path,
        state: m.pathState(path),
        lastHeardAgoMs: last === undefined ? null : Math.max(0, Math.round(now - last)),
        oneWay: m.isOneWay(path),
      };
    });
    const latest = m.latestMessage();
    const heard = latest !== undefined && m.peerState() !== 'dead';
    const versions = m.peerVersions();
    return {
      boxId: this.o.boxId,
      controller: this.o.self,
      state: this.stateValue,
      stateText: STATE_TEXT[this.stateValue],
      since: this.sinceMs,
      peer: {
        id: otherController(this.o.self),
        state: m.peerState(),
        peerState: heard ? latest.state : null,
        diskAccess: heard ? latest.health.diskAccess : null,
        firmwareVersion: versions?.firmwareVersion ?? null,
        protocol: versions?.protocol ?? null,
        configSchema: versions?.configSchema ?? null,
        protocolCompatible: m.peerCompatible(),
        paths,
      },
      groups: [...(this.o.groups?.() ?? [])],
      diskAccess: rt.diskAccess(),
      activeAlarms: this.o.alarms.active().length,
      configVersion: this.o.configVersion(),
      updatedAt: this.o.clock.wallMs(),
    };
  }

  private changed(): void {
    if (this.listeners.size === 0) return;
    const s = this.current();
    for (const l of this.listeners) l(s);
  }
}
