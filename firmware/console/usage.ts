// tandemctl's help: the command list and each command's help come from the
// command registry (firmware/commands/help.ts); only tandemctl's own options
// and exit codes are written here.
import { commandHelp, commandList, commandsSpelled } from '../commands/help.ts';
import { REGISTRY } from '../commands/registry.ts';
import { FOLLOW_FLAG, withFollowHelp } from './follow.ts';

export const USAGE = `usage: tandemctl [--json] [--socket PATH | --controller A|B] COMMAND [ARGS]
       tandemctl help [COMMAND]
       tandemctl shell [--socket PATH | --controller A|B]   (interactive: completion, history; docs/console.md)

commands:
${commandList()}

options:
  --json                      print the daemon's reply as JSON (for scripts)
  --socket PATH               control socket (default: $TANDEM_CONTROL_SOCKET or /run/tandem/tandemctl.sock)
  --controller A|B            controller A or B of the simulated box (npm start prints its sockets)
  log ${FOLLOW_FLAG}                keep printing new events as they are written, until Ctrl-C

exit codes: 0 ok, 1 the daemon refused or failed, 2 usage, 3 daemon unreachable`;

/**
 * Help on `topic` (the words after `help`): the whole usage without one, the
 * command they spell (`help alarms ack`), or every command of a family
 * (`help config`); null if they spell none.
 */
export function helpText(topic: readonly string[]): string | null {
  if (topic.length === 0) return USAGE;
  // The longest command the words start with: `help alarms ack 7` is alarm-ack's help.
  const exact = REGISTRY.filter((d) => d.cli.words.every((w, i) => topic[i] === w)).sort(
    (a, b) => b.cli.words.length - a.cli.words.length,
  )[0];
  if (exact !== undefined)
    return exact.name === 'log' ? withFollowHelp(commandHelp(exact)) : commandHelp(exact);
  const family = commandsSpelled(topic);
  return family.length === 0 ? null : family.map(commandHelp).join('\n\n');
}
