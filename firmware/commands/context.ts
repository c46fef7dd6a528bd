// What command handlers may touch, and nothing more: the controller's parts
// as small structural interfaces, so the controller's classes (status
// keeper, heartbeat runtime, failover host, alarm manager, event log, config
// manager) satisfy them as they are, and a test can hand in plain objects.
import type { Result } from '../core/result.ts';
import type {
  UpgradeProgress,
  ControllerStatus,
  GroupStatus,
  ResourceStatus,
  StatusReport,
} from '../status/snapshot.ts';
import type { HeartbeatPath } from '../cluster/heartbeat-paths.ts';
import type { EventInput, EventQuery, LoggedEvent } from '../events/types.ts';
import type { TandemConfig } from '../config/schema.ts';

/** An operator request to the failover state machine. */
export type OperatorOp = 'switchover' | 'failback' | 'maintenance-on' | 'maintenance-off' | 'forced-takeover';

/** One transition as the state machine reports it: the reply quotes it. */
export interface TransitionView {
  readonly from: string;
  readonly to: string;
  readonly outcome: string;
  readonly actions: readonly string[];
  readonly text: string;
}

/** The reservations on the shared LUN as the fencer last saw them. */
export interface ReservationView {
  /** null before our first registration. */
  readonly ourKey: bigint | null;
  readonly keys: readonly bigint[];
  readonly reservation: { readonly key: bigint; readonly type: number } | null;
  /** The peer removed our key: we must not write. */
  readonly weAreFenced: boolean;
}

/** What the commands use of the controller hosting the failover state machine. */
export interface FailoverOps {
  /** The state machine: operator commands in, transitions out. */
  readonly failover: {
    onTransition(listener: (r: TransitionView) => void): () => void;
    command(op: OperatorOp, groups?: readonly string[]): void;
    /** The box's maintenance mark as this controller knows it (replicated through the heartbeat). */
    status(): { readonly maintenance: { readonly on: boolean; readonly epoch: number } };
  };
  readonly fencer: { snapshot(): ReservationView };
  groupStatus(): readonly GroupStatus[];
  /** Each resource of a group with its health here and its recent failures (status); optional for fakes. */
  resourceStatus?(group: string): readonly ResourceStatus[];
  /** Groups this controller runs or is starting. */
  heldGroups(): readonly string[];
  /** Forget failures (every group without an argument); restart groups left failed here. */
  cleanup(groups?: readonly string[]): Promise<unknown>;
}

/** An alarm list that can be read and acknowledged. */
export interface AlarmOps {
  active(): unknown[];
  acknowledge(alarmId: unknown, by: unknown): Result<unknown, string>;
  /** The front panel's mute and locate (AlarmManager has them; a fake list may not). */
  readonly signals?: { snapshot(): PanelSignalView };
  mute?(by: string): { readonly state: PanelSignalView; readonly silenced: readonly number[] };
  locate?(on: boolean, by: string): PanelSignalView;
  /** PANEL_FAULT from the panel process: raised on a part's fault, cleared when it recovers. */
  panelFault?(part: string, detail: string | null): void;
}

/** Whether the buzzer is muted and the identify LED blinks (alarms/panel-signals.ts). */
export interface PanelSignalView {
  readonly muted: boolean;
  readonly locate: boolean;
}

/** The configuration store (ConfigManager). */
/** What a config change answers (ConfigManager's ApplyResult, as the commands read it). */
export type ConfigChange =
  | {
      readonly ok: true;
      readonly config: { readonly configVersion: number };
      readonly warnings: readonly { readonly path: string; readonly message: string }[];
      /** Settings this change applied at once. */
      readonly live: readonly string[];
      /** Stored settings that wait for a daemon restart. */
      readonly restart: readonly string[];
      /** Equal to the config stored: nothing written, version kept. */
      readonly unchanged: boolean;
    }
  | { readonly ok: false; readonly errors: readonly { readonly path: string; readonly message: string }[] };

export interface ConfigOps {
  exportText(options?: { includeSecrets?: boolean }): string;
  importText(text: string, origin?: string, options?: { merge?: boolean }): Promise<ConfigChange>;
  setIdentity(change: { boxId?: string; key?: string }, origin: string): Promise<ConfigChange>;
  /** The config stored, secrets included (the web users' commands read web.users); absent on fakes. */
  current?(): TandemConfig;
  /** `upgrade commit` (ConfigManager.commitSchema); absent on fakes. */
  commitSchema?(
    peer: { readonly configSchema: number | null; readonly firmwareVersion: string | null },
    ownFirmware: string,
    origin: string,
  ): Promise<SchemaCommit>;
}

/** What `upgrade commit` answers (ConfigManager's SchemaCommitResult, as the command reads it). */
export type SchemaCommit =
  | { readonly ok: true; readonly committed: false; readonly schema: number; readonly message: string }
  | {
      readonly ok: true;
      readonly committed: true;
      readonly from: number;
      readonly to: number;
      readonly steps: readonly string[];
      readonly configVersion: number;
    }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Who a request on the web socket acts for, as the web process vouches (console/on-behalf.ts). */
