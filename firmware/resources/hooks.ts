// Pre/post failover and failback scripts, as info2soft i2 runs them (pre
// before the service IP is added, post after; the failback pair around giving
// it up). Here they wrap a whole group start or stop on whichever controller
// does it; TANDEM_ACTION tells the script which side it is on. The script
// gets the event in its environment only (no shell, no arguments built from
// data), and what it prints is untrusted: it is trimmed before it is logged.
import type { ControllerId } from '../cluster/codes.ts';
import type { CommandRunner } from './command.ts';
import { describeCommand, lastLine } from './command.ts';
import type { HOOK_EVENTS, HOOK_FAILURE_POLICIES } from '../config/resource-schemas.ts';

export type HookEvent = (typeof HOOK_EVENTS)[number];

export type HookFailurePolicy = (typeof HOOK_FAILURE_POLICIES)[number];

export interface HookSpec {
  readonly event: HookEvent;
  /** Absolute path of an executable, then its arguments. */
  readonly command: readonly string[];
  readonly timeoutMs: number;
  readonly onFailure: HookFailurePolicy;
}

export interface HookContext {
  readonly event: HookEvent;
  readonly action: 'start' | 'stop';
  readonly group: string;
  readonly from: ControllerId | null;
  readonly to: ControllerId | null;
  readonly reason: string;
  readonly controller: ControllerId;
}

export interface HookRun {
  readonly command: readonly string[];
  readonly ok: boolean;
  readonly detail: string;
  readonly policy: HookFailurePolicy;
}

export interface HooksOutcome {
  /** False only when a hook with policy abort failed. */
  readonly proceed: boolean;
  readonly reason: string;
  readonly runs: readonly HookRun[];
}

/** Hooks get a clean, fixed environment: nothing of the firmware's leaks in. */
export function hookEnv(ctx: HookContext): Record<string, string> {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    LANG: 'C',
    TANDEM_EVENT: ctx.event,
    TANDEM_ACTION: ctx.action,
    TANDEM_GROUP: ctx.group,
    TANDEM_FROM: ctx.from ?? '',
    TANDEM_TO: ctx.to ?? '',
    TANDEM_REASON: ctx.reason.replace(/[^\x20-\x7e]/g, '?').slice(0, 512),
    TANDEM_CONTROLLER: ctx.controller,
  };
}

/** Runs the hooks for ctx.event in configured order; stops at the first abort. */
export async function runHooks(
  specs: readonly HookSpec[],
  ctx: HookContext,
  run: CommandRunner,
): Promise<HooksOutcome> {
  const runs: HookRun[] = [];
  for (const spec of specs) {
    if (spec.event !== ctx.event) continue;
    const [file, ...args] = spec.command;
    if (file === undefined) continue; // config validation rejects this; be safe anyway
    const r = await run({ file, args, timeoutMs: spec.timeoutMs, env: hookEnv(ctx) });
    const okRun = r.kind === 'exited' && r.code === 0;
    const output = r.kind === 'spawn-error' ? '' : lastLine(r.stdout);
    const detail = okRun ? output : describeCommand(r);
    runs.push({ command: spec.command, ok: okRun, detail, policy: spec.onFailure });
    if (!okRun && spec.onFailure === 'abort') {
      return { proceed: false, reason: `${ctx.event} hook ${file} ${detail}`, runs };
    }
  }
  const failed = runs.filter((r) => !r.ok);
  const reason = failed.map((r) => `${ctx.event} hook ${r.command[0] ?? ''} ${r.detail}`).join('; ');
  return { proceed: true, reason, runs };
}
