// The simulated box's command line (`npm start -- OPTIONS`, i.e. `node
// firmware/sim/main.ts OPTIONS`) and its usage. Pure, so every answer is
// unit-tested: --help is the usage (exit 0); anything else wrong is one line
// naming the option, then the usage (exit 2).
import { simControlSocket } from '../../hal/paths.ts';
import type { ControllerId } from '../cluster/codes.ts';
import { HELP } from './console.ts';

export const DEFAULT_MQTT_PORT = 18830;

/** The control socket of each controller (sockets.ts serves them). */
export type SimSocketPaths = Readonly<Record<ControllerId, string>>;

/** Where the sockets go (hal/paths.ts): $TANDEM_RUN_DIR/sim-a.sock and sim-b.sock, or the like. */
export function simSocketPaths(env: NodeJS.ProcessEnv = process.env): SimSocketPaths {
  return { A: simControlSocket('A', env), B: simControlSocket('B', env) };
}

export interface SimOptions {
  readonly kind: 'run';
  /** Seconds to run before exiting on its own; undefined: until quit or a signal. */
  readonly duration: number | undefined;
  /** The embedded broker's port (a free one is taken if it is busy). */
  readonly port: number;
}

export type SimArgs =
  SimOptions | { readonly kind: 'help' } | { readonly kind: 'usage'; readonly message: string };

/** Options that take a value, and how each is checked. */
const VALUED: Readonly<Record<string, (text: string) => number | string>> = {
  '--duration': (text) => {
    const n = Number(text);
    return /^\d+(\.\d+)?$/.test(text) && n > 0 && n <= 86_400
      ? n
      : `must be 1..86400 seconds, got ${JSON.stringify(text)}`;
  },
  '--port': (text) => port(text) ?? `must be a port 1..65535, got ${JSON.stringify(text)}`,
};

function port(text: string): number | undefined {
  const n = Number(text);
  return /^\d{1,5}$/.test(text) && n >= 1 && n <= 65_535 ? n : undefined;
}

export function parseSimArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): SimArgs {
  if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help' };
  const values = new Map<string, number>();
  for (let i = 0; i < argv.length; i++) {
    const arg = (argv[i] ?? '').slice(0, 64);
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const check = VALUED[name];
    if (check === undefined) {
      const what = arg.startsWith('-') ? 'unknown option' : 'unexpected argument';
      return { kind: 'usage', message: `${/^[\w.=-]+$/.test(arg) ? arg : JSON.stringify(arg)}: ${what}` };
    }
    if (values.has(name)) return { kind: 'usage', message: `${name}: given more than once` };
    const text = eq > 0 && name !== arg ? arg.slice(eq + 1) : argv[++i];
    if (text === undefined || text === '') return { kind: 'usage', message: `${name}: needs a value` };
    const value = check(text);
    if (typeof value === 'string') return { kind: 'usage', message: `${name}: ${value}` };
    values.set(name, value);
  }
  let mqttPort = values.get('--port');
  if (mqttPort === undefined) {
    const fromEnv = env['TANDEM_SIM_MQTT_PORT'];
    if (fromEnv === undefined || fromEnv === '') mqttPort = DEFAULT_MQTT_PORT;
    else {
      mqttPort = port(fromEnv);
      if (mqttPort === undefined)
        return {
          kind: 'usage',
          message: `TANDEM_SIM_MQTT_PORT: must be a port 1..65535, got ${JSON.stringify(fromEnv.slice(0, 64))}`,
        };
    }
  }
  return { kind: 'run', duration: values.get('--duration'), port: mqttPort };
}

/** The first lines of the usage, shown under a usage error. */
export const SIM_SYNOPSIS = [
  'usage: npm start [-- [--duration SECONDS] [--port PORT]]',
  '       node firmware/sim/main.ts [--duration SECONDS] [--port PORT]',
  '(npm start -- --help: the options, the control sockets and the console commands)',
].join('\n');

/** The usage: options, environment, the control sockets, and the console's commands. */
export function simUsage(sockets: SimSocketPaths): string {
  return [
    ...SIM_SYNOPSIS.split('\n').slice(0, 2),
    '',
    'The simulated box: controllers A and B on sim drivers, on embedded defaults, with an',
    'embedded MQTT broker. It prints what changes (states, paths, alarms) and reads commands',
    'on stdin.',
    '',
    'options:',
    '  --duration SECONDS   exit after this many seconds (1..86400); default: until quit or a signal',
    `  --port PORT          the MQTT broker's port (default $TANDEM_SIM_MQTT_PORT or ${DEFAULT_MQTT_PORT};`,
    '                       a free port is taken if it is busy)',
    '  -h, --help           this text',
    '',
    'control sockets (tandemctl --controller A|B; the directory is $TANDEM_RUN_DIR when set):',
    `  A  ${sockets.A}`,
    `  B  ${sockets.B}`,
    '  e.g. npx tandemctl --controller B status',
    '',
    'console commands (stdin):',
    HELP.replace(/^commands:\n/, ''),
    '',
    'exit codes: 0 done, 1 failed to start, 2 usage',
  ].join('\n');
}
