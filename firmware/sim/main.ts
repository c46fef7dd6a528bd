// `npm start`: the simulated box. Both controllers run the daemon's heartbeat
// and status code on sim drivers, on embedded defaults (no config file), with
// an embedded MQTT broker to which each publishes its retained state. Prints
// each controller's state every second and on change; reads fault commands
// on stdin (type help). --duration SECONDS exits on its own.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { SystemClock } from '../../hal/clock/system.ts';
import type { ControllerId } from '../cluster/codes.ts';
import type { ControllerStatus } from '../status/snapshot.ts';
import { SimBox } from './box.ts';
import { simCredentials, startBroker } from './broker.ts';
import { runSimCommand, simCommands } from './console-run.ts';
import { parseSimCommand } from './console.ts';
import { simCommandToken, SimTelemetry } from './telemetry.ts';

/** The embedded demo: one group with a dummy resource, preferred on A. */
const SIM_GROUPS = [
  {
    name: 'svc',
    preferred: 'A' as const,
    resources: [{ type: 'dummy', name: 'app', monitorIntervalMs: 1000 }],
  },
];

function statusLine(c: ControllerId, s: ControllerStatus | undefined): string {
  if (s === undefined) return `${c}: (off)`;
  const paths = s.peer.paths.map((p) => `${p.path}=${p.state}`).join(' ');
  return `${c}: ${s.state.padEnd(12)} peer ${s.peer.id} ${s.peer.state.padEnd(7)} ${paths} disk-access=${s.diskAccess} alarms=${s.activeAlarms} groups=${
    s.groups
      .filter((g) => g.owner === c)
      .map((g) => g.name)
      .join(',') || '-'
  }`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { duration: { type: 'string' }, port: { type: 'string' } } });
  const duration = values.duration === undefined ? undefined : Number(values.duration);
  if (duration !== undefined && !(duration > 0 && duration <= 86_400)) {
    console.error(`--duration must be 1..86400 seconds, got ${values.duration}`);
    return 2;
  }
  const wantPort = Number(values.port ?? process.env['TANDEM_SIM_MQTT_PORT'] ?? '18830');
  if (!Number.isInteger(wantPort) || wantPort < 1 || wantPort > 65535) {
    console.error(
      `MQTT port must be 1..65535, got ${String(values.port ?? process.env['TANDEM_SIM_MQTT_PORT'])}`,
    );
    return 2;
  }
  // Fresh for every run and printed here: the broker accepts no one else.
  const credentials = simCredentials();
  const token = simCommandToken();
  const broker = await startBroker(wantPort, credentials);
  if (broker.note !== undefined) console.log(`note: ${broker.note}`);
  console.log(`MQTT broker on mqtt://127.0.0.1:${broker.port} (topics tandem/<box>/<controller>/state)`);
  console.log(`MQTT login: username ${credentials.username} password ${credentials.password}`);
  console.log(`signed MQTT commands (docs/mqtt.md) use the command token ${token}`);

  const clock = new SystemClock();
  const box = new SimBox({ clock, groups: SIM_GROUPS });
  // The daemon's telemetry extension per controller, against the embedded broker.
  const telemetry = new SimTelemetry({
    url: `mqtt://127.0.0.1:${broker.port}`,
    credentials,
    token,
    box,
    clock,
    log: { info: () => undefined, warn: (m) => console.log(`telemetry: ${m}`) },
  });
  const last: Record<ControllerId, string> = { A: '', B: '' };
  const unsub: Partial<Record<ControllerId, () => void>> = {};
  const print = (c: ControllerId, force: boolean): void => {
    const line = statusLine(c, box.controller(c)?.status.current());
    if (force || line !== last[c]) console.log(`${new Date().toISOString().slice(11, 23)} ${line}`);
    last[c] = line;
  };
  box.onController((c, controller) => {
    unsub[c]?.();
    void telemetry.set(c, controller);
    if (controller === undefined) {
      print(c, false);
      return;
    }
    unsub[c] = controller.status.onChange(() => print(c, false));
  });
  box.start();
  console.log('simulated box running; type help for fault and tandemctl commands');
  const ticker = setInterval(() => {
    for (const c of ['A', 'B'] as const) {
      print(c, true);
    }
  }, 1000);

  const done = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    if (duration !== undefined) setTimeout(resolve, duration * 1000);
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (text) => {
      const cmd = parseSimCommand(text);
      switch (cmd.kind) {
        case 'error':
          console.log(`? ${cmd.message}`);
          return;
        case 'help':
          console.log(cmd.text);
          return;
        case 'command':
          void runSimCommand(simCommands(box, cmd.controller), cmd.controller, cmd.request, Date.now()).then(
            (text) => console.log(text),
            (err: unknown) => console.log(`? ${cmd.controller}: ${String(err)}`),
          );
          return;
        case 'quit':
          resolve();
          return;
        case 'cut':
          box.cut(cmd.path);
          console.log(`cut ${cmd.path}`);
          return;
        case 'heal':
          box.heal(cmd.path);
          console.log(`healed ${cmd.path}`);
          return;
        case 'kill':
          void box.kill(cmd.controller).then(() => console.log(`killed ${cmd.controller}`));
          return;
        case 'restart':
          void box.restart(cmd.controller).then(() => console.log(`restarted ${cmd.controller}`));
          return;
      }
    });
    // stdin closed (e.g. `npm start < /dev/null`): keep running until the duration or a signal.
    rl.on('close', () => undefined);
  });
  await done;
  clearInterval(ticker);
  await box.stop();
  await telemetry.close();
  await broker.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
