// The failover commands: groups, switchover, failback, maintenance, takeover,
// cleanup, pr. The core's table decides whether an operator command is allowed here
// and now; the reply says what it decided (the transition, or why it refused),
// so an operator never has to guess from the log. Arguments are untrusted
// (MQTT, control socket): checked here again, refusals name the argument.
import type { CommandHandler, CommandRequest, CommandResponse } from '../../core/envelope.ts';
import type { TransitionRecord } from '../../failover/core.ts';
import type { FailoverHost } from './host.ts';

type Op = 'switchover' | 'failback' | 'maintenance-on' | 'maintenance-off' | 'forced-takeover';

const hex = (k: bigint): string => `0x${k.toString(16).padStart(16, '0')}`;

export class FailoverCommands implements CommandHandler {
  private readonly host: FailoverHost;

  constructor(host: FailoverHost) {
    this.host = host;
  }

  handle(request: CommandRequest): Promise<CommandResponse> {
    const transaction = typeof request.transaction === 'string' ? request.transaction.slice(0, 128) : '';
    const ok = (data: unknown): CommandResponse => ({ status: 'ok', data, error: null, transaction });
    const fail = (error: string): CommandResponse => ({ status: 'error', data: null, error, transaction });
    const args: Record<string, unknown> =
      typeof request.args === 'object' && request.args !== null ? { ...request.args } : {};
    const known = this.host.groupStatus().map((g) => g.name);
    const group = (): string | { error: string } => {
      const g = args['group'];
      if (typeof g !== 'string') return { error: 'group: is required (a group name)' };
      if (!known.includes(g))
        return { error: `group: ${JSON.stringify(g.slice(0, 64))} is not a configured group` };
      return g;
    };
    switch (request.command) {
      case 'groups':
        return Promise.resolve(ok({ groups: this.host.groupStatus() }));
      case 'pr': {
        const s = this.host.fencer.snapshot();
        return Promise.resolve(
          ok({
            ourKey: hex(s.ourKey),
            keys: s.keys.map(hex),
            reservation:
              s.reservation === null ? null : { key: hex(s.reservation.key), type: s.reservation.type },
            fenced: s.fenced,
          }),
        );
      }
      case 'switchover':
      case 'failback': {
        const g = group();
        if (typeof g !== 'string') return Promise.resolve(fail(g.error));
        const held = this.host.heldGroups();
        if (!held.includes(g)) return Promise.resolve(fail(`group: ${g} does not run on this controller`));
        return Promise.resolve(this.run(request.command, [g], ok, fail));
      }
      case 'maintenance': {
        const on = args['on'];
        if (typeof on !== 'boolean') return Promise.resolve(fail('on: must be true or false'));
        return Promise.resolve(this.run(on ? 'maintenance-on' : 'maintenance-off', undefined, ok, fail));
      }
      case 'cleanup': {
        if (args['group'] === undefined) return this.host.cleanup().then(ok);
        const g = group();
        if (typeof g !== 'string') return Promise.resolve(fail(g.error));
        return this.host.cleanup([g]).then(ok);
      }
      case 'takeover': {
        const force = args['force'];
        if (force !== undefined && typeof force !== 'boolean')
          return Promise.resolve(fail('force: must be true or false'));
        return Promise.resolve(this.run('forced-takeover', undefined, ok, fail));
      }
      case 'status':
      case 'peer':
      case 'paths':
      case 'alarms':
      case 'alarm-ack':
      case 'log':
      case 'config-show':
      case 'config-export':
      case 'config-import':
      case 'config-validate':
        return Promise.resolve(fail(`command ${request.command} is not a failover command`));
    }
  }

  /** Dispatch synchronously and report the cell the table chose for it. */
  private run(
    op: Op,
    groups: readonly string[] | undefined,
    ok: (data: unknown) => CommandResponse,
    fail: (error: string) => CommandResponse,
  ): CommandResponse {
    let seen: TransitionRecord | undefined;
    const unsubscribe = this.host.core.onTransition((r) => {
      seen ??= r;
    });
    try {
      this.host.core.command(op, groups);
    } finally {
      unsubscribe();
    }
    if (seen === undefined) return fail(`${op}: the failover core is not running`);
    if (seen.outcome !== 'go') return fail(`${op} refused in state ${seen.from}: ${seen.text}`);
    return ok({ from: seen.from, to: seen.to, actions: [...seen.actions], text: seen.text });
  }
}
