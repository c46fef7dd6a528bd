// Runs a tandemctl command typed on the sim console on one controller: the
// controller's registry handler with its alarms and event log (the sim has
// no config store), and the reply rendered as tandemctl renders it.
import type { ControllerId } from '../cluster/codes.ts';
import type { ParsedRequest } from '../console/cli-args.ts';
import { clean, formatData } from '../console/format.ts';
import type { CommandHandler } from '../core/envelope.ts';
import type { SimBox } from './box.ts';

/** The operator commands of controller `c`, while it runs. */
export function simCommands(box: SimBox, c: ControllerId): CommandHandler | undefined {
  return box.controller(c)?.commands.with({ alarms: box.alarms(c), events: box.events(c) });
}

let sequence = 0;

export async function runSimCommand(
  handler: CommandHandler | undefined,
  c: ControllerId,
  request: ParsedRequest,
  nowMs: number,
): Promise<string> {
  if (handler === undefined) return `? ${c} is not running (restart ${c})`;
  sequence += 1;
  const response = await handler.handle({
    command: request.command,
    args: request.args,
    transaction: `sim-console-${sequence}`,
  });
  if (request.json) return JSON.stringify(response, null, 2);
  if (response.status === 'error') return `? ${c} ${request.command}: ${clean(response.error)}`;
  return formatData(request.command, response.data, { color: false, nowMs });
}
