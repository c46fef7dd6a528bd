// Operator commands for the simulated box, one per stdin line. Parsing is
// separate from acting so it can be tested; bad input gets a clear answer.
import { SIM_FAULT_PATHS, type SimFaultPath } from './box.ts';

export type SimCommand =
  | { kind: 'cut' | 'heal'; path: SimFaultPath }
  | { kind: 'kill' | 'restart'; controller: 'A' | 'B' }
  | { kind: 'help' }
  | { kind: 'quit' };

export const HELP = [
  'commands:',
  '  cut serial|net|disk     unplug a heartbeat path (disk = the witness LUN goes offline)',
  '  heal serial|net|disk    plug it back',
  '  kill A|B                the controller firmware dies',
  '  restart A|B             boot it again',
  '  help, quit',
].join('\n');

export function parseSimCommand(line: string): SimCommand | { kind: 'error'; message: string } {
  const words = line
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const [verb, arg] = words;
  if (verb === undefined) return { kind: 'error', message: 'empty command; try help' };
  if (words.length > 2)
    return { kind: 'error', message: `too many words in ${JSON.stringify(line.slice(0, 60))}` };
  switch (verb) {
    case 'help':
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
