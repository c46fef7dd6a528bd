// Tab completion for the console shell, from the registry's CliSpec: the
// command words a role may run (the rest are not offered: the daemon would
// refuse them), then that command's --options. Pure: the shell hands it the
// line and the role.
import { roleAllows, type CommandDef, type Role } from '../commands/define.ts';
import { REGISTRY } from '../commands/registry.ts';
import { FOLLOW_FLAG } from './follow.ts';

/** The shell's own words, besides the registry's commands. */
export const SHELL_COMMANDS = ['help', 'exit', 'quit'] as const;

/**
 * Registry commands a logged-in user's shell does not run: `web login` would
 * let them guess other users' passwords without the login's pauses.
 */
export const NOT_IN_SHELL: ReadonlySet<string> = new Set(['login']);

/** The commands `role` may run in the shell, in the registry's order. */
export function commandsFor(role: Role): CommandDef[] {
  return REGISTRY.filter((d) => roleAllows(role, d.role) && !NOT_IN_SHELL.has(d.name));
}

/** readline's completer answer: the candidates and the part of the line they replace. */
export function complete(line: string, role: Role): [string[], string] {
  const words = line.trim() === '' ? [] : line.trim().split(/\s+/);
  const current = line === '' || /\s$/.test(line) ? '' : (words.pop() ?? '');
  const help = words[0] === 'help';
  const done = help ? words.slice(1) : words;
  const allowed = commandsFor(role);
  const spelledBy = (d: CommandDef): boolean => done.every((w, i) => d.cli.words[i] === w);
  const candidates = new Set<string>();
  if (words.length === 0) for (const w of SHELL_COMMANDS) candidates.add(w);
  for (const d of allowed)
    if (d.cli.words.length > done.length && spelledBy(d)) candidates.add(d.cli.words[done.length] ?? '');
  // The command the words spell (the longest): its options, not yet given.
  const def = help
    ? undefined
    : allowed
        .filter((d) => d.cli.words.length <= done.length && d.cli.words.every((w, i) => done[i] === w))
        .sort((a, b) => b.cli.words.length - a.cli.words.length)[0];
  if (def !== undefined) {
    const options = [...(def.cli.flags ?? []).map((f) => f.flag), '--json'];
    if (def.name === 'log') options.push(FOLLOW_FLAG);
    for (const o of options) if (!done.some((w) => w === o || w.startsWith(`${o}=`))) candidates.add(o);
  }
  const hits = [...candidates].filter((c) => c !== '' && c.startsWith(current)).sort();
  // One candidate: complete it and step past it.
  return [hits.length === 1 ? [`${hits[0] ?? ''} `] : hits, current];
}
