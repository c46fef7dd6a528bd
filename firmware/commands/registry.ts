// Every command, each declared once in its family's file; this is the list
// every channel, tandemctl's parser and help, and the docs read. The order
// is the order of `tandemctl --help` and of the docs table.
import { COMMANDS, type CommandName } from '../core/envelope.ts';
import { alarmCommands } from './alarms.ts';
import { configCommands } from './config.ts';
import { drillCommands } from './drill.ts';
import type { CommandDef } from './define.ts';
import { failoverCommands } from './failover.ts';
import { panelCommands } from './panel.ts';
import { prCommands } from './pr.ts';
import { statusCommands } from './status.ts';
import { takeoverCommands } from './takeovers.ts';
import { upgradeCommands } from './upgrade.ts';
import { rollingUpgradeCommands } from './rolling-upgrade.ts';
import { userCommands } from './users.ts';

export const REGISTRY: readonly CommandDef[] = [
  ...statusCommands,
  ...takeoverCommands,
  ...failoverCommands,
  ...drillCommands,
  ...alarmCommands,
  ...panelCommands,
  ...configCommands,
  ...upgradeCommands,
  ...rollingUpgradeCommands,
  ...prCommands,
  ...userCommands,
];

const byName = new Map<string, CommandDef>(REGISTRY.map((d) => [d.name, d]));

// The envelope's COMMANDS names what the wire accepts; a name without a
// declaration (or declared twice) is a bug to catch at load, not on a request.
if (
  byName.size !== REGISTRY.length ||
  COMMANDS.some((c) => !byName.has(c)) ||
  byName.size !== COMMANDS.length
) {
  throw new Error('command registry: every name of COMMANDS must be declared exactly once');
}

/** The declaration of a command, if `name` is one (own names only, never a prototype key). */
export function commandNamed(name: unknown): CommandDef | undefined {
  return typeof name === 'string' ? byName.get(name) : undefined;
}

export function commandDef(name: CommandName): CommandDef {
  const def = byName.get(name);
  if (def === undefined) throw new Error(`command registry: ${name} is not declared`);
  return def;
}
