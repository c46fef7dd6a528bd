// Test doubles for resources: a scripted command runner, a scripted agent,
// and sinks that record events and alarms.
import type { ActionContext, ActionTimeouts, ResourceAgent } from '../../../firmware/resources/agent.ts';
import type { CommandResult, CommandRunner, CommandSpec } from '../../../firmware/resources/command.ts';
import { ok } from '../../../firmware/resources/ocf.ts';
import type { OcfResult } from '../../../firmware/resources/ocf.ts';
import type { AlarmPort } from '../../../firmware/resources/ports.ts';
import type { EventInput, EventSink, LoggedEvent } from '../../../firmware/events/types.ts';

export const exited = (code: number, stdout = '', stderr = ''): CommandResult => ({
  kind: 'exited',
  code,
  stdout,
  stderr,
});

/** Answers each command from `answer` and records what was asked. */
export function fakeRunner(
  answer: (spec: CommandSpec) => CommandResult | Promise<CommandResult> = () => exited(0),
): {
  run: CommandRunner;
  calls: CommandSpec[];
} {
  const calls: CommandSpec[] = [];
  return {
    calls,
    run: async (spec) => {
      calls.push(spec);
      return answer(spec);
    },
  };
}

export type Script = Partial<
  Record<'start' | 'stop' | 'monitor' | 'validate', (ctx: ActionContext) => Promise<OcfResult>>
>;

/** An agent whose actions are scripted; every call is appended to `log` as "name:action". */
export class FakeAgent implements ResourceAgent {
  readonly type: string;
  readonly name: string;
  readonly timeouts: ActionTimeouts = { validate: 1000, start: 1000, stop: 1000, monitor: 1000 };
  readonly monitorIntervalMs: number;
  readonly script: Script;
  /** The group's order (agent.ts); false: the next resource starts alongside it. */
  ordered: boolean | undefined;
  private readonly log: string[];

  constructor(name: string, log: string[], script: Script = {}, monitorIntervalMs = 1000, type = 'fake') {
    this.type = type;
    this.name = name;
    this.log = log;
    this.script = script;
    this.monitorIntervalMs = monitorIntervalMs;
  }

  private call(action: 'start' | 'stop' | 'monitor' | 'validate', ctx: ActionContext): Promise<OcfResult> {
    this.log.push(`${this.name}:${action}`);
    return this.script[action]?.(ctx) ?? Promise.resolve(ok());
  }
  validate(ctx: ActionContext) {
    return this.call('validate', ctx);
  }
  start(ctx: ActionContext) {
    return this.call('start', ctx);
  }
  stop(ctx: ActionContext) {
    return this.call('stop', ctx);
  }
  monitor(ctx: ActionContext) {
    return this.call('monitor', ctx);
  }
}

export class RecordingSink implements EventSink {
  readonly events: EventInput[] = [];
  append(event: EventInput): LoggedEvent {
    this.events.push(event);
    return { id: this.events.length, ts: 0, monoMs: 0, data: null, ...event };
  }
  codes(): string[] {
    return this.events.map((e) => e.code);
  }
}

export class RecordingAlarms implements AlarmPort {
  readonly raised: { code: string; subject: string; params: Readonly<Record<string, string | number>> }[] =
    [];
  raise(
    code: string,
    options: { subject?: string; params?: Readonly<Record<string, string | number>> } = {},
  ): void {
    this.raised.push({ code, subject: options.subject ?? '', params: options.params ?? {} });
  }
}
