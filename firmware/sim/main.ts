// `npm start`: the simulated box. Both controllers run the daemon's code on
// sim drivers, on embedded defaults (no config file), each with its control
// socket for tandemctl --controller A|B and its telemetry to an embedded MQTT
// broker (run.ts). Prints what changes (states, paths, alarms), not the
// whole status over and over; reads fault and tandemctl commands on stdin
// (type help). --duration SECONDS exits on its own; --help says all this.
import { createInterface } from 'node:readline';
import { errorMessage } from '../../hal/errors.ts';
import { parseSimArgs, SIM_SYNOPSIS, simSocketPaths, simUsage } from './options.ts';
import { panelSink, type Terminal } from './panel-sink.ts';

export interface MainIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** A terminal to keep the front panels at the top of; none: printed as lines. */
  readonly terminal?: Terminal;
}

/** The exit code. Runs until quit, a signal or --duration; the end of stdin does not stop it. */
export async function main(argv: readonly string[], io: MainIo): Promise<number> {
  const args = parseSimArgs(argv, io.env);
  let sockets;
  try {
    sockets = simSocketPaths(io.env);
  } catch (err) {
    io.err(`npm start: ${errorMessage(err)}`);
    return 2;
  }
  switch (args.kind) {
    case 'help':
      io.out(simUsage(sockets));
      return 0;
    case 'usage':
      io.err(`npm start: ${args.message}\n${SIM_SYNOPSIS}`);
      return 2;
    case 'run':
      break;
  }
  let sim;
  const panels = panelSink(io.out, io.terminal);
  try {
    // Loaded only to run: --help and usage errors answer without loading the whole box.
    const { startSim } = await import('./run.ts');
    sim = await startSim({ port: args.port, sockets, out: io.out, panelView: panels.draw });
  } catch (err) {
    io.err(`npm start: cannot start the simulated box: ${errorMessage(err)}`);
    return 1;
  }
  const running = sim;
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    if (args.duration !== undefined) setTimeout(resolve, args.duration * 1000);
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (text) => {
      void running.execute(text).then(
        (answer) => {
          if (answer === null) resolve();
          else io.out(answer);
        },
        (err: unknown) => io.out(`? ${errorMessage(err)}`),
      );
    });
    // stdin closed (e.g. `npm start < /dev/null`): keep running until the duration or a signal.
    rl.on('close', () => undefined);
  });
  await running.stop();
  panels.close();
  return 0;
}

if (import.meta.main) {
  main(process.argv.slice(2), {
    out: (t) => console.log(t),
    err: (t) => console.error(t),
    env: process.env,
    ...(process.stdout.isTTY && process.env['TERM'] !== 'dumb'
      ? { terminal: { write: (t: string) => void process.stdout.write(t), rows: process.stdout.rows } }
      : {}),
  }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
