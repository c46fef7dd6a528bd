// The resource agent contract. An agent knows how to start, stop, monitor and
// validate one kind of resource (a mount, an address, a database); the group
// decides when. Every action returns an OCF result instead of throwing, and
// runs under its own timeout: on expiry the action's signal aborts, which
// kills the commands it started (SIGTERM, then SIGKILL after a grace).
import type { Clock } from '../../hal/clock/clock.ts';
import type { CommandResult, CommandRunner } from './command.ts';
import { fail } from './ocf.ts';
import type { OcfResult } from './ocf.ts';
import { errorMessage } from '../../hal/errors.ts';

export const ACTIONS = ['validate', 'start', 'stop', 'monitor'] as const;
export type Action = (typeof ACTIONS)[number];

export type ActionTimeouts = Readonly<Record<Action, number>>;

export interface ExecOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** Shorter than the action's own timeout, for one step of it. */
  readonly timeoutMs?: number;
  readonly cwd?: string;
}

/** What an action gets: its abort signal and a command runner bound to it. */
export interface ActionContext {
  readonly action: Action;
  readonly signal: AbortSignal;
  readonly clock: Clock;
  exec(file: string, args: readonly string[], options?: ExecOptions): Promise<CommandResult>;
}

export interface ResourceAgent {
  /** Unique within its group; names events and alarms. */
  readonly name: string;
  /** 'filesystem', 'vip', ... */
  readonly type: string;
  readonly timeouts: ActionTimeouts;
  readonly monitorIntervalMs: number;
  /**
   * false: nothing after it in the group needs it, so the group starts the
   * next resource alongside it rather than after it (and waits for both
   * before going on). Absent: true, the group's order.
   */
  readonly ordered?: boolean;
  /** Checks configuration and installed tools only; touches nothing. */
  validate(ctx: ActionContext): Promise<OcfResult>;
  /** Idempotent: starting a running resource succeeds. */
  start(ctx: ActionContext): Promise<OcfResult>;
  /** Idempotent: stopping a stopped resource succeeds. */
  stop(ctx: ActionContext): Promise<OcfResult>;
  /** ok when running and healthy; not-running when cleanly stopped. */
  monitor(ctx: ActionContext): Promise<OcfResult>;
  /**
   * The failover drill's resource failure (firmware/drill): the resource
   * dies here as in a crash (the database's postmaster is SIGKILLed), so its
   * monitor finds it failed and the local restart runs. Absent: an agent
   * whose failure the drill does not stage.
   */
  crash?(): Promise<OcfResult>;
}

export const DEFAULT_TIMEOUTS: ActionTimeouts = {
  validate: 10_000,
  start: 60_000,
  stop: 60_000,
  monitor: 20_000,
};

export interface ActionDeps {
  readonly clock: Clock;
  readonly run: CommandRunner;
}

/**
 * Runs one action under its timeout. Never throws: an exception becomes
 * generic-error, a timeout becomes generic-error with timedOut set.
 */
export async function runAction(agent: ResourceAgent, action: Action, deps: ActionDeps): Promise<OcfResult> {
  const timeoutMs = agent.timeouts[action];
  const controller = new AbortController();
  const ctx: ActionContext = {
    action,
    signal: controller.signal,
    clock: deps.clock,
    exec: (file, args, options = {}) =>
      deps.run({
        file,
        args,
        timeoutMs: Math.min(options.timeoutMs ?? timeoutMs, timeoutMs),
        signal: controller.signal,
        ...(options.env ? { env: options.env } : {}),
        ...(options.cwd ? { cwd: options.cwd } : {}),
      }),
  };
  let timer: { cancel(): void } | undefined;
  const expired = new Promise<OcfResult>((resolve) => {
    timer = deps.clock.after(timeoutMs, () => {
      controller.abort();
      resolve(fail('generic-error', `${action} timed out after ${timeoutMs} ms`, { timedOut: true }));
    });
  });
  const attempt = agent[action](ctx).catch((err: unknown) =>
    fail('generic-error', `${action} threw: ${errorMessage(err)}`),
  );
  try {
    return await Promise.race([attempt, expired]);
  } finally {
    timer?.cancel();
  }
}
