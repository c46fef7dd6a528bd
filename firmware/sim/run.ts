// One running simulated box, as `npm start` runs it (main.ts) and as tests
// start it in-process: both controllers, their control sockets (the
// daemon's console server, for tandemctl --controller A|B), the embedded
// MQTT broker with each controller's telemetry, and the stream of changes
// it prints. Console lines (stdin in main.ts) go through execute().
import { SystemClock } from '../../hal/clock/system.ts';
import type { Clock } from '../../hal/clock/clock.ts';
import type { ControllerId } from '../cluster/codes.ts';
import type { TandemConfig } from '../config/schema.ts';
import { SimBox } from './box.ts';
import { simCredentials, startBroker, type EmbeddedBroker } from './broker.ts';
import { alarmChangeLine, StatusChanges } from './changes.ts';
import { runSimCommand, simCommands } from './console-run.ts';
import { parseSimCommand } from './console.ts';
import type { SimSocketPaths } from './options.ts';
import { panelView } from './panel-view.ts';
import { SimPanels } from './panels.ts';
import { SimControlSockets } from './sockets.ts';
import { simCommandToken, SimTelemetry } from './telemetry.ts';

/** The embedded demo: one group with a dummy resource, preferred on A. */
export const SIM_GROUPS = [
  {
    name: 'svc',
    preferred: 'A' as const,
    resources: [{ type: 'dummy', name: 'app', monitorIntervalMs: 1000 }],
  },
];

export interface SimRunOptions {
  /** The broker's port (0: any free one). */
  readonly port: number;
  readonly sockets: SimSocketPaths;
  /** Where every line goes (stdout in main.ts). */
  readonly out: (line: string) => void;
  /** The box's clock; default the system clock (tests may pass virtual time). */
  readonly clock?: Clock;
  readonly groups?: TandemConfig['groups'];
  /** Where both front panels are drawn whenever one changes (panel-view.ts); none: no panels. */
  readonly panelView?: (lines: string[]) => void;
}

export interface RunningSim {
  readonly box: SimBox;
  readonly broker: EmbeddedBroker;
  readonly sockets: SimControlSockets;
  /** Runs one console line; what to print, or null for quit. */
  execute(line: string): Promise<string | null>;
  stop(): Promise<void>;
}

export async function startSim(options: SimRunOptions): Promise<RunningSim> {
  const { out } = options;
  const clock = options.clock ?? new SystemClock();
  const stamp = (): string => new Date(clock.wallMs()).toISOString().slice(11, 23);
  const say = (c: ControllerId, line: string): void => out(`${stamp()} ${c}: ${line}`);

  const box = new SimBox({ clock, groups: options.groups ?? SIM_GROUPS });
  const sockets = new SimControlSockets({
    box,
    paths: options.sockets,
    log: { warn: (m) => out(`${stamp()} ${m}`) },
  });
  try {
    await sockets.start();
  } catch (err) {
    await box.stop();
    throw err;
  }
  // Fresh for every run and printed here: the broker accepts no one else.
  const credentials = simCredentials();
  const token = simCommandToken();
  let broker: EmbeddedBroker;
  try {
    broker = await startBroker(options.port, credentials, {
      onRefusedPacket: (m) => out(`${stamp()} broker: ${m}`),
    });
  } catch (err) {
    await sockets.stop();
    await box.stop();
    throw err;
  }
  if (broker.note !== undefined) out(`note: ${broker.note}`);
  out(`MQTT broker on mqtt://127.0.0.1:${broker.port} (topics tandem/<box>/<controller>/state)`);
  out(`MQTT login: username ${credentials.username} password ${credentials.password}`);
  out(`signed MQTT commands (docs/mqtt.md) use the command token ${token}`);
  out(`control sockets: A ${options.sockets.A}`);
  out(`                 B ${options.sockets.B}`);
  out('  (npx tandemctl --controller A|B COMMAND, e.g. npx tandemctl --controller B status)');

  // The daemon's telemetry extension per controller, against the embedded broker:
  // real sockets, so on the system clock even when the box runs on virtual time.
  const telemetry = new SimTelemetry({
    url: `mqtt://127.0.0.1:${broker.port}`,
    credentials,
    token,
    box,
    clock: new SystemClock(),
    log: { info: () => undefined, warn: (m) => out(`${stamp()} telemetry: ${m}`) },
  });
  const panels =
    options.panelView === undefined
      ? null
      : new SimPanels({
          box,
          boxId: box.boxId,
          url: `mqtt://127.0.0.1:${broker.port}`,
          credentials,
          clock: new SystemClock(),
          onChange: (looks) => options.panelView?.(panelView(looks)),
          log: (line) => out(`${stamp()} ${line}`),
        });
  await panels?.start();
  const unsubscribe: (() => void)[] = [];
  const following: Partial<Record<ControllerId, () => void>> = {};
  for (const c of ['A', 'B'] as const) {
    const changes = new StatusChanges(c);
    unsubscribe.push(
      box.alarms(c).subscribe((change) => {
        const line = alarmChangeLine(change);
        if (line !== null) say(c, line);
      }),
      box.onController((booted, controller) => {
        if (booted !== c) return;
        following[c]?.();
        delete following[c];
        void telemetry.set(c, controller);
        changes.reset();
        if (controller === undefined) {
          say(c, 'off (its firmware is not running)');
          return;
        }
        say(c, 'booted');
        const report = (): void => {
          for (const line of changes.next(controller.status.current())) say(c, line);
        };
        following[c] = controller.status.onChange(report);
        report();
      }),
    );
  }
  box.start();
  out('simulated box running; type help for fault and tandemctl commands');

  const execute = async (text: string): Promise<string | null> => {
    const cmd = parseSimCommand(text);
    switch (cmd.kind) {
      case 'error':
        return `? ${cmd.message}`;
      case 'help':
        return cmd.text;
      case 'command':
        return runSimCommand(
          simCommands(box, cmd.controller),
          cmd.controller,
          cmd.request,
          clock.wallMs(),
        ).catch((err: unknown) => `? ${cmd.controller}: ${String(err)}`);
      case 'quit':
        return null;
      case 'cut':
        box.cut(cmd.path);
        return `cut ${cmd.path}`;
      case 'heal':
        box.heal(cmd.path);
        return `healed ${cmd.path}`;
      case 'kill':
        await box.kill(cmd.controller);
        return `killed ${cmd.controller}`;
      case 'restart':
        await box.restart(cmd.controller);
        return `restarted ${cmd.controller}`;
      case 'key':
        if (panels === null) return '? the front panels are not shown in this run';
        if (!cmd.hold) {
          panels.key(cmd.controller, cmd.key, 'tap');
          return `${cmd.controller} panel: ${cmd.key}`;
        }
        panels.key(cmd.controller, 'enter', 'press');
        setTimeout(() => panels.key(cmd.controller, 'enter', 'release'), 3500);
        return `${cmd.controller} panel: Enter held 3.5 s`;
    }
  };

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      for (const u of unsubscribe) u();
      for (const f of Object.values(following)) f();
      await panels?.stop();
      await sockets.stop();
      await box.stop();
      await telemetry.close();
      await broker.close();
    })();
    return stopped;
  };
  return { box, broker, sockets, execute, stop };
}
