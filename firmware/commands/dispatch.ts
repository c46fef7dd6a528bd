// The one dispatch of every command: look it up, check the role, validate
// the arguments once (a request a channel already admitted is not validated
// again), run its handler. RegistryCommands is the CommandHandler every
// channel is given.
import type { CommandHandler, CommandRequest, CommandResponse } from '../core/envelope.ts';
import { admitCommand, admittedAs, recheckRole } from './check.ts';
import type { CommandContext } from './context.ts';
import { weakerRole, type Role } from './define.ts';
import { UNCONFIGURED_COMMANDS, unconfiguredRefusal } from './unconfigured.ts';

export async function dispatch(
  ctx: CommandContext,
  request: CommandRequest,
  role: Role,
): Promise<CommandResponse> {
  const transaction = typeof request.transaction === 'string' ? request.transaction.slice(0, 128) : '';
  const refuse = (error: string): CommandResponse => ({ status: 'error', data: null, error, transaction });
  const found = admittedAs(request);
  const checked =
    found !== undefined
      ? // Never above either: the channel's role, or the handler's.
        recheckRole(found, weakerRole(found.role, role))
      : admitCommand(request.command, request.args, role);
  if (!checked.ok) return refuse(checked.error);
  if (ctx.unconfigured !== undefined && !UNCONFIGURED_COMMANDS.has(checked.value.def.name))
    return refuse(unconfiguredRefusal(ctx.unconfigured));
  const outcome = await checked.value.def.run(ctx, checked.value.args);
  return outcome.ok ? { status: 'ok', data: outcome.data, error: null, transaction } : refuse(outcome.error);
}

export class RegistryCommands implements CommandHandler {
  readonly context: CommandContext;
  /** The most a request may do through this handler; a channel may admit it for less. */
  readonly role: Role;

  /** `context` is a plain object: with() copies its own properties. */
  constructor(context: CommandContext, role: Role = 'admin') {
    this.context = context;
    this.role = role;
  }

  handle(request: CommandRequest): Promise<CommandResponse> {
    return dispatch(this.context, request, this.role);
  }

  /** The same commands with more of the controller in reach (alarms, events, config). */
  with(more: Partial<CommandContext>): RegistryCommands {
    return new RegistryCommands({ ...this.context, ...more }, this.role);
  }
}
