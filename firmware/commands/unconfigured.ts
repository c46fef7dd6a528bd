// What a controller answers before it has a config (first boot: unconfigured,
// firmware/controller/unconfigured.ts). It runs no heartbeat, fencing or
// group, so only what reads this controller's own parts, the alarms and the
// panel's signals, and the config import that ends the wait are taken; every
// other command is refused with the way out, by the one dispatch.
import type { CommandName } from '../core/envelope.ts';

export const UNCONFIGURED_COMMANDS: ReadonlySet<CommandName> = new Set<CommandName>([
  'status',
  'peer',
  'paths',
  'alarms',
  'alarm-ack',
  'mute',
  'locate',
  'panel-fault',
  'log',
  'takeovers',
  // show, export and validate would answer against the embedded defaults, not a config of this box.
  'config-import',
  'initial-password',
]);

/** The refusal of every other command while `controller` is unconfigured. */
export function unconfiguredRefusal(controller: string): string {
  return `controller ${controller} is unconfigured: import a config first (tandemctl config import FILE)`;
}