export interface OnBehalf {
  readonly user: string;
  readonly role: 'viewer' | 'operator' | 'admin';
  /** The browser's IP address. */
  readonly address: string;
}

/** The upgrade on this controller (firmware/upgrade/service.ts); its replies are Outcomes. */
export interface UpgradeOps {
  begin(
    bundle: string,
    failback: boolean,
  ): Promise<{ ok: true; data: unknown } | { ok: false; error: string }>;
  abort(by: string): Promise<{ ok: true; data: unknown } | { ok: false; error: string }>;
  resume(by: string): Promise<{ ok: true; data: unknown } | { ok: false; error: string }>;
  rollback(holdsGroups: boolean): Promise<{ ok: true; data: unknown } | { ok: false; error: string }>;
  status(): Promise<unknown>;
  /** The plan as the status report carries it. */
  progress(): UpgradeProgress | null;
  peerOp(op: PeerUpgradeOp): Promise<{ ok: true; data: unknown } | { ok: false; error: string }>;
}

/** What the peer's firmware asks of this controller's upgrade agent. */
export type PeerUpgradeOp =
  | { readonly op: 'status' }
  | { readonly op: 'fetch'; readonly bundle: string }
  | { readonly op: 'install' }
  | { readonly op: 'plan'; readonly plan: unknown };

/** The failover drill on this controller (firmware/drill, docs/drill.md); its replies are Outcomes. */
export interface DrillOps {
  /** Preflight, then the drill in the background: the progress, or the refusal naming each failed check. */
  begin(run: DrillRun): Promise<{ ok: true; data: unknown } | { ok: false; error: string }>;
  /** The running drill's progress and the last drill's report. */
  status(): Promise<unknown>;
  /** What the peer's drill asks of this controller. */
  peerOp(
    op: PeerDrillOp,
    log: { query(q?: EventQuery): LoggedEvent[] } | undefined,
  ): Promise<{ ok: true; data: unknown } | { ok: false; error: string }>;
}

/** What a drill gets from the command that starts it. */
export interface DrillRun {
  /** Who asked (the report keeps it). */
  readonly actor: string;
  /** This controller's event log: the phases are read from it. */
  readonly log: { query(q?: EventQuery): LoggedEvent[] };
  /** The status report now (preflight). */
  readonly here: StatusReport;
  /** The switchover or failback command, run here on the drill's behalf. */
  move(
    kind: 'switchover' | 'failback',
    group: string,
  ):
    | { ok: true; data: unknown }
    | { ok: false; error: string }
    | Promise<{ ok: true; data: unknown } | { ok: false; error: string }>;
}

/** What the peer's drill asks of this controller (the `drill-peer` command). */
export type PeerDrillOp =
  | { readonly op: 'mark' }
  | {
      readonly op: 'timing';
      readonly timing: 'stop' | 'start' | 'restart';
      readonly group: string;
      readonly resource: string;
      readonly afterId: number;
    }
  | { readonly op: 'crash'; readonly group: string }
  | { readonly op: 'watch'; readonly path: HeartbeatPath; readonly ms: number };

export interface CommandContext {
  /** The live snapshot (status, peer, paths). */
  readonly status: { current(): ControllerStatus };
  /** The heartbeat runtime's counters, shown by `paths`. */
  readonly counters: () => unknown;
  /** The controller hosting the failover state machine; undefined on a node without one. */
  readonly host: () => FailoverOps | undefined;
  /** Absent on a bare node handler: the operator surfaces add them. */
  readonly alarms?: AlarmOps;
  readonly events?: { query(q?: EventQuery): LoggedEvent[]; append?(event: EventInput): unknown };
  /** Absent in the simulated box, which runs on embedded defaults. */
  readonly config?: ConfigOps;
  /** Who acknowledged, when the request does not say (e.g. 'tandemctl', 'noc'). */
  readonly defaultActor?: string;
  /**
   * Set only for the root-only control socket: the one channel whose replies
   * may carry secrets. Absent (MQTT, the sim console, anything else): never.
   */
  readonly secretsChannel?: true;
  /** Set only for web.sock, the web process's socket: login and password changes are taken there. */
  readonly webChannel?: true;
  /** Set only for the front panel's socket (initial-password is shown there). */
  readonly panelChannel?: true;
  /** The web user a web.sock request acts for; absent elsewhere. */
  readonly onBehalf?: OnBehalf;
  /**
   * Set while this controller (A or B) has no config yet (first boot): the
   * commands that need a running controller are refused (unconfigured.ts).
   */
  readonly unconfigured?: string;
  /** Absent where nothing can be upgraded (the sim box without boot slots). */
  readonly upgrade?: UpgradeOps;
  /** The failover drill; absent on a node without a failover core. */
  readonly drill?: DrillOps;
}
