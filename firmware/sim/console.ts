// Operator commands for the simulated box, one per stdin line: fault
// commands (cut, heal, kill, restart); status, alarms and log of a
// controller (A unless named: `status B`, `log B --limit 5`); and, after A
// or B, any tandemctl command for that controller. Each is parsed as
// tandemctl parses it, run through the same command registry as the
// daemon's channels and printed with tandemctl's formatter (console-run.ts).
// Parsing is separate from acting so it can be tested; bad input gets a
// clear answer.
import { commandList } from '../commands/help.ts';
import { parseArgs, type ParsedRequest } from '../console/cli-args.ts';
import { helpText } from '../console/usage.ts';
import { SIM_FAULT_PATHS, type SimFaultPath } from './box.ts';

export type SimCommand =
  | { kind: 'cut' | 'heal'; path: SimFaultPath }
  | { kind: 'kill' | 'restart'; controller: 'A' | 'B' }
  /** A front-panel button; `hold` keeps Enter down 3.5 s (the switchover confirmation). */
  | { kind: 'key'; controller: 'A' | 'B'; key: PanelButton; hold: boolean }
  | { kind: 'command'; controller: 'A' | 'B'; request: ParsedRequest }
  /** text: what to print (this console's help, or a tandemctl command's). */
  | { kind: 'help'; text: string }
  | { kind: 'quit' };

export const HELP = [
  'commands:',
  '  cut serial|net|disk     unplug a heartbeat path (disk = the witness LUN goes offline)',
  '  heal serial|net|disk    plug it back',
  '  kill A|B                the controller firmware dies',
  '  restart A|B             boot it again',
  "  key A|B up|down|enter|mute|hold   press a button on a controller's front panel (hold: Enter for 3.5 s)",
  "  status [A|B]            a controller's status, as tandemctl status prints it (default A)",
  '  alarms [A|B]            its active alarms (alarms [A|B] ack ID acknowledges one)',
  '  log [A|B] [OPTIONS]     its event log, newest first (log B --severity warning --limit 20)',
  '  A|B COMMAND [ARGS]      a tandemctl command on controller A or B (A status, B switchover svc)',
  '  help [COMMAND], quit',
  '',
  'tandemctl commands:',
  commandList(),
].join('\n');

/** The sim has no config files to read or write, nor a socket to choose. */
function simRequest(request: ParsedRequest): string | null {
  if (request.readFile !== undefined || request.exportFile !== undefined)
    return 'FILE: the sim console reads and writes no files';
  if (request.controller !== undefined)
    return '--controller: on the sim console, name the controller first (B status) or after status, alarms, log';
  if (request.socket !== undefined) return '--socket: the sim console talks to its controllers directly';
  return null;
}

/** The commands that read one controller, A unless the next word names it. */
const READERS = new Set(['status', 'alarms', 'log']);

function tandemctlLine(
  controller: 'A' | 'B',
  argv: readonly string[],
): SimCommand | { kind: 'error'; message: string } {
  const parsed = parseArgs(argv, Date.now());
  switch (parsed.kind) {
    case 'usage':
      return { kind: 'error', message: parsed.message };
    case 'help': {
      const text = helpText(parsed.topic);
      return text === null
        ? { kind: 'error', message: `no command ${JSON.stringify(parsed.topic.join(' '))}; try help` }
        : { kind: 'help', text };
    }
    case 'request': {
      const refused = simRequest(parsed);
      return refused === null
        ? { kind: 'command', controller, request: parsed }
        : { kind: 'error', message: refused };
    }
  }
}

const BUTTONS = ['up', 'down', 'enter', 'mute'] as const;
export type PanelButton = (typeof BUTTONS)[number];

function keyLine(args: readonly string[]): SimCommand | { kind: 'error'; message: string } {
  const [who, what] = args;
  const c = who?.toUpperCase();
  if ((c !== 'A' && c !== 'B') || args.length !== 2 || what === undefined)
    return { kind: 'error', message: 'key needs A or B and one of up, down, enter, mute, hold' };
  if (what === 'hold') return { kind: 'key', controller: c, key: 'enter', hold: true };
  if ((BUTTONS as readonly string[]).includes(what))
    return { kind: 'key', controller: c, key: what as PanelButton, hold: false };
  return {
    kind: 'error',
    message: `key: no button ${JSON.stringify(what.slice(0, 20))}; up, down, enter, mute, hold`,
  };
}

export function parseSimCommand(line: string): SimCommand | { kind: 'error'; message: string } {
  const words = line
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const [verb, arg] = words;
  if (verb === undefined) return { kind: 'error', message: 'empty command; try help' };
  const target = verb.toUpperCase();
  if (target === 'A' || target === 'B') return tandemctlLine(target, words.slice(1));
  if (verb === 'help') {
    if (words.length === 1) return { kind: 'help', text: HELP };
    return tandemctlLine('A', words);
  }
  if (READERS.has(verb)) {
    const named = arg?.toUpperCase();
    if (named === 'A' || named === 'B') return tandemctlLine(named, [verb, ...words.slice(2)]);
    return tandemctlLine('A', words);
  }
  if (verb === 'key') return keyLine(words.slice(1));
  if (words.length > 2)
    return { kind: 'error', message: `too many words in ${JSON.stringify(line.slice(0, 60))}` };
  switch (verb) {
    case 'quit':
      return arg === undefined ? { kind: verb } : { kind: 'error', message: `${verb} takes no argument` };
    case 'cut':
    case 'heal':
      if (arg !== undefined && (SIM_FAULT_PATHS as readonly string[]).includes(arg)) {
        return { kind: verb, path: arg as SimFaultPath };
      }
      return { kind: 'error', message: `${verb} needs one of ${SIM_FAULT_PATHS.join(', ')}` };
    case 'kill':
    case 'restart': {
      const c = arg?.toUpperCase();
      if (c === 'A' || c === 'B') return { kind: verb, controller: c };
      return { kind: 'error', message: `${verb} needs A or B` };
    }
    default:
      return { kind: 'error', message: `unknown command ${JSON.stringify(verb.slice(0, 30))}; try help` };
  }
}
